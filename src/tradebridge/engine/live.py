"""The live side of the engine loop: one inbox, its dispatch, and sleeping until a deadline.

``run_next`` drives live runs too; this module supplies what it needs when the run is live:
``pump()`` hands whatever the venue threads queued to its sources (``source.on_event``) without
waiting, and ``idle()`` sleeps in ``inbox.drain(timeout)`` when no data has a bar, where the
timeout is the nearest deadline (a resampled bar that must close on time although no tick
arrives, a timer). ``runstop()`` wakes the sleep with ``inbox.wake()``.

Garbage collection: CPython runs its cyclic collector when allocations cross a threshold, that is
while a bar is being handled, between a tick and its order (0.1-1 ms a young collection, tens of
ms a full one over the start-up heap). So once the engine has had nothing to do for ``_QUIET``
seconds (the order it just handed over has left: a collection holds the GIL the store's loop
needs to send it), the loop runs the collection that is half due; from its first sleep on, the
heap built at start-up is frozen (``gc.freeze``: full collections skip it) until the run ends.
The collector stays enabled; nothing is collected less.
"""

from __future__ import annotations

import datetime as _dt
import gc
import time
from typing import Any

from ..filters._clock import source_of, time_point
from ..live.inbox import Event, Inbox
from ..utils.dates import TIME_MAX, date2num, num2date
from ..utils.timeframe import TimeFrame

__all__ = ["DEFAULT_INBOX_SIZE", "LiveLoop", "bar_deadline"]

DEFAULT_INBOX_SIZE = 100_000
_SLACK = 0.002  # wake just after the boundary: the bar-over check compares clock >= boundary
_GIVE_UP = 0.05  # a deadline this far past that closed nothing is ignored (never spin on it)
_QUIET = 0.005  # seconds without events before a due garbage collection runs
_UNIT_SECONDS = {TimeFrame.MicroSeconds: 1e-6, TimeFrame.Seconds: 1.0, TimeFrame.Minutes: 60.0}


def _utc_epoch(naive_utc: _dt.datetime) -> float:
    return naive_utc.replace(tzinfo=_dt.UTC).timestamp()


def bar_deadline(data: Any, flt: Any) -> float | None:
    """Epoch seconds (venue clock) at which the bar ``flt`` is building must be delivered.

    None when no bar is open or the bar closes only when new data arrives (ticks, weeks and
    longer, bars not aligned to their edge, replayed bars without time adjustment).
    """
    bar = getattr(flt, "bar", None)
    if bar is None or not bar.isopen() or not hasattr(flt, "check"):
        return None
    if getattr(flt, "replaying", False) and not flt.doadjusttime:
        return None
    p = flt.p
    opened = num2date(bar.datetime)
    unit = _UNIT_SECONDS.get(p.timeframe)
    if unit is not None:
        if not p.bar2edge:
            return None
        point, _ = time_point(opened.time(), p.timeframe, p.boundoff)
        edge = (point // p.compression + 1) * p.compression - p.boundoff
        midnight = opened.replace(hour=0, minute=0, second=0, microsecond=0)
        return _utc_epoch(midnight) + edge * unit
    if p.timeframe == TimeFrame.Days:
        src = source_of(data)
        sessionend = src.p.sessionend or TIME_MAX
        eos = num2date(src.date2num(_dt.datetime.combine(opened.date(), sessionend)))
        while opened > eos:
            eos += _dt.timedelta(days=1)
        return _utc_epoch(eos)
    return None


def _clock_offset(data: Any) -> float:
    """Seconds the venue's clock is ahead of ours (``data._timeoffset()``, as the resampler)."""
    offset = getattr(data, "_timeoffset", None)
    return offset().total_seconds() if offset is not None else 0.0


class LiveLoop:
    """Owns a live run's inbox: attaches it, dispatches its events, sleeps until a deadline."""

    def __init__(self, cerebro: Any, maxsize: int = DEFAULT_INBOX_SIZE) -> None:
        self.cerebro = cerebro
        self.inbox = Inbox(maxsize)
        self.waits = 0  # blocking waits (each ends with events, a deadline, a wake or a close)
        self.events = 0  # events dispatched
        self.collections = 0  # garbage collections run before a wait
        self._froze = False
        self._thaw = False  # whether close() unfreezes: only a freeze this loop made

    def attach(self) -> None:
        """Give the inbox to every store, every data that takes one, and the broker."""
        cerebro = self.cerebro
        targets = [*cerebro.stores, *cerebro.datas, cerebro.getbroker()]
        seen: set[int] = set()
        for obj in targets:
            attach = getattr(obj, "attach_inbox", None)
            if attach is not None and id(obj) not in seen:
                seen.add(id(obj))
                attach(self.inbox)

    def dispatch(self, events: list[Event]) -> None:
        """Hand each event to its source, in arrival order (engine thread)."""
        for event in events:
            handler = getattr(event.source, "on_event", None)
            if handler is None:
                raise TypeError(
                    f"inbox event {event.kind.name} came from {event.source!r}, which has no "
                    "on_event method: producers must pass source=<the data, store or broker>")
            handler(event)
        self.events += len(events)

    def pump(self) -> None:
        """Dispatch whatever is queued now, without waiting."""
        if len(self.inbox):
            self.dispatch(self.inbox.drain(0))

    def idle(self, datas: list[Any]) -> None:
        """No data has a bar: sleep until an event, the nearest deadline or ``runstop``;
        then deliver data, order and store notifications (no broker step: no new bar).
        What is already pending is delivered first: the strategy's answer to it (an order, a
        ``runstop``) may be what the next event waits for."""
        timers = self.cerebro._timers
        if timers:
            self._fire_due_timers()
        self._notify()
        timeout = self.timeout(datas)
        if timeout is None or timeout > 0:
            self.waits += 1
            self.dispatch(self._wait(timeout))
        else:
            self.dispatch(self.inbox.drain(0))
        if timers:
            self._fire_due_timers()
        self._notify()

    def _wait(self, timeout: float | None) -> list[Event]:
        """Wait for events; after ``_QUIET`` seconds with none, collect the garbage that is due
        (``collect_garbage``) and wait on for the rest of ``timeout``."""
        if not self._gc_due() or (timeout is not None and timeout <= _QUIET):
            return self.inbox.drain(timeout)
        start = time.monotonic()
        events = self.inbox.drain(_QUIET)
        waited = time.monotonic() - start
        if events or waited < _QUIET or self.cerebro._event_stop or self.inbox.closed:
            return events  # events, or woken by runstop or close
        self.collect_garbage()
        return self.inbox.drain(None if timeout is None else max(timeout - waited, 0.0))

    def _gc_due(self) -> bool:
        """Whether a young collection is at least half due (or the start-up heap is to freeze)."""
        if not gc.isenabled():
            return False
        threshold = gc.get_threshold()[0]
        return not self._froze or (threshold > 0 and 2 * gc.get_count()[0] >= threshold)

    def collect_garbage(self) -> None:
        """Run the young collection that is at least half due (and the older generations whose
        turn it brings), so allocations rarely trigger one mid-bar; freeze the start-up heap."""
        if not gc.isenabled():
            return
        if not self._froze:
            self._froze = True
            if gc.get_freeze_count() == 0:  # never thaw what the user froze
                self._thaw = True
                gc.freeze()  # the start-up heap: full collections need not walk it again
        count0, count1, count2 = gc.get_count()
        t0, t1, t2 = gc.get_threshold()
        if t0 <= 0 or 2 * count0 < t0:
            return
        generation = 0
        if count1 + 1 >= t1:
            generation = 2 if count2 + 1 >= t2 else 1
        gc.collect(generation)
        self.collections += 1

    def _notify(self) -> None:
        cerebro = self.cerebro
        cerebro._datanotify()
        cerebro._ordernotify()
        cerebro._storenotify()

    def timeout(self, datas: list[Any]) -> float | None:
        """Seconds until the nearest deadline; 0 when a bar is already waiting; None: none."""
        best: float | None = None
        now = time.time()
        for data in datas:
            if data._barstack or data._barstash or data.haslivedata():
                return 0.0
            for flt, _, _ in data._filters:
                deadline = bar_deadline(data, flt)
                if deadline is None:
                    continue
                left = deadline - (now + _clock_offset(data))
                if left < -_GIVE_UP:
                    continue
                left = max(left, 0.0) + _SLACK
                if best is None or left < best:
                    best = left
        timer = self._next_timer()
        if timer is not None and timer - now > -_GIVE_UP:
            left = max(timer - now, 0.0) + _SLACK
            best = left if best is None else min(best, left)
        return best

    def _next_timer(self) -> float | None:
        """Epoch seconds of the earliest armed timer (armed by the first bar it saw)."""
        nums = [t._whennum for t in self.cerebro._timers if t._whennum is not None]
        return _utc_epoch(num2date(min(nums))) if nums else None

    def _fire_due_timers(self) -> None:
        """Timers whose time came while no bar arrived fire on the clock (cheat ones first)."""
        due = self._next_timer()
        if due is None or due > time.time():
            return
        from .loops import check_timers

        now = date2num(_dt.datetime.now(_dt.UTC).replace(tzinfo=None))
        strats = self.cerebro.runningstrats
        check_timers(self.cerebro, strats, now, cheat=True)
        check_timers(self.cerebro, strats, now, cheat=False)

    def finish(self) -> None:
        """The loop ended: deliver what is still pending (a final DISCONNECTED, store news)."""
        self._notify()

    def wake(self) -> None:
        """Make the engine return from its wait at once (``runstop``)."""
        self.inbox.wake()

    def close(self) -> None:
        """Refuse further events (the run is over); the frozen heap is collectable again."""
        self.inbox.close()
        self._froze = False
        if self._thaw:
            self._thaw = False
            gc.unfreeze()
