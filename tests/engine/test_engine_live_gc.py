"""The live loop runs the garbage collection that is half due before it sleeps (so allocations
rarely trigger one between a tick and its order) and freezes the start-up heap for the run only."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator

import pandas as pd
import pytest

import tradebridge as bt
from tradebridge.engine.live import _QUIET, LiveLoop
from tradebridge.feeds.live import ReplayLiveData
from tradebridge.live import Kind


@pytest.fixture
def thresholds() -> Iterator[None]:
    """Small collector thresholds for the test; the process's own come back afterwards."""
    saved, enabled = gc.get_threshold(), gc.isenabled()
    gc.collect()
    gc.set_threshold(100, 10, 10)
    gc.enable()
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        if not enabled:
            gc.disable()


class _Node:
    """A container with no free list: each one counts as an allocation for the collector."""

    def __init__(self) -> None:
        self.me = self


def _cycles(n: int) -> None:
    """Allocate ``n`` objects that only the cyclic collector can free."""
    for _ in range(n):
        _Node()


def _loop() -> LiveLoop:
    """A live loop past its first sleep (the start-up heap frozen, nothing due)."""
    loop = LiveLoop(bt.Cerebro())
    loop.collect_garbage()
    return loop


def test_a_collection_at_least_half_due_runs_before_the_wait(thresholds: None) -> None:
    loop = _loop()
    try:
        gc.collect()
        _cycles(70)
        assert gc.get_count()[0] >= 50
        assert gc.get_freeze_count() > 0
        loop.collect_garbage()
        assert loop.collections == 1
        assert gc.get_count()[0] < 10  # the young generation was collected here, not mid-bar
    finally:
        loop.close()
    assert gc.get_freeze_count() == 0


def test_no_collection_when_less_than_half_due_or_the_collector_is_off(thresholds: None) -> None:
    loop = _loop()
    try:
        gc.collect()
        _cycles(20)
        loop.collect_garbage()
        assert loop.collections == 0
        gc.disable()
        _cycles(90)
        loop.collect_garbage()
        assert loop.collections == 0 and gc.get_count()[0] >= 90
    finally:
        loop.close()


def test_the_older_generations_are_collected_when_their_turn_comes(thresholds: None) -> None:
    loop = _loop()
    try:
        gc.collect()
        before = gc.get_stats()[2]["collections"]
        for _ in range(100):
            _cycles(60)
            loop.collect_garbage()
        assert loop.collections == 100
        assert gc.get_stats()[2]["collections"] > before  # full ones too, every t1 * t2 young ones
    finally:
        loop.close()


class _Lockstep(ReplayLiveData):
    """Sends each live bar only once the strategy has handled the previous one, and ``gap`` seconds
    later: the engine surely has idle moments between bars, however loaded the machine is."""

    params = (("gap", 0.05),)

    def _subscribe(self) -> None:
        self.handled = threading.Event()
        self.handled.set()
        super()._subscribe()

    def _send_live(self, row: dict) -> None:
        if not self.handled.wait(10.0) or self._halt.wait(self.p.gap):
            return
        self.handled.clear()
        super()._send_live(row)


class _Garbage(bt.Strategy):
    """Makes cyclic garbage on every bar and records the frozen heap while running."""

    def __init__(self) -> None:
        self.frozen: list[int] = []
        self.collections = 0

    def next(self) -> None:
        _cycles(12_000)
        self.frozen.append(gc.get_freeze_count())
        self.data.handled.set()

    def stop(self) -> None:
        loop = self.cerebro._liveloop
        self.collections = loop.collections
        self.seen = (loop.waits, gc.isenabled(), gc.get_threshold(), gc.get_count(), gc.callbacks)


def test_a_live_run_collects_while_idle_and_unfreezes_the_heap_when_it_ends(thresholds: None) -> None:
    idx = pd.date_range("2026-01-05 09:00", periods=10, freq="min")
    frame = pd.DataFrame({"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 1.0}, index=idx)
    gc.set_threshold(20_000, 10, 10)  # a bar makes a young collection half due, never wholly
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(_Lockstep(dataname=frame))
    cerebro.addstrategy(_Garbage)
    assert gc.get_freeze_count() == 0
    strat = cerebro.run()[0]
    assert cerebro._liveloop is None
    assert len(strat.frozen) == 10 and max(strat.frozen) > 1000  # the start-up heap, frozen while live
    # half due after each bar: collected in a quiet gap (9 gaps of 0.05 s after the strategy's step)
    assert strat.seen[0] >= 9 and strat.collections >= 1, strat.seen  # it waited for every live bar
    assert gc.get_freeze_count() == 0  # and collectable again once the run is over


def test_the_collection_waits_for_a_quiet_moment_and_keeps_the_deadline(thresholds: None) -> None:
    loop = _loop()
    try:
        gc.collect()
        _cycles(70)  # due
        loop.inbox.put(Kind.STORE, "news")
        assert [e.payload for e in loop._wait(1.0)] == ["news"]
        assert loop.collections == 0  # an event was there: the engine has work, no collection
        assert loop._wait(_QUIET / 2) == [] and loop.collections == 0  # a deadline sooner than quiet
        start = time.monotonic()
        assert loop._wait(0.05) == []
        assert loop.collections == 1  # quiet for _QUIET: collected, then waited out the deadline
        assert 0.045 <= time.monotonic() - start < 0.5
    finally:
        loop.close()


def test_a_heap_the_user_froze_stays_frozen_after_the_run(thresholds: None) -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        loop = _loop()
        loop.close()
        assert gc.get_freeze_count() == frozen  # the loop neither added to it nor thawed it
    finally:
        gc.unfreeze()
