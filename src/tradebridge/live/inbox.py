"""The one thread-safe inbox through which everything a venue says reaches the engine thread.

Stores put events from their own threads (or from inside their asyncio loop: ``put`` never
blocks on space and holds a lock only for a few operations); the engine thread waits in
``get``/``drain`` on a condition variable, so it sleeps until something arrives, a timeout
passes or ``wake()`` is called (``runstop``).

Overflow policy (the inbox holds at most ``maxsize`` events):

* market data that can be conflated (``Kind.TICK``) is *droppable*: when the inbox is full,
  the oldest queued droppable event makes room (counted in ``dropped``);
* everything else (bars, order events, executions, commissions, account values, statuses,
  notifications) is *critical*: it evicts the oldest droppable event if there is one; when
  the inbox is full of critical events the event is refused, the inbox is marked overflowed
  and the engine's next ``get``/``drain`` raises :class:`InboxOverflowError`. Nothing is lost
  for good: the venue keeps the truth and reconciliation after a restart applies what the
  engine did not see. A producer is never blocked, because blocking a venue's loop would stop
  its heartbeats and get the connection dropped.
"""

from __future__ import annotations

import enum
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["Event", "Inbox", "InboxOverflowError", "Kind"]


class Kind(enum.Enum):
    """What an inbox event carries."""

    BAR = "bar"
    TICK = "tick"
    ORDER = "order"  # order status / open-order report
    EXECUTION = "execution"
    COMMISSION = "commission"
    ACCOUNT = "account"  # cash, value, account values
    POSITION = "position"
    DATA_STATUS = "data_status"  # CONNECTED, LIVE, CONNBROKEN, ...
    STORE = "store"  # a notify_store message
    CONNECTION = "connection"  # connected / lost / reconnected (drives reconciliation)


DROPPABLE = frozenset({Kind.TICK})


@dataclass(frozen=True, slots=True)
class Event:
    """One message from a venue: its kind, its payload and who sent it (a data, a store)."""

    kind: Kind
    payload: Any
    source: Any = None


class InboxOverflowError(RuntimeError):
    """The engine fell so far behind that a critical event could not be queued."""


class _Slot:
    """A queued event and whether it is still waiting (evicted/consumed slots are dead)."""

    __slots__ = ("event", "live")

    def __init__(self, event: Event) -> None:
        self.event = event
        self.live = True


class Inbox:
    """Bounded multi-producer, single-consumer event queue with a blocking, wakeable get."""

    def __init__(self, maxsize: int = 100_000) -> None:
        if maxsize < 1:
            raise ValueError(f"Inbox maxsize must be >= 1, got {maxsize}")
        self.maxsize = maxsize
        self._cond = threading.Condition(threading.Lock())
        self._slots: deque[_Slot] = deque()
        self._droppable: deque[_Slot] = deque()
        self._live = 0
        self._woken = False
        self._closed = False
        self._refused = 0
        self.dropped = 0  # droppable events discarded to make room

    def __len__(self) -> int:
        return self._live

    # -- producers (any thread) ----------------------------------------------------------------
    def put(self, kind: Kind, payload: Any, source: Any = None) -> bool:
        """Queue an event from any thread without blocking; False if it was not queued."""
        event = Event(kind, payload, source)
        droppable = kind in DROPPABLE
        with self._cond:
            if self._closed:
                return False
            if self._live >= self.maxsize and not self._make_room():
                if droppable:
                    self.dropped += 1
                else:
                    self._refused += 1
                    self._cond.notify()
                return False
            slot = _Slot(event)
            self._slots.append(slot)
            if droppable:
                self._droppable.append(slot)
                if len(self._droppable) > 2 * self.maxsize:  # forget consumed droppable slots
                    self._droppable = deque(s for s in self._droppable if s.live)
            self._live += 1
            self._cond.notify()
        return True

    def _make_room(self) -> bool:
        """Evict the oldest droppable event (lock held); False if there is none."""
        droppable = self._droppable
        while droppable:
            slot = droppable.popleft()
            if slot.live:
                slot.live = False
                self._live -= 1
                self.dropped += 1
                return True
        return False

    def wake(self) -> None:
        """Make a waiting (or the next) ``get``/``drain`` return at once (used by ``runstop``)."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def close(self) -> None:
        """Refuse further events and wake the consumer; queued events can still be drained."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._closed

    # -- consumer (the engine thread) ----------------------------------------------------------
    def get(self, timeout: float | None = None) -> Event | None:
        """The next event; None after ``timeout`` seconds, a ``wake()`` or ``close()`` with none left."""
        with self._cond:
            if not self._wait(timeout):
                return None
            return self._pop()

    def drain(self, timeout: float | None = None) -> list[Event]:
        """Wait like ``get``, then take every queued event in arrival order (maybe none)."""
        with self._cond:
            if not self._wait(timeout):
                return []
            out = []
            while self._live:
                out.append(self._pop())
            return out

    def _wait(self, timeout: float | None) -> bool:
        """Block (lock held) until an event is queued; False on timeout, wake or close."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._refused:
                refused, self._refused = self._refused, 0
                raise InboxOverflowError(
                    f"the engine fell behind: {refused} critical venue event(s) refused with "
                    f"{self._live} queued (maxsize={self.maxsize}); stop and restart to reconcile "
                    "with the venue, or raise the inbox maxsize")
            if self._live:
                return True
            if self._woken:
                self._woken = False
                return False
            if self._closed:
                return False
            if deadline is None:
                self._cond.wait()
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)

    def _pop(self) -> Event:
        """Take the oldest live event (lock held, at least one live)."""
        slots = self._slots
        while True:
            slot = slots.popleft()
            if slot.live:
                slot.live = False
                self._live -= 1
                if not self._live:
                    slots.clear()  # drop dead slots; droppable refs die with them
                    self._droppable.clear()
                return slot.event
