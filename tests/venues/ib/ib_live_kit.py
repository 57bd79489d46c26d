"""Shared pieces of the IB store/broker/feed tests: a sandbox on a loopback thread, stores on it,
and waiting on an inbox for an event (the sandbox and ib_async run for real)."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tradebridge.live import Event, Inbox, Kind
from tradebridge.venues.ib.sandbox.server import ThreadedSandbox, start_in_thread
from tradebridge.venues.ib.store import IBStore

# 10:00 in New York on a Tuesday: the stock session is open
START = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
_client_ids = itertools.count(100)


@contextmanager
def sandbox(**kwargs: Any) -> Iterator[ThreadedSandbox]:
    """An IB sandbox on an ephemeral loopback port, on its own thread."""
    kwargs.setdefault("start", START)
    sb = start_in_thread(**kwargs)
    try:
        yield sb
    finally:
        sb.stop()
        gc.collect()  # a socket left open shows up as an unraisable warning in the test that left it


@contextmanager
def connected_store(sb: ThreadedSandbox, inbox: Inbox | None = None, **kwargs: Any) -> Iterator[IBStore]:
    """An IBStore connected to ``sb`` (fast backoff), stopped afterwards."""
    kwargs.setdefault("clientId", next(_client_ids))
    kwargs.setdefault("backoff_initial", 0.01)
    kwargs.setdefault("backoff_max", 0.05)
    store = IBStore(port=sb.port, **kwargs)
    if inbox is not None:
        store.attach_inbox(inbox)
    try:
        store.start()
        yield store
    finally:
        store.stop()


def wait_for(inbox: Inbox, predicate: Callable[[Event], bool], timeout: float = 5.0,
             seen: list[Event] | None = None) -> Event:
    """The first inbox event matching ``predicate`` (others go to ``seen``); fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            shown = [(e.kind.name, e.payload) for e in (seen or [])][-10:]
            raise AssertionError(f"no matching inbox event within {timeout} s; last seen: {shown}")
        event = inbox.get(left)
        if event is None:
            continue
        if predicate(event):
            return event
        if seen is not None:
            seen.append(event)


def of_kind(kind: Kind, source: Any = None) -> Callable[[Event], bool]:
    """A predicate: an event of ``kind`` (from ``source`` when given)."""
    return lambda e: e.kind is kind and (source is None or e.source is source)


class Stepper:
    """Produces sandbox bars from a thread once a client subscribed (``cerebro.run`` blocks the test)."""

    def __init__(self, sb: ThreadedSandbox, client_id: int, bars: int, pause: float = 0.01,
                 ticks: bool = False) -> None:
        self.sb, self.client_id, self.bars, self.pause, self.ticks = sb, client_id, bars, pause, ticks
        self.stepped = 0
        self._halt = threading.Event()
        self._gate = threading.Lock()  # held by a test that needs the market to stand still
        self._thread = threading.Thread(target=self._run, name="sandbox-stepper", daemon=True)
        self._thread.start()

    def subscribed(self) -> bool:
        session = self.sb.server.sessions.get(self.client_id)
        return session is not None and bool(session.mkt_data if self.ticks else session.rt_bars)

    def _run(self) -> None:
        while not self._halt.is_set() and not self.subscribed():
            self._halt.wait(0.005)
        while not self._halt.is_set() and self.stepped < self.bars:
            with self._gate:
                if self.subscribed():  # a dropped client gets no bars: hold until it is back
                    self.sb.step()
                    self.stepped += 1
            self._halt.wait(self.pause)

    def hold(self) -> None:
        """Stop producing bars (waits for a step in progress); ``release`` goes on."""
        self._gate.acquire()

    def release(self) -> None:
        self._gate.release()

    def stop(self) -> None:
        self._halt.set()
        self._thread.join(5)
