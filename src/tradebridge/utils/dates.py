"""Date numbers as backtrader keeps them: float days since 0001-01-01 (day 1), UTC.

Every line ``datetime`` holds these floats, so two feeds and the broker can compare time
with plain float comparisons. The same arithmetic runs scalar and vectorised so that a
bar loaded either way carries bit-identical numbers.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

__all__ = [
    "UTC",
    "TIME_MAX",
    "TIME_MIN",
    "as_utc",
    "date2num",
    "datetime64_to_num",
    "num2date",
    "num2dt",
    "num2time",
    "time2num",
]

UTC = _dt.UTC
TIME_MAX = _dt.time(23, 59, 59, 999990)
TIME_MIN = _dt.time.min
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()


def as_utc(when: _dt.date | _dt.datetime) -> _dt.datetime:
    """An aware UTC datetime: naive values are taken as UTC, a date as its midnight."""
    if not isinstance(when, _dt.datetime):
        when = _dt.datetime(when.year, when.month, when.day)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _dayfrac(hour, minute, second, micro):
    """Fraction of a day; the same expression for scalars and numpy arrays."""
    return hour / 24.0 + minute / 1440.0 + second / 86400.0 + micro / 86400e6


def date2num(dt: _dt.date | _dt.datetime) -> float:
    """Convert a date or datetime (aware ones are taken to UTC) to a date number."""
    if isinstance(dt, _dt.datetime):
        if dt.tzinfo is not None:
            off = dt.utcoffset()
            if off is not None:
                dt = (dt - off).replace(tzinfo=None)
        return float(dt.toordinal()) + _dayfrac(dt.hour, dt.minute, dt.second, dt.microsecond)
    return float(dt.toordinal())


def time2num(tm: _dt.time) -> float:
    """Convert a time of day to the fraction of a day it represents."""
    return _dayfrac(tm.hour, tm.minute, tm.second, tm.microsecond)


def datetime64_to_num(values: np.ndarray) -> np.ndarray:
    """Vectorised ``date2num`` over naive ``datetime64`` values (bit-identical to it)."""
    # microseconds: the resolution of date numbers, and a range of +-290,000 years
    us = np.asarray(values).astype("datetime64[us]").astype(np.int64)
    days, rem = np.divmod(us, 86_400_000_000)
    hour, rem = np.divmod(rem, 3_600_000_000)
    minute, rem = np.divmod(rem, 60_000_000)
    second, micro = np.divmod(rem, 1_000_000)
    base = (days + _EPOCH_ORDINAL).astype(np.float64)
    return base + _dayfrac(
        hour.astype(np.float64),
        minute.astype(np.float64),
        second.astype(np.float64),
        micro.astype(np.float64),
    )


def num2dt(x: float) -> _dt.datetime:
    """Convert a date number to a naive datetime, rounding to the microsecond."""
    ix = int(x)
    day = _dt.datetime.fromordinal(ix)
    rem = x - ix
    hour, rem = divmod(24.0 * rem, 1)
    minute, rem = divmod(60.0 * rem, 1)
    second, rem = divmod(60.0 * rem, 1)
    micro = int(1e6 * rem)
    if micro < 10:
        micro = 0
    out = day.replace(hour=int(hour), minute=int(minute), second=int(second), microsecond=micro)
    if micro > 999990:
        out += _dt.timedelta(microseconds=1e6 - micro)
    return out


def num2date(x: float, tz: _dt.tzinfo | None = None, naive: bool = True) -> _dt.datetime:
    """Convert a date number to a datetime; ``tz`` localises it from UTC."""
    out = num2dt(x)
    if tz is None:
        return out
    local = out.replace(tzinfo=UTC).astimezone(tz)
    return local.replace(tzinfo=None) if naive else local


def num2time(x: float, tz: _dt.tzinfo | None = None, naive: bool = True) -> _dt.time:
    """The time-of-day part of a date number."""
    return num2date(x, tz, naive).time()
