"""Time helpers shared by the resampling filters: end of session and points of time."""

from __future__ import annotations

import datetime as _dt
from typing import Any, NamedTuple

from ..utils.dates import TIME_MAX, date2num, num2date
from ..utils.timeframe import TimeFrame

__all__ = ["Moment", "forced_moment", "moment_of", "next_eos", "source_of", "time_point"]


class Moment(NamedTuple):
    """A point in time as a date number (UTC-like) and as the feed's local datetime."""

    num: float
    local: _dt.datetime


def source_of(data: Any) -> Any:
    """The feed whose settings count (a clone answers for its source)."""
    if not getattr(data, "_clone", False):
        return data
    return getattr(data, "_src", None) or data.p.dataname


def next_eos(data: Any) -> tuple[_dt.datetime, float]:
    """The end of the session holding the feed's current bar: (datetime, date number)."""
    if len(data) == 0:
        return _dt.datetime.min, 0.0
    src = source_of(data)
    sessionend = src.p.sessionend or TIME_MAX
    dtime = num2date(data.lines.datetime[0])
    eos = num2date(src.date2num(_dt.datetime.combine(dtime.date(), sessionend)))
    while dtime > eos:
        eos += _dt.timedelta(days=1)
    return eos, date2num(eos)


def moment_of(data: Any) -> Moment:
    """The feed's current bar time."""
    dtl = data.lines.datetime
    return Moment(dtl[0], dtl.datetime())


def forced_moment(data: Any, forcedata: Any) -> Moment:
    """The time a check runs at: the master feed's bar, or the wall clock when live."""
    if forcedata is not None:
        return moment_of(forcedata)
    offset = getattr(data, "_timeoffset", None)
    now = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    if offset is not None:
        now += offset()
    num = date2num(now)
    return Moment(num, data.num2date(num))


def time_point(tm: _dt.time, timeframe: int, boundoff: int) -> tuple[float, float]:
    """Position of ``tm`` within the day in units of ``timeframe``, and the leftover below it.

    Minutes count hh*60+mm (leftover: seconds and microseconds); seconds add ss; micro- and
    sub-seconds count microseconds. ``boundoff`` shifts the boundaries.
    """
    point: float = tm.hour * 60 + tm.minute
    if timeframe < TimeFrame.Minutes:
        point = point * 60 + tm.second
        if timeframe < TimeFrame.Seconds:
            point = point * 1e6 + tm.microsecond
            rest: float = 0
        else:
            rest = tm.microsecond
    else:
        rest = tm.second + tm.microsecond
    return point + boundoff, rest
