"""Timers (``add_timer``): call ``notify_timer`` at a time of day, optionally repeating,
on chosen weekdays or days of the month, as backtrader's Timer does.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..lines.params import ParamsMixin
from ..utils.dates import num2date

__all__ = ["SESSION_END", "SESSION_START", "SESSION_TIME", "Timer"]

SESSION_TIME, SESSION_START, SESSION_END = range(3)


class Timer(ParamsMixin):
    """One timer; ``check(dt)`` says whether it fires on the bar at date number ``dt``."""

    SESSION_TIME, SESSION_START, SESSION_END = SESSION_TIME, SESSION_START, SESSION_END
    params = (
        ("tid", None), ("owner", None), ("strats", False), ("when", None),
        ("offset", _dt.timedelta()), ("repeat", _dt.timedelta()), ("weekdays", []),
        ("weekcarry", False), ("monthdays", []), ("monthcarry", True), ("allow", None),
        ("tzdata", None), ("cheat", False),
    )
    _count = 0

    def __init__(self, owner: Any, when: Any, *args: Any, **kwargs: Any) -> None:
        kwargs = self._take_params(dict(kwargs, owner=owner, when=when))
        self.owner = owner
        self.args = args
        self.kwargs = kwargs
        Timer._count += 1
        if self.p.tid is None:
            self.p.tid = Timer._count
        self.lastwhen: _dt.datetime | None = None

    def start(self, data: Any) -> None:
        """Bind to the data whose clock and session the timer follows."""
        self._data = self.p.tzdata if self.p.tzdata is not None else data
        self._curdate: _dt.date | None = None
        self._targets: list[_dt.datetime] = []
        self._carry_week = False
        self._carry_month = False
        self._lastmonth: int | None = None
        self._lastweek: tuple[int, int] | None = None

    def _when_time(self) -> _dt.time:
        when = self.p.when
        if isinstance(when, _dt.time):
            return when
        if when == SESSION_START:
            return self._data.p.sessionstart or _dt.time.min
        if when == SESSION_END:
            return self._data.p.sessionend or _dt.time(23, 59, 59, 999990)
        if isinstance(when, _dt.datetime):
            return when.time()
        raise ValueError(f"Timer: 'when' must be a time or SESSION_START/END, got {when!r}")

    def _day_allowed(self, d: _dt.date) -> bool:
        ok = True
        if self.p.weekdays:
            wk = d.isocalendar()[:2]
            if d.isoweekday() in self.p.weekdays:
                self._carry_week = False
            elif self.p.weekcarry and self._carry_week is False and self._lastweek != wk:
                self._carry_week = True
                ok = False
            else:
                ok = self.p.weekcarry and self._carry_week and any(
                    w < d.isoweekday() for w in self.p.weekdays)
                if ok:
                    self._carry_week = False
            self._lastweek = wk
        if ok and self.p.monthdays:
            if d.day in self.p.monthdays:
                self._carry_month = False
            elif self.p.monthcarry and any(m < d.day for m in self.p.monthdays) and (
                    self._lastmonth != d.month):
                ok = True
            else:
                ok = False
            if ok:
                self._lastmonth = d.month
        if ok and self.p.allow is not None:
            ok = bool(self.p.allow(d))
        return ok

    def _schedule(self, d: _dt.date) -> None:
        self._curdate = d
        self._targets = []
        if not self._day_allowed(d):
            return
        first = _dt.datetime.combine(d, self._when_time()) + self.p.offset
        self._targets.append(first)
        if self.p.repeat:
            end = _dt.datetime.combine(d, self._data.p.sessionend or _dt.time.max)
            nxt = first + self.p.repeat
            while nxt <= end:
                self._targets.append(nxt)
                nxt += self.p.repeat

    def check(self, dt: float) -> bool:
        """True (once per target time) when the bar at ``dt`` is at or past a target."""
        now = num2date(dt, getattr(self._data, "_tz", None))
        if now.date() != self._curdate:
            self._schedule(now.date())
        fired = False
        while self._targets and now >= self._targets[0]:
            self.lastwhen = self._targets.pop(0)
            fired = True
        return fired
