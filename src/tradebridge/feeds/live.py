"""Live data feeds: bars and ticks that venue threads put into the engine's inbox.

A :class:`LiveDataBase` keeps a local queue filled by ``on_event`` (engine thread) and serves
it through ``_load``: True with the next bar, None while none is ready (the data is still
alive), False once it has ended. Statuses travel in the same queue as the bars, so a strategy
hears ``DELAYED`` before the first backfill bar and ``LIVE`` before the first live bar. Bars at
or before the last one delivered are dropped (``duplicates`` counts them): a gap backfill after
a reconnect may repeat bars already seen.

:class:`ReplayLiveData` replays a DataFrame "as if live" from a real producer thread (history
first, then live rows at a chosen pace, optionally as ticks and with a simulated outage): it
drives tests and demos of the live engine without a venue.
"""

from __future__ import annotations

import collections
import datetime as _dt
import math
import threading
import time
from typing import Any

from ..live.inbox import Event, Kind
from ..utils.dates import date2num
from .base import DataBase

__all__ = ["LiveDataBase", "ReplayLiveData", "bar_from_payload"]

_BAR_FIELDS = ("open", "high", "low", "close", "volume", "openinterest")
_STATUS, _BAR, _TICK = range(3)


def _datenum(value: Any, what: str) -> float:
    """A payload time (tz-aware datetime or float epoch seconds, UTC) as a date number."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{what}: datetime {value!r} must be tz-aware (UTC)")
        return date2num(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return date2num(_dt.datetime.fromtimestamp(value, _dt.UTC))
    raise ValueError(f"{what}: time {value!r} must be a tz-aware datetime or epoch seconds")


def bar_from_payload(payload: Any, who: str = "bar") -> tuple[float, ...]:
    """(datetime num, open, high, low, close, volume, openinterest) from a BAR payload dict."""
    if not isinstance(payload, dict):
        raise ValueError(f"{who}: a BAR payload must be a dict, got {type(payload).__name__}")
    if "datetime" not in payload:
        raise ValueError(f"{who}: BAR payload has no 'datetime'")
    out = [_datenum(payload["datetime"], who)]
    for field in _BAR_FIELDS:
        value = payload.get(field, 0.0 if field in ("volume", "openinterest") else None)
        if value is None:
            raise ValueError(f"{who}: BAR payload has no {field!r}")
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            raise ValueError(f"{who}: BAR field {field!r} is not a number: {value!r}") from None
    return tuple(out)


def _bar_from_tick(payload: Any, who: str) -> tuple[float, ...]:
    """A TICK payload (price, size, time) as a one-trade bar."""
    if not isinstance(payload, dict) or "price" not in payload or "time" not in payload:
        raise ValueError(f"{who}: a TICK payload must be a dict with 'price', 'size' and 'time'")
    try:
        price, size = float(payload["price"]), float(payload.get("size", 0.0))
    except (TypeError, ValueError):
        raise ValueError(f"{who}: TICK price/size are not numbers: {payload!r}") from None
    return (_datenum(payload["time"], who), price, price, price, price, size, 0.0)


class LiveDataBase(DataBase):
    """Base of live feeds: bars, ticks and statuses arrive as inbox events (engine thread).

    Subclasses implement ``_subscribe()``/``_unsubscribe()`` (called from start/stop) so that
    their store puts BAR/TICK/DATA_STATUS events with ``source=self``.
    """

    params = (
        ("qcheck", 0.5),  # accepted for compatibility: the engine sleeps until exact deadlines
        ("historical", False),  # only the backfill, then the data ends
        ("backfill_start", True),  # deliver history before the live bars
        ("backfill", True),  # after a reconnect, backfill the bars missed during the outage
        ("backfill_from", None),  # a data feed delivered first (its bars precede the backfill)
        ("latethrough", False),  # let late ticks through (the resampler's takelate decides)
    )
    _ENDING = frozenset({DataBase.DISCONNECTED, DataBase.NOTSUBSCRIBED, DataBase.NOTSUPPORTED_TF})

    _inbox: Any = None
    _engine_ident: int | None = None

    def islive(self) -> bool:
        """Always: even ``historical`` bars arrive through the engine's inbox."""
        return True

    def haslivedata(self) -> bool:
        return bool(self.__dict__.get("_queue"))

    def attach_inbox(self, inbox: Any) -> None:
        """Called by cerebro (engine thread) before ``start`` in a live run."""
        self._inbox = inbox
        self._engine_ident = threading.get_ident()

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        """Reset the local queue, start ``backfill_from`` and subscribe."""
        self._queue: collections.deque[tuple[int, Any]] = collections.deque()
        self._ended = False
        self._lastdt = -math.inf
        self.duplicates = 0
        self._bffrom = self.p.backfill_from
        if self._bffrom is not None:
            self._bffrom._start()
        if self._inbox is None:
            raise RuntimeError(f"{self!r}: a live data needs the engine's inbox; add it to a "
                               "Cerebro and run it (cerebro attaches the inbox before start)")
        self._subscribe()

    def stop(self) -> None:
        """Unsubscribe (the producer stops putting events)."""
        self._unsubscribe()
        if self.__dict__.get("_bffrom") is not None:
            self._bffrom.stop()
            self._bffrom = None

    def _subscribe(self) -> None:
        """Venue hook: make the store produce this data's events."""

    def _unsubscribe(self) -> None:
        """Venue hook: stop this data's events."""

    # -- the engine side ------------------------------------------------------------------------
    def on_event(self, event: Event) -> None:
        """Queue a bar, tick or status locally, in arrival order (engine thread)."""
        kind = event.kind
        if kind is Kind.BAR:
            self._queue.append((_BAR, bar_from_payload(event.payload, repr(self))))
        elif kind is Kind.TICK:
            self._queue.append((_TICK, _bar_from_tick(event.payload, repr(self))))
        elif kind is Kind.DATA_STATUS:
            self._queue.append((_STATUS, event.payload))
        else:
            raise ValueError(f"{self!r} got an inbox event of kind {kind.name}; "
                             "a data handles BAR, TICK and DATA_STATUS")

    def put_notification(self, status: int, *args: Any, **kwargs: Any) -> None:
        """Queue a status for ``notify_data``; from a venue thread it crosses via the inbox."""
        if self._inbox is not None and threading.get_ident() != self._engine_ident:
            payload = (status, args, kwargs) if args or kwargs else status
            self._inbox.put(Kind.DATA_STATUS, payload, source=self)
            return
        super().put_notification(status, *args, **kwargs)

    def _load(self) -> bool | None:
        """The next bar (True), none ready yet (None) or the data has ended (False)."""
        if self._bffrom is not None:
            if self._load_backfill_from():
                return True
        queue = self._queue
        while queue:
            what, item = queue.popleft()
            if what == _STATUS:
                self._status(item)
                continue
            dt = item[0]
            if what == _BAR:
                if dt <= self._lastdt:
                    self.duplicates += 1
                    continue
            elif dt < self._lastdt and not self.p.latethrough:
                self.duplicates += 1  # a late tick
                continue
            self._put_bar(item)
            return True
        return False if self._ended else None

    def _status(self, item: Any) -> None:
        status, args, kwargs = item if isinstance(item, tuple) else (item, (), {})
        if not isinstance(status, int) or not 0 <= status < len(self._NOTIFNAMES):
            raise ValueError(f"{self!r}: DATA_STATUS payload {item!r} is not a data status")
        self.put_notification(status, *args, **kwargs)
        if status in self._ENDING:
            self._ended = True

    def _put_bar(self, bar: tuple[float, ...]) -> None:
        lines: Any = self.lines
        lines.datetime[0], lines.open[0], lines.high[0], lines.low[0] = bar[:4]
        lines.close[0], lines.volume[0], lines.openinterest[0] = bar[4:]
        self._lastdt = max(self._lastdt, bar[0])

    def _load_backfill_from(self) -> bool:
        """Copy the next bar of ``backfill_from``; at its end, fall through to the queue."""
        src = self._bffrom
        if src.next():
            sl = src.lines
            self._put_bar((sl.datetime[0], sl.open[0], sl.high[0], sl.low[0], sl.close[0],
                           sl.volume[0], sl.openinterest[0]))
            return True
        src.stop()
        self._bffrom = None
        return False


class ReplayLiveData(LiveDataBase):
    """Replays a DataFrame as a live venue would, from its own producer thread.

    The first ``backfill_bars`` rows are history (``DELAYED``), the rest arrive ``pace`` seconds
    apart (``LIVE``), as bars or, with ``ticks=True``, as ticks (price=close, size=volume).
    ``realtime=True`` stamps live rows with the wall clock instead of the row's time.
    ``cut_at=k`` breaks the connection before live row k: ``CONNBROKEN``, ``cut_missed`` rows
    pass unseen, then on reconnect (with ``backfill``) ``DELAYED`` and a gap backfill starting
    ``cut_overlap`` rows before the cut, then ``LIVE``. ``hold=True`` stays live after the last
    row (the run goes on until ``runstop``); otherwise ``DISCONNECTED`` ends the data.
    """

    params = (
        ("backfill_bars", 0), ("pace", 0.0), ("ticks", False), ("realtime", False),
        ("hold", False), ("cut_at", None), ("cut_missed", 1), ("cut_overlap", 1),
    )

    def _subscribe(self) -> None:
        self._rows = _rows_of(self.p.dataname)
        if not 0 <= self.p.backfill_bars <= len(self._rows):
            raise ValueError(f"{self!r}: backfill_bars={self.p.backfill_bars} is outside "
                             f"0..{len(self._rows)} (the rows given)")
        self._halt = threading.Event()
        self.sent: list[tuple[Kind, Any]] = []  # every event put, in order (for tests and demos)
        self._cut_at = self.p.cut_at
        thread = threading.Thread(target=self._produce, name=f"replay-{self._name}", daemon=True)
        self._thread: threading.Thread | None = thread
        thread.start()

    def _unsubscribe(self) -> None:
        thread = self.__dict__.get("_thread")
        if thread is not None:
            self._halt.set()
            thread.join()
            self._thread = None

    # -- the producer thread ------------------------------------------------------------------
    def _put(self, kind: Kind, payload: Any) -> None:
        self.sent.append((kind, payload))
        self._inbox.put(kind, payload, source=self)

    def _produce(self) -> None:
        p, rows = self.p, self._rows
        nhist = p.backfill_bars
        self._put(Kind.DATA_STATUS, self.CONNECTED)
        if p.backfill_start and nhist:
            self._put(Kind.DATA_STATUS, self.DELAYED)
            for row in rows[:nhist]:
                self._put(Kind.BAR, row)
        if p.historical:
            self._put(Kind.DATA_STATUS, self.DISCONNECTED)
            return
        self._put(Kind.DATA_STATUS, self.LIVE)
        live = rows[nhist:]
        i = 0
        while i < len(live):
            if p.pace and self._halt.wait(p.pace):
                return
            if self._halt.is_set():
                return
            if i == self._cut_at:
                i = self._outage(live, i)
                continue
            self._send_live(live[i])
            i += 1
        if p.hold:
            self._halt.wait()
        else:
            self._put(Kind.DATA_STATUS, self.DISCONNECTED)

    def _send_live(self, row: dict[str, Any]) -> None:
        if self.p.realtime:
            row = {**row, "datetime": time.time()}
        if self.p.ticks:
            self._put(Kind.TICK, {"price": row["close"], "size": row.get("volume", 0.0),
                                  "time": row["datetime"]})
        else:
            self._put(Kind.BAR, row)

    def _outage(self, live: list[dict[str, Any]], i: int) -> int:
        """Connection lost before live row ``i``; returns the row to go on with."""
        p = self.p
        self._put(Kind.DATA_STATUS, self.CONNBROKEN)
        resume = min(i + p.cut_missed, len(live))
        if p.backfill:
            self._put(Kind.DATA_STATUS, self.DELAYED)
            for row in live[max(0, i - p.cut_overlap):resume]:
                self._put(Kind.BAR, row)
        self._put(Kind.DATA_STATUS, self.LIVE)
        self._cut_at = None  # one outage per subscription
        return resume


def _rows_of(source: Any) -> list[dict[str, Any]]:
    """BAR payloads from a DataFrame (DatetimeIndex; naive means UTC) or a list of dicts."""
    if isinstance(source, list):
        return [dict(row) for row in source]
    frame = getattr(source, "itertuples", None)
    if frame is None:
        raise TypeError(f"ReplayLiveData: dataname must be a pandas DataFrame or a list of bar "
                        f"dicts, got {type(source).__name__}")
    cols = {c.lower(): c for c in source.columns}
    missing = [f for f in ("open", "high", "low", "close") if f not in cols]
    if missing:
        raise ValueError(f"ReplayLiveData: the DataFrame has no column(s) {missing}")
    rows = []
    for stamp, rec in zip(source.index, source.to_dict("records")):
        when = stamp.to_pydatetime()
        when = when.replace(tzinfo=_dt.UTC) if when.tzinfo is None else when
        row = {"datetime": when}
        for field in _BAR_FIELDS:
            if field in cols:
                row[field] = float(rec[cols[field]])
        rows.append(row)
    return rows
