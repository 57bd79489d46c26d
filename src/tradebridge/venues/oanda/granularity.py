"""backtrader timeframe/compression <-> OANDA v20 candle granularity, exactly, and candle paging.

v20 offers S5 S10 S15 S30, M1 M2 M4 M5 M10 M15 M30, H1 H2 H3 H4 H6 H8 H12, D, W and M. A bar
size maps to a granularity only when the durations are equal (60 seconds is M1, 120 minutes is
H2); any other size is refused with the finer granularity to resample from. backtrader's own
table (written for the retired v1 API) sends some minute sizes to the wrong granularity:
:data:`BACKTRADER_DIFFERENCES` lists them and docs/compat.md explains.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from tradebridge.utils.timeframe import TimeFrame

__all__ = ["BACKTRADER_DIFFERENCES", "GRANULARITIES", "MAX_CANDLES", "UnsupportedGranularityError",
           "granularity", "pages", "seconds", "timeframe_of"]

MAX_CANDLES = 5000  # v20's limit of candles per request

# granularity -> (timeframe, compression) of the same bar; the one canonical spelling.
GRANULARITIES: dict[str, tuple[int, int]] = {
    "S5": (TimeFrame.Seconds, 5), "S10": (TimeFrame.Seconds, 10), "S15": (TimeFrame.Seconds, 15),
    "S30": (TimeFrame.Seconds, 30),
    "M1": (TimeFrame.Minutes, 1), "M2": (TimeFrame.Minutes, 2), "M4": (TimeFrame.Minutes, 4),
    "M5": (TimeFrame.Minutes, 5), "M10": (TimeFrame.Minutes, 10), "M15": (TimeFrame.Minutes, 15),
    "M30": (TimeFrame.Minutes, 30),
    "H1": (TimeFrame.Minutes, 60), "H2": (TimeFrame.Minutes, 120), "H3": (TimeFrame.Minutes, 180),
    "H4": (TimeFrame.Minutes, 240), "H6": (TimeFrame.Minutes, 360), "H8": (TimeFrame.Minutes, 480),
    "H12": (TimeFrame.Minutes, 720),
    "D": (TimeFrame.Days, 1), "W": (TimeFrame.Weeks, 1), "M": (TimeFrame.Months, 1),
}

# (timeframe, compression) -> (what backtrader 1.9.78 requests, what v20 needs; None: no such candle).
BACKTRADER_DIFFERENCES: dict[tuple[int, int], tuple[str | None, str | None]] = {
    (TimeFrame.Minutes, 2): ("M3", "M2"),
    (TimeFrame.Minutes, 3): ("M3", None),
    (TimeFrame.Minutes, 10): ("M5", "M10"),
    (TimeFrame.Minutes, 15): ("M5", "M15"),
    (TimeFrame.Minutes, 30): ("M5", "M30"),
    (TimeFrame.Minutes, 720): (None, "H12"),
}

_UNIT_SECONDS = {TimeFrame.Seconds: 1, TimeFrame.Minutes: 60}
# Longest real duration of a calendar granularity (for paging: a window never holds more candles).
_CALENDAR_SECONDS = {"D": 86_400, "W": 7 * 86_400, "M": 31 * 86_400}


class UnsupportedGranularityError(ValueError):
    """A bar size OANDA v20 has no candles for; the message says what to use instead."""


def seconds(granularity_name: str) -> int:
    """The length of one candle in seconds (the longest one for D, W and M)."""
    if granularity_name in _CALENDAR_SECONDS:
        return _CALENDAR_SECONDS[granularity_name]
    if granularity_name not in GRANULARITIES:
        raise UnsupportedGranularityError(
            f"{granularity_name!r} is not a v20 granularity (one of {', '.join(GRANULARITIES)})")
    timeframe, compression = GRANULARITIES[granularity_name]
    return _UNIT_SECONDS[timeframe] * compression


_BY_SECONDS = {seconds(g): g for g, (tf, _) in GRANULARITIES.items() if tf in _UNIT_SECONDS}
_BY_CALENDAR = {tfc: g for g, tfc in GRANULARITIES.items() if tfc[0] not in _UNIT_SECONDS}


def granularity(timeframe: int, compression: int = 1) -> str:
    """The v20 granularity of bars of ``compression`` x ``timeframe``; refuses sizes v20 lacks."""
    if isinstance(compression, bool) or not isinstance(compression, int) or compression < 1:
        raise UnsupportedGranularityError(f"compression must be a positive integer, got {compression!r}")
    name = _timeframe_name(timeframe)
    if timeframe in _UNIT_SECONDS:
        length = _UNIT_SECONDS[timeframe] * compression
        if length in _BY_SECONDS:
            return _BY_SECONDS[length]
        finer = [s for s in _BY_SECONDS if length % s == 0]
        hint = (f"; request {_BY_SECONDS[max(finer)]} and resample to {compression} {name} "
                f"(cerebro.resampledata(data, timeframe=TimeFrame.{name}, compression={compression}))"
                if finer else "")
        raise UnsupportedGranularityError(f"OANDA v20 has no {compression} {name} candles{hint}")
    if (timeframe, compression) in _BY_CALENDAR:
        return _BY_CALENDAR[(timeframe, compression)]
    if timeframe in (TimeFrame.Days, TimeFrame.Weeks, TimeFrame.Months):
        base = _BY_CALENDAR[(timeframe, 1)]
        raise UnsupportedGranularityError(
            f"OANDA v20 has no {compression} {name} candles; request {base} and resample to "
            f"{compression} {name}")
    if timeframe == TimeFrame.Ticks:
        raise UnsupportedGranularityError("OANDA v20 has no tick candles; ticks come from the pricing stream")
    raise UnsupportedGranularityError(f"OANDA v20 has no candles for the {name} timeframe")


def _timeframe_name(timeframe: int) -> str:
    if type(timeframe) is not int or not 1 <= timeframe < len(TimeFrame.Names):
        raise UnsupportedGranularityError(f"unknown timeframe {timeframe!r}")
    return TimeFrame.Names[timeframe]


def timeframe_of(granularity_name: str) -> tuple[int, int]:
    """(timeframe, compression) of a v20 granularity (``"H4"`` -> ``(TimeFrame.Minutes, 240)``)."""
    if granularity_name not in GRANULARITIES:
        raise UnsupportedGranularityError(
            f"{granularity_name!r} is not a v20 granularity (one of {', '.join(GRANULARITIES)})")
    return GRANULARITIES[granularity_name]


def pages(start: datetime, end: datetime, granularity_name: str,
          limit: int = MAX_CANDLES) -> Iterator[tuple[datetime, datetime]]:
    """Split [start, end] into consecutive (from, to) windows that each hold at most ``limit`` candles.

    A window spans ``limit - 1`` candle lengths, so it stays within the limit even when both of
    its ends fall on candle starts and the venue counts both; a candle on a shared end may come
    twice (the caller drops repeats by time).
    """
    if not 1 <= limit <= MAX_CANDLES:
        raise ValueError(f"limit must be 1..{MAX_CANDLES}, got {limit}")
    if end <= start:
        return
    step = timedelta(seconds=seconds(granularity_name) * max(limit - 1, 1))
    cursor = start
    while cursor < end:
        stop = min(cursor + step, end)
        yield cursor, stop
        cursor = stop
