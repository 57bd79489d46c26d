"""The inbox: ordered, thread-safe, asyncio-safe puts; blocking gets that sleep; wake; overflow policy."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tradebridge.live.inbox import Event, Inbox, InboxOverflowError, Kind


def test_events_come_out_in_arrival_order_with_kind_payload_and_source() -> None:
    inbox = Inbox()
    inbox.put(Kind.BAR, 1, source="data0")
    inbox.put(Kind.ORDER, {"id": 2})
    assert len(inbox) == 2
    assert inbox.get(0) == Event(Kind.BAR, 1, "data0")
    assert inbox.get(0) == Event(Kind.ORDER, {"id": 2}, None)
    assert inbox.get(0) is None


def test_many_producer_threads_lose_nothing_and_keep_each_producers_order() -> None:
    inbox, n, producers = Inbox(), 2000, 4

    def produce(p: int) -> None:
        for i in range(n):
            inbox.put(Kind.EXECUTION, (p, i))

    threads = [threading.Thread(target=produce, args=(p,)) for p in range(producers)]
    for t in threads:
        t.start()
    got: list[tuple[int, int]] = []
    while len(got) < n * producers:
        got.extend(e.payload for e in inbox.drain(timeout=2))
    for t in threads:
        t.join()
    for p in range(producers):
        assert [i for q, i in got if q == p] == list(range(n))


def test_get_sleeps_instead_of_spinning_until_the_timeout() -> None:
    inbox = Inbox()
    wall, cpu = time.monotonic(), time.thread_time()
    assert inbox.get(timeout=0.15) is None
    assert time.monotonic() - wall >= 0.14
    assert time.thread_time() - cpu < 0.05  # a busy poll would burn the whole wait


def test_a_blocked_get_returns_as_soon_as_another_thread_puts() -> None:
    inbox, started = Inbox(), threading.Event()

    def later() -> None:
        started.wait()
        inbox.put(Kind.TICK, 42)

    threading.Thread(target=later).start()
    started.set()
    t0 = time.monotonic()
    event = inbox.get(timeout=5)
    assert event is not None and event.payload == 42
    assert time.monotonic() - t0 < 1


def test_wake_releases_a_waiting_get_from_another_thread() -> None:
    inbox = Inbox()
    timer = threading.Timer(0.02, inbox.wake)
    timer.start()
    t0 = time.monotonic()
    assert inbox.get(timeout=5) is None
    assert time.monotonic() - t0 < 1
    timer.join()


def test_wake_before_get_makes_the_next_empty_get_return_once_and_events_still_win() -> None:
    inbox = Inbox()
    inbox.wake()
    inbox.put(Kind.STORE, "hello")
    assert inbox.get(timeout=5).payload == "hello"  # queued events are delivered first
    assert inbox.get(timeout=5) is None  # then the wake is consumed
    assert inbox.get(timeout=0) is None


def test_puts_from_an_asyncio_loop_on_another_thread_reach_the_engine_thread() -> None:
    inbox = Inbox()

    async def venue() -> None:
        for i in range(500):
            inbox.put(Kind.BAR, i)
            if i % 50 == 0:
                await asyncio.sleep(0)
        inbox.put(Kind.CONNECTION, "done")

    thread = threading.Thread(target=lambda: asyncio.run(venue()))
    thread.start()
    got = []
    while not got or got[-1] != "done":
        got.extend(e.payload for e in inbox.drain(timeout=5))
    thread.join()
    assert got == [*range(500), "done"]


def test_full_inbox_drops_the_oldest_ticks_first_and_counts_them() -> None:
    inbox = Inbox(maxsize=3)
    for i in range(3):
        inbox.put(Kind.TICK, i)
    assert inbox.put(Kind.TICK, 3)
    assert inbox.put(Kind.EXECUTION, "fill")  # critical: evicts the oldest tick
    assert inbox.dropped == 2
    assert [e.payload for e in inbox.drain(0)] == [2, 3, "fill"]


def test_full_of_critical_events_a_tick_is_dropped_and_the_engine_is_not_failed() -> None:
    inbox = Inbox(maxsize=2)
    inbox.put(Kind.ORDER, 1)
    inbox.put(Kind.ORDER, 2)
    assert not inbox.put(Kind.TICK, 3)
    assert inbox.dropped == 1
    assert [e.payload for e in inbox.drain(0)] == [1, 2]


def test_a_refused_critical_event_fails_the_engine_loudly_on_its_next_get() -> None:
    inbox = Inbox(maxsize=2)
    inbox.put(Kind.ORDER, 1)
    inbox.put(Kind.BAR, 2)
    assert not inbox.put(Kind.EXECUTION, 3)
    with pytest.raises(InboxOverflowError, match="1 critical venue event"):
        inbox.get(0)
    assert [e.payload for e in inbox.drain(0)] == [1, 2]  # what was queued is still there


def test_close_refuses_new_events_but_lets_the_engine_drain_the_queue() -> None:
    inbox = Inbox()
    inbox.put(Kind.BAR, 1)
    inbox.close()
    assert inbox.closed and not inbox.put(Kind.BAR, 2)
    assert inbox.get(timeout=5).payload == 1
    t0 = time.monotonic()
    assert inbox.get(timeout=5) is None and time.monotonic() - t0 < 1


def test_consumed_ticks_do_not_pile_up_when_the_inbox_never_empties() -> None:
    inbox = Inbox(maxsize=4)
    inbox.put(Kind.ORDER, "keep")
    for i in range(100):
        inbox.put(Kind.TICK, i)
        inbox.put(Kind.BAR, i)
        while len(inbox) > 2:
            inbox.get(0)
    assert len(inbox._droppable) <= 2 * inbox.maxsize + 1


def test_maxsize_must_be_positive() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        Inbox(maxsize=0)
