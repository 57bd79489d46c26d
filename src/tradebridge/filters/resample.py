"""Resampler and Replayer: turn small bars into larger ones (backtrader's ``bt.filters``).

A resampler swallows each incoming bar into a :class:`PartialBar` and, when the larger bar
is complete, pushes it onto the feed's stack so the feed delivers it. A replayer instead
rewrites the feed's current bar in place on every incoming bar, so a strategy sees the
larger bar grow tick by tick and its length change only when a new one starts.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..lines.params import ParamsInitMixin
from ..utils.dates import num2date
from ..utils.timeframe import TimeFrame
from ._clock import Moment, forced_moment, moment_of, next_eos, source_of, time_point
from .bar import PartialBar

__all__ = [
    "Replayer", "ReplayerDaily", "ReplayerMinutes", "ReplayerMonthly", "ReplayerSeconds",
    "ReplayerTicks", "ReplayerWeekly", "Resampler", "ResamplerDaily", "ResamplerMinutes",
    "ResamplerMonthly", "ResamplerSeconds", "ResamplerTicks", "ResamplerWeekly",
    "ResamplerYearly",
]

_LATE_NUDGE = 0.000001  # a late bar is dated just after the last one delivered


class _BarBuilder(ParamsInitMixin):
    """What resampling and replaying share: when a larger bar is over, and its time."""

    params = (
        ("bar2edge", True), ("adjbartime", True), ("rightedge", True), ("boundoff", 0),
        ("timeframe", TimeFrame.Days), ("compression", 1), ("takelate", True),
        ("sessionend", True),
    )
    replaying = False

    def __init__(self, data: Any) -> None:
        if getattr(data.p, "calendar", None) is not None:
            raise NotImplementedError(f"{type(self).__name__}: trading calendars are not supported")
        tf, comp = self.p.timeframe, self.p.compression
        self.subdays = TimeFrame.Ticks < tf < TimeFrame.Days
        self.subweeks = tf < TimeFrame.Weeks
        # same larger-than-intraday timeframe, only more bars per bar: just count them
        src = source_of(data)
        self.componly = (not self.subdays and src._timeframe == tf
                         and not comp % src._compression)
        self.bar = PartialBar()
        self.compcount = 0
        self._firstbar = True
        self.doadjusttime = bool(self.p.bar2edge and self.p.adjbartime and self.subweeks)
        self._nexteos: _dt.datetime | None = None
        self._nextdteos = -float("inf")
        self._lastdteos = 0.0
        data.resampling = 1
        data.replaying = self.replaying
        data._timeframe = tf
        data._compression = comp
        self.data = data

    # -- is the bar over? ------------------------------------------------------------------
    def _latedata(self, data: Any) -> bool:
        """An intraday bar dated at or before the previous one."""
        if not self.subdays or len(data) < 2:
            return False
        dtl = data.lines.datetime
        return dtl[0] <= dtl[-1]

    def _checkbarover(self, data: Any, fromcheck: bool = False, forcedata: Any = None) -> bool:
        """True when the bar being built must be delivered before ``data``'s bar joins it."""
        if not self.componly:
            when = forced_moment(data, forcedata) if fromcheck else moment_of(data)
            if not self._barover(when):
                return False
        if self.subdays and self.p.bar2edge:
            return True
        if fromcheck:
            return False
        self.compcount += 1
        return not self.compcount % self.p.compression

    def _barover(self, when: Moment) -> bool:
        tf = self.p.timeframe
        if tf == TimeFrame.Ticks:
            return self.bar.isopen()
        if tf < TimeFrame.Days:
            return self._barover_subdays(when)
        if tf == TimeFrame.Days:
            return self._eoscheck(when.num)
        return _PERIOD_KEY[tf](when.local) > _PERIOD_KEY[tf](self.data.num2date(self.bar.datetime))

    def _barover_subdays(self, when: Moment) -> bool:
        if self._eoscheck(when.num):
            return True
        if when.num < self.bar.datetime:
            return False
        point = self._point(num2date(self.bar.datetime).time())
        barpoint = self._point(num2date(when.num).time())
        if barpoint <= point:
            return False
        comp = self.p.compression
        if not self.p.bar2edge or comp == 1:
            return True
        return barpoint // comp > point // comp

    def _point(self, tm: _dt.time) -> float:
        return time_point(tm, self.p.timeframe, self.p.boundoff)[0]

    # -- end of session ------------------------------------------------------------------------
    def _eoscheck(self, dtnum: float, exact: bool = False) -> bool:
        """Has time reached (or, for an open bar, passed) the end of the session?"""
        if self._nexteos is None:
            self._nexteos, self._nextdteos = next_eos(self.data)
        if dtnum == self._nextdteos:
            ret = True
        elif exact or dtnum < self._nextdteos:
            ret = False
        else:
            ret = self.bar.isopen() and self.bar.datetime <= self._nextdteos
        if ret:
            self._lastdteos = self._nextdteos
            self._nexteos = None
            self._nextdteos = -float("inf")
        return ret

    def _dataonedge(self, data: Any) -> tuple[bool, bool]:
        """(the incoming bar closes the larger one exactly, whether to check bar-over later)."""
        if not self.subweeks:
            return False, True
        if self._eoscheck(data.lines.datetime[0], exact=True):
            return True, True
        if self.subdays:
            point, rest = time_point(data.lines.datetime.time(), self.p.timeframe,
                                     self.p.boundoff)
            if rest:
                return False, True
            return point % self.p.compression == 0, True
        return False, True

    # -- time of the delivered bar -------------------------------------------------------------
    def _calcadjtime(self) -> float:
        """The boundary time (right or left edge) of the bar being built."""
        if self._nexteos is None:
            return self._lastdteos
        dt = self.data.num2date(self.bar.datetime)
        comp = self.p.compression
        point = (self._point(dt.time()) // comp + self.p.rightedge) * comp
        tf = self.p.timeframe
        if tf == TimeFrame.Days:
            eos = self._nexteos.time()
            hms: tuple[float, float, float, float] = (eos.hour, eos.minute, eos.second,
                                                      eos.microsecond)
        else:
            hms = _split_point(point, tf)
        days, hour = divmod(hms[0], 24)
        dt = dt.replace(hour=int(hour), minute=int(hms[1]), second=int(hms[2]),
                        microsecond=int(hms[3]))
        if days:
            dt += _dt.timedelta(days=int(days))
        return self.data.date2num(dt)

    def _adjusttime(self, greater: bool = False) -> bool:
        """Move the bar's time to its boundary; with ``greater`` only if that is later."""
        dtnum = self._calcadjtime()
        if greater and dtnum <= self.bar.datetime:
            return False
        self.bar.datetime = dtnum
        return True

    def check(self, data: Any, _forcedata: Any = None) -> Any:
        """Deliver a finished bar although no new data came (time moved on elsewhere)."""
        if not self.bar.isopen():
            return None
        return self(data, fromcheck=True, forcedata=_forcedata)

    def __call__(self, data: Any, fromcheck: bool = False, forcedata: Any = None) -> bool:
        raise NotImplementedError


def _split_point(point: float, tf: int) -> tuple[float, float, float, float]:
    """A time point in ``tf`` units back to (hour, minute, second, microsecond)."""
    if tf == TimeFrame.Minutes:
        return (*divmod(point, 60), 0, 0)
    if tf == TimeFrame.Seconds:
        hour, rest = divmod(point, 3600)
        return (hour, *divmod(rest, 60), 0)
    hour, rest = divmod(point, 3600e6)
    minute, rest = divmod(rest, 60e6)
    return (hour, minute, *divmod(rest, 1e6))


def _yearweek(d: _dt.datetime) -> int:
    year, week, _ = d.date().isocalendar()
    return year * 100 + week


_PERIOD_KEY = {
    TimeFrame.Weeks: _yearweek,
    TimeFrame.Months: lambda d: d.year * 100 + d.month,
    TimeFrame.Years: lambda d: d.year,
}


class Resampler(_BarBuilder):
    """Deliver one bar per ``compression`` units of ``timeframe`` built from smaller bars."""

    replaying = False

    def last(self, data: Any) -> bool:
        """At the end of the data: deliver the bar still being built."""
        if not self.bar.isopen():
            return False
        if self.doadjusttime:
            self._adjusttime()
        data._add2stack(self.bar.values())
        self.bar.reset()
        return True

    def __call__(self, data: Any, fromcheck: bool = False, forcedata: Any = None) -> bool:
        """Take the feed's new bar (always removed from the feed); maybe deliver one."""
        onedge, docheckover, consumed = False, True, False
        if not fromcheck:
            if self._latedata(data):
                if self.p.takelate:
                    self.bar.update(data)
                    self.bar.datetime = data.lines.datetime[-1] + _LATE_NUDGE
                data.backwards()
                return True
            if self.componly:
                self._lastdteos = next_eos(data)[1]
                consumed = True
            else:
                onedge, docheckover = self._dataonedge(data)
                consumed = onedge
        if consumed:
            self.bar.update(data)
            data.backwards()
        over = self.bar.isopen()
        if over and not onedge and docheckover:
            over = self._checkbarover(data, fromcheck=fromcheck, forcedata=forcedata)
        if over and self._may_deliver(forcedata):
            if not onedge and self.doadjusttime:
                self._adjusttime(greater=True)
            data._add2stack(self.bar.values())
            self.bar.reset()
        if not fromcheck and not consumed:
            self.bar.update(data)
            data.backwards()
        return True

    def _may_deliver(self, forcedata: Any) -> bool:
        """Without a master feed always; with one, only once its time reached the boundary."""
        if forcedata is None:
            return True
        tf = self.p.timeframe
        if tf == TimeFrame.Ticks:
            return True
        if tf in (TimeFrame.Minutes, TimeFrame.Days):
            return self._calcadjtime() <= forcedata.lines.datetime[0]
        return False


class Replayer(_BarBuilder):
    """Rebuild the larger bar in place on each smaller one (backtrader's replay)."""

    params = (("adjbartime", False),)
    replaying = True

    def __call__(self, data: Any, fromcheck: bool = False, forcedata: Any = None) -> bool:
        """Merge the feed's new bar into the current larger one; never removes a bar."""
        consumed = onedge = takinglate = False
        docheckover = True
        if not fromcheck:
            if self._latedata(data):
                if not self.p.takelate:
                    data.backwards(force=True)
                    return True
                consumed = takinglate = True
            elif self.componly:
                consumed = True
            else:
                onedge, docheckover = self._dataonedge(data)
                consumed = onedge
            data._tick_fill(force=True)
        if consumed:
            self.bar.update(data)
            if takinglate:
                self.bar.datetime = data.lines.datetime[-1] + _LATE_NUDGE
        over = onedge or (docheckover and self._checkbarover(data, fromcheck=fromcheck))
        if over:
            if not onedge and self.doadjusttime:
                self._close_adjusted(data, consumed, fromcheck)
            elif not fromcheck:
                self._close_plain(data, consumed)
        elif not fromcheck:
            if not consumed:
                self.bar.update(data)
            self._write_current(data)
            self._firstbar = False
        return False

    def _write_current(self, data: Any) -> None:
        """Show the bar built so far as the feed's current bar."""
        if not self._firstbar:
            data.backwards(force=True)
        data._updatebar(self.bar.values(), forward=False, ago=0)

    def _restart(self) -> None:
        self.bar.reset()
        self._firstbar = True

    def _close_plain(self, data: Any, consumed: bool) -> None:
        if not consumed:
            self.bar.update(data, reopen=True)  # the new bar opens with this one
            return
        self._write_current(data)
        self._restart()

    def _close_adjusted(self, data: Any, consumed: bool, fromcheck: bool) -> None:
        """Close the bar with its boundary time, shown as one extra tick."""
        adjusted = self._adjusttime(greater=True)
        if adjusted:
            data._updatebar(self.bar.values(), forward=False, ago=0 if consumed or fromcheck else -1)
        if fromcheck:
            self._restart()
            if adjusted:
                data._save2stack(erase=True, force=True)
        elif not consumed:
            self.bar.update(data, reopen=True)
            data._save2stack(erase=True, force=True)
        else:
            self._restart()


def _fixed(base: type, tf: int) -> type:
    """A ``base`` subclass whose timeframe default is ``tf`` (``ResamplerDaily``...)."""
    name = base.__name__ + {TimeFrame.Ticks: "Ticks", TimeFrame.Seconds: "Seconds",
                            TimeFrame.Minutes: "Minutes", TimeFrame.Days: "Daily",
                            TimeFrame.Weeks: "Weekly", TimeFrame.Months: "Monthly",
                            TimeFrame.Years: "Yearly"}[tf]
    return type(name, (base,), {"params": (("timeframe", tf),), "__module__": __name__,
                                "__doc__": f"{base.__name__} to {TimeFrame.getname(tf)}."})


ResamplerTicks = _fixed(Resampler, TimeFrame.Ticks)
ResamplerSeconds = _fixed(Resampler, TimeFrame.Seconds)
ResamplerMinutes = _fixed(Resampler, TimeFrame.Minutes)
ResamplerDaily = _fixed(Resampler, TimeFrame.Days)
ResamplerWeekly = _fixed(Resampler, TimeFrame.Weeks)
ResamplerMonthly = _fixed(Resampler, TimeFrame.Months)
ResamplerYearly = _fixed(Resampler, TimeFrame.Years)
ReplayerTicks = _fixed(Replayer, TimeFrame.Ticks)
ReplayerSeconds = _fixed(Replayer, TimeFrame.Seconds)
ReplayerMinutes = _fixed(Replayer, TimeFrame.Minutes)
ReplayerDaily = _fixed(Replayer, TimeFrame.Days)
ReplayerWeekly = _fixed(Replayer, TimeFrame.Weeks)
ReplayerMonthly = _fixed(Replayer, TimeFrame.Months)
