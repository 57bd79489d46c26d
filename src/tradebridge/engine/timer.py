"""Timers (``add_timer``): call ``notify_timer`` at a time of day, optionally repeating,
on chosen weekdays or days of the month, firing on the same bars with the same ``when``
values as backtrader's Timer (including its day-mask quirks, see ``_DayMask``).
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

from ..lines.params import ParamsMixin
from ..utils.dates import TIME_MAX, date2num, num2date

__all__ = ["SESSION_END", "SESSION_START", "SESSION_TIME", "Timer"]

SESSION_TIME, SESSION_START, SESSION_END = range(3)
_NEVER = _dt.datetime.min


class _DayMask:
    """The listed days (weekdays or monthdays) still pending in the current week/month.

    On a new period the list is refilled; a day earlier than today that is still pending
    means a missed day (a carry). As backtrader does, once an earlier day was pending
    today counts as taken even when it is not listed, and one more pending day is used up.
    """

    def __init__(self, days: Iterable[int], carry: bool) -> None:
        self.days = list(days)
        self.carry = carry
        self._period: int = -1
        self._pending: list[int] = []

    def admit(self, period: int, day: int) -> bool:
        """Whether the timer may fire on ``day`` of ``period``; consumes pending days."""
        if not self.days:
            return True
        carried = False
        if period != self._period:
            self._period = period
            carried = self.carry and bool(self._pending)
            self._pending = list(self.days)
        pending = self._pending
        before = bisect_left(pending, day)
        carried = carried or (self.carry and before > 0)
        used = before
        today = False
        if before < len(pending):
            today = bisect_right(pending, day, lo=before) > 0
            used += today
        del pending[:used]
        return carried or today


def _localize(tz: Any, dt: _dt.datetime) -> _dt.datetime:
    """Attach ``tz`` to a naive datetime (pytz zones need ``localize``)."""
    localize = getattr(tz, "localize", None)
    return localize(dt) if localize is not None else dt.replace(tzinfo=tz)


class Timer(ParamsMixin):
    """One timer; ``check(dt)`` says whether it fires on the bar at date number ``dt``
    and leaves the scheduled time it fired for in ``lastwhen``."""

    SESSION_TIME, SESSION_START, SESSION_END = SESSION_TIME, SESSION_START, SESSION_END
    params = (
        ("tid", None), ("owner", None), ("strats", False), ("when", None),
        ("offset", _dt.timedelta()), ("repeat", _dt.timedelta()), ("weekdays", []),
        ("weekcarry", False), ("monthdays", []), ("monthcarry", True), ("allow", None),
        ("tzdata", None), ("cheat", False),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.kwargs = self._take_params(kwargs)
        self.args = args
        self.lastwhen: _dt.datetime | None = None

    @property
    def owner(self) -> Any:
        return self.p.owner

    # -- start -------------------------------------------------------------------------------------
    def start(self, data: Any) -> None:
        """Resolve ``when`` (a session edge reads the data's session) and clear all state."""
        from ..feeds.base import AbstractDataBase

        when = self.p.when
        if isinstance(when, int) and not isinstance(when, bool):
            self._tzdata = data if self.p.tzdata is None else self.p.tzdata
            session = self._tzdata.p
            self._basewhen = session.sessionstart if when == SESSION_START else session.sessionend
        elif isinstance(when, _dt.time):
            self._tzdata = self.p.tzdata
            self._basewhen = when
        else:
            raise ValueError(f"Timer: 'when' must be a datetime.time or SESSION_START/SESSION_END, "
                             f"got {when!r}")
        self._isdata = isinstance(self._tzdata, AbstractDataBase)
        self._months = _DayMask(self.p.monthdays, self.p.monthcarry)
        self._weeks = _DayMask(self.p.weekdays, self.p.weekcarry)
        self._eos = _NEVER
        self._curdate = _dt.date.min
        self._rearm()

    def _rearm(self, done: Any = _NEVER) -> None:
        """Back to the first target of a day; ``done`` is a date that will not fire again."""
        self._when: _dt.datetime | None = None
        self._whennum: float | None = None
        self._done = done

    # -- conversions ---------------------------------------------------------------------------
    def _tonum(self, when: _dt.datetime) -> float:
        """The scheduled local time as a date number (the data's zone or ``tzdata``)."""
        tz = getattr(self._tzdata, "_tz", None) if self._isdata else self._tzdata
        return date2num(when if tz is None else _localize(tz, when))

    def _fromnum(self, num: float) -> _dt.datetime:
        if self._isdata:
            return self._tzdata.num2date(num)
        return num2date(num, self._tzdata)

    def _next_eos(self, today: _dt.date) -> _dt.datetime:
        """End of the current session: from the data's clock and session end, else midnight."""
        if not self._isdata:
            return _dt.datetime.combine(today, TIME_MAX)
        data = self._tzdata
        while getattr(data, "_clone", False):
            data = data.data
        if not len(data):
            return _NEVER
        now = num2date(data.lines.datetime[0])
        eos = _dt.datetime.combine(now.date(), data.p.sessionend)
        tz = getattr(data, "_tz", None)
        eos = num2date(date2num(eos if tz is None else _localize(tz, eos)))
        while now > eos:
            eos += _dt.timedelta(days=1)
        return eos

    def _day_allowed(self, day: _dt.date) -> bool:
        if not self._months.admit(day.month, day.day):
            return False
        _, week, weekday = day.isocalendar()
        if not self._weeks.admit(week, weekday):
            return False
        return self.p.allow is None or bool(self.p.allow(day))

    # -- per bar ---------------------------------------------------------------------------------
    def check(self, dt: float) -> bool:
        """True when the bar at ``dt`` reaches the next scheduled time (then ``lastwhen``)."""
        now = num2date(dt)
        today = now.date()
        if self._done == today:
            return False
        if now > self._eos:
            self._eos = self._next_eos(today)
            self._rearm()
        if today > self._curdate:
            self._curdate = today
            if not self._day_allowed(today):
                self._rearm(today)
                return False
        if self._whennum is None:
            when = _dt.datetime.combine(today, self._basewhen)
            if self.p.offset:
                when += self.p.offset
            self._when, self._whennum = when, self._tonum(when)
        if dt < self._whennum:
            return False
        when = self.lastwhen = self._when
        if not self.p.repeat:
            self._rearm(today)
            return True
        while True:
            when += self.p.repeat
            if when > self._eos:
                self._rearm(today)
                break
            if when > now:
                self._whennum = date2num(when)
                self._when = self._fromnum(self._whennum)
                break
        return True
