"""TimeFrameAnalyzerBase: analyzers that act once per period (day, week, month, ...).

A period ends when the strategy's datetime moves into the next period key; then
``on_dt_over`` runs before ``next``. ``dtkey`` names the current period (its last day, or
the end of the sub-day slot), as backtrader reports it.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import sys
from typing import Any

from ..lines.buffer import LineBuffer
from ..lines.series import LineSeries
from ..utils.dates import date2num
from ..utils.timeframe import TimeFrame
from .base import Analyzer

__all__ = ["TimeFrameAnalyzerBase", "next_period_start", "period_key"]

# Date numbers this close below the next period's start still take the exact (slow) check.
_EDGE = 1e-8


def period_key(dt: _dt.datetime, timeframe: int, compression: int) -> tuple[Any, Any]:
    """(comparable, key) of the period holding ``dt``; (None, None) for NoTimeFrame."""
    if timeframe == TimeFrame.NoTimeFrame:
        return None, None
    if timeframe == TimeFrame.Years:
        return dt.year, _dt.date(dt.year, 12, 31)
    if timeframe == TimeFrame.Months:
        lastday = calendar.monthrange(dt.year, dt.month)[1]
        return dt.year * 100 + dt.month, _dt.datetime(dt.year, dt.month, lastday)
    if timeframe == TimeFrame.Weeks:
        isoyear, isoweek, isoweekday = dt.isocalendar()
        sunday = dt + _dt.timedelta(days=7 - isoweekday)
        return isoyear * 100 + isoweek, _dt.datetime(sunday.year, sunday.month, sunday.day)
    if timeframe == TimeFrame.Days:
        return dt.year * 10000 + dt.month * 100 + dt.day, _dt.datetime(dt.year, dt.month, dt.day)
    key = _subday_end(dt, timeframe, compression)
    return key, key


_ONE = {TimeFrame.Seconds: _dt.timedelta(seconds=1), TimeFrame.MicroSeconds: _dt.timedelta(microseconds=1)}
_MINUTE = _dt.timedelta(minutes=1)


def _subday_end(dt: _dt.datetime, timeframe: int, compression: int) -> _dt.datetime:
    """Last instant (one unit before the slot boundary) of the ``compression``-wide slot;
    slots are counted from midnight in minutes, seconds or microseconds."""
    unit = _ONE.get(timeframe, _MINUTE)
    midnight = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    units = (dt - midnight) // unit
    end = (units // compression + 1) * compression
    return midnight + end * unit - unit


def next_period_start(dtkey: Any, timeframe: int, dtnum: float) -> float:
    """Date number (UTC, naive) at which the period named ``dtkey``, seen at ``dtnum``, is over
    (sub-day slots also end at midnight, where backtrader restarts counting them)."""
    if timeframe == TimeFrame.Years:
        return float(_dt.date(dtkey.year + 1, 1, 1).toordinal())
    if timeframe in (TimeFrame.Months, TimeFrame.Weeks, TimeFrame.Days):
        return float(dtkey.toordinal() + 1)
    return min(date2num(dtkey + _ONE.get(timeframe, _MINUTE)), math.floor(dtnum) + 1.0)


class TimeFrameAnalyzerBase(Analyzer):
    """Analyzer with a ``timeframe``/``compression`` (defaults: those of its data)."""

    params = (("timeframe", None), ("compression", None), ("_doprenext", True))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        legacy = cls.__dict__.get("_on_dt_over")
        if legacy is not None and "on_dt_over" not in cls.__dict__:
            cls.on_dt_over = legacy  # type: ignore[method-assign]

    def _start(self) -> None:
        self.timeframe = self.p.timeframe or self.data._timeframe
        self.compression = self.p.compression or self.data._compression
        self.dtcmp, self.dtkey = self._get_dt_cmpkey(_dt.datetime.min)
        self.dtcmp1 = self.dtkey1 = None
        dtline = self.strategy.datetime
        # fast path: skip the datetime conversion while the bar is inside the current period
        self._fast = (self.timeframe != TimeFrame.NoTimeFrame and dtline._tzinfo() is None
                      and type(self)._get_dt_cmpkey is TimeFrameAnalyzerBase._get_dt_cmpkey)
        self._dtline = dtline
        self._nextnum = -math.inf
        super()._start()

    def _prenext(self) -> None:
        for child in self._children:
            child._prenext()
        if self._dt_over():
            self.on_dt_over()
        if self.p._doprenext:
            self.prenext()

    def _nextstart(self) -> None:
        for child in self._children:
            child._nextstart()
        if self._dt_over() or not self.p._doprenext:
            self.on_dt_over()
        self.nextstart()

    def _next(self) -> None:
        for child in self._children:
            child._next()
        if self._dt_over():
            self.on_dt_over()
        self.next()

    def _detach(self) -> None:
        """Also drop the strategy's datetime line and any data given as a param (pickling)."""
        self._dtline = None
        for name in self.p._getkeys():
            if isinstance(getattr(self.p, name), (LineSeries, LineBuffer)):
                setattr(self.p, name, None)
        super()._detach()

    def on_dt_over(self) -> None:
        """Called when a new period begins (before ``next``)."""

    def _dt_over(self) -> bool:
        """True when the strategy's current datetime starts a new period."""
        dtnum = self._dtline[0]
        if self._fast and dtnum < self._nextnum - _EDGE:
            return False
        if self.timeframe == TimeFrame.NoTimeFrame:
            dtcmp, dtkey = sys.maxsize, _dt.datetime.max
        elif self._fast and self.timeframe == TimeFrame.Days and dtnum % 1.0 < 1.0 - _EDGE:
            day = _dt.datetime.fromordinal(int(dtnum))
            dtcmp, dtkey = day.year * 10000 + day.month * 100 + day.day, day
        else:
            dtcmp, dtkey = self._get_dt_cmpkey(self._dtline.datetime())
        if self.dtcmp is None or dtcmp > self.dtcmp:
            self.dtkey, self.dtkey1 = dtkey, self.dtkey
            self.dtcmp, self.dtcmp1 = dtcmp, self.dtcmp
            if self._fast:
                self._nextnum = next_period_start(dtkey, self.timeframe, dtnum)
            return True
        return False

    def _get_dt_cmpkey(self, dt: _dt.datetime) -> tuple[Any, Any]:
        return period_key(dt, self.timeframe, self.compression)
