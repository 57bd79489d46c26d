"""Visual Chart market data <-> tradebridge: timeframes, symbol codes, OLE dates and time zones.

Visual Chart stamps bars and ticks with OLE automation dates (float days since 1899-12-30) in
its own clock; a symbol's ``TimeOffset`` (seconds) takes that clock to the market's local time,
and the market's time zone (from the 3-digit market code that starts every symbol) takes it to
UTC. Bars are stamped ``HH:MM:59.999``; with ``millisecond`` the missing millisecond is added
back so a bar ends on the minute (a stamp already on a whole second is kept). Global indices
(market ``096``) arrive one hour west of the time zone they are listed in, as backtrader measured.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from tradebridge.utils.timeframe import TimeFrame

from .seam import VCError

__all__ = [
    "BACKFILL",
    "EXTRA_HOUR_MARKETS",
    "MARKET_TIMEZONES",
    "OLE_EPOCH",
    "SYMBOL_TIMEZONES",
    "TIMEFRAMES",
    "DataSpec",
    "VCDataError",
    "data_spec",
    "market_timezone",
    "normalize_code",
    "ole_from_datetime",
    "ole_to_datetime",
    "vc_time_to_utc",
]

OLE_EPOCH = _dt.datetime(1899, 12, 30)
_OLE_MIN, _OLE_MAX = -657434.0, 2958465.99999999  # 0100-01-01 .. 9999-12-31 (OLE's own range)
_MILLISECOND = _dt.timedelta(milliseconds=1)
_UTC = _dt.UTC

# tradebridge timeframe -> (Visual Chart compression type, compression multiplier); seconds and
# below come as ticks and are resampled by tradebridge.
TIMEFRAMES: Mapping[int, tuple[str, int]] = {
    TimeFrame.Ticks: ("CT_Ticks", 1),
    TimeFrame.MicroSeconds: ("CT_Ticks", 1),
    TimeFrame.Seconds: ("CT_Ticks", 1),
    TimeFrame.Minutes: ("CT_Minutes", 1),
    TimeFrame.Days: ("CT_Days", 1),
    TimeFrame.Weeks: ("CT_Weeks", 1),
    TimeFrame.Months: ("CT_Months", 1),
    TimeFrame.Years: ("CT_Months", 12),
}
# How much history a live data asks for when it has no fromdate.
BACKFILL: Mapping[int, _dt.timedelta] = {
    TimeFrame.Ticks: _dt.timedelta(days=1),
    TimeFrame.MicroSeconds: _dt.timedelta(days=1),
    TimeFrame.Seconds: _dt.timedelta(days=1),
    TimeFrame.Minutes: _dt.timedelta(days=2),
    TimeFrame.Days: _dt.timedelta(days=365),
    TimeFrame.Weeks: _dt.timedelta(days=2 * 365),
    TimeFrame.Months: _dt.timedelta(days=5 * 365),
    TimeFrame.Years: _dt.timedelta(days=20 * 365),
}

_ZONE_MARKETS: Mapping[str, str] = {
    "Europe/London": "011 024 027 036 049 092 114 033 034 035 043 054 096 300",
    "Europe/Berlin": ("005 006 008 012 013 014 015 017 019 025 029 030 037 038 052 053 060 061 072 "
                      "073 074 075 080 093 094 097 111 112 113"),
    "Asia/Tokyo": "031",
    "Australia/Melbourne": "032",
    "America/Argentina/Buenos_Aires": "044",
    "America/Sao_Paulo": "045",
    "America/Mexico_City": "046",
    "America/Santiago": "047",
    "America/New_York": "003 004 009 010 028 040 041 055 090 095 099",
    "America/Chicago": "001 002 020 021 022 023 056",
}
# Visual Chart market code -> IANA time zone of that market
MARKET_TIMEZONES: Mapping[str, str] = {
    code: zone for zone, codes in _ZONE_MARKETS.items() for code in codes.split()
}
# Global indices shown in the time zone of their own exchange
SYMBOL_TIMEZONES: Mapping[str, str] = {
    "096.FTSE": "Europe/London", "096.FTEU3": "Europe/London", "096.MIB30": "Europe/Berlin",
    "096.SSMI": "Europe/Berlin", "096.HSI": "Asia/Hong_Kong", "096.BVSP": "America/Sao_Paulo",
    "096.MERVAL": "America/Argentina/Buenos_Aires", "096.DJI": "America/New_York",
    "096.IXIC": "America/New_York", "096.NDX": "America/New_York",
}
EXTRA_HOUR_MARKETS = frozenset({"096"})


class VCDataError(VCError, ValueError):
    """A data parameter or a time value Visual Chart cannot use; names the field."""


def ole_to_datetime(days: float) -> _dt.datetime:
    """A naive datetime from an OLE automation date, rounded to the millisecond (Visual Chart's
    resolution; a double carries about a microsecond of noise at today's dates)."""
    if not isinstance(days, (int, float)) or not math.isfinite(days) or not _OLE_MIN <= days <= _OLE_MAX:
        raise VCDataError(f"Date {days!r} is not an OLE automation date")
    return OLE_EPOCH + _dt.timedelta(milliseconds=round(days * 86_400_000))


def ole_from_datetime(value: _dt.datetime) -> float:
    """The OLE automation date of a naive datetime."""
    return (value - OLE_EPOCH) / _dt.timedelta(days=1)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def market_timezone(symbol: str, usetimezones: bool = True) -> str | None:
    """The IANA time zone of a Visual Chart symbol's market (None when unknown or disabled)."""
    if not usetimezones:
        return None
    return MARKET_TIMEZONES.get(symbol[:3])


def vc_time_to_utc(days: float, *, time_offset: float = 0.0, market: str = "", tz: str | None = None,
                   bar: bool = False, millisecond: bool = True) -> _dt.datetime:
    """A Visual Chart time stamp as an aware UTC datetime.

    ``time_offset`` is the symbol's ``TimeOffset`` (seconds), ``tz`` the market's time zone (None:
    the market time is taken as UTC), ``bar`` whether it stamps a bar (then ``millisecond`` adds
    the missing millisecond to a stamp one millisecond short of a whole second).
    """
    local = ole_to_datetime(days) - _dt.timedelta(seconds=time_offset)
    if bar and millisecond and local.microsecond == 999_000:
        local += _MILLISECOND
    if market in EXTRA_HOUR_MARKETS:
        local += _dt.timedelta(hours=1)
    if tz is None:
        return local.replace(tzinfo=_UTC)
    return local.replace(tzinfo=_zone(tz)).astimezone(_UTC)


def normalize_code(code: str, field: str = "dataname") -> str:
    """A symbol code as Visual Chart wants it: stripped, a space pasted after the market code removed."""
    if not isinstance(code, str):
        raise VCDataError(f"{field} must be a string, got {code!r}")
    code = code.strip()
    if len(code) > 3 and code[3].isspace():
        code = code[:3] + code[3:].lstrip()
    if len(code) < 4 or not code[:3].isdigit():
        raise VCDataError(f"{field} {code!r} must be Visual Chart's 3-digit market code and a symbol "
                          "(e.g. '001ES')")
    return code


@dataclass(frozen=True, slots=True)
class DataSpec:
    """What a VCData asks Visual Chart for: serie symbol, traded symbol, compression, time zone."""

    symbol: str  # "010" + dataname: the code the data source and real-time objects take
    tradename: str  # the code orders and positions use (a real future for a continuous one)
    market: str
    ct: str
    compression: int
    ticking: bool
    backfill: _dt.timedelta
    timezone: str | None  # the market's: Visual Chart's market time -> UTC
    display_timezone: str | None  # the data's default output time zone (global indices: their exchange's)


def data_spec(dataname: str, tradename: str | None = None, timeframe: int = TimeFrame.Days,
              compression: int = 1, usetimezones: bool = True) -> DataSpec:
    """The request for a data feed's parameters (``dataname`` as backtrader's VCData takes it)."""
    code = normalize_code(dataname)
    if timeframe not in TIMEFRAMES:
        names = ", ".join(TimeFrame.Names[t] for t in TIMEFRAMES)
        raise VCDataError(f"timeframe {timeframe!r} is not one Visual Chart serves ({names})")
    if not isinstance(compression, int) or isinstance(compression, bool) or compression < 1:
        raise VCDataError(f"compression must be a positive integer, got {compression!r}")
    ct, mult = TIMEFRAMES[timeframe]
    symbol = "010" + code
    trade = normalize_code(tradename, "tradename") if tradename else symbol
    tz = market_timezone(code, usetimezones)
    display = (SYMBOL_TIMEZONES.get(code) or tz) if usetimezones else None
    return DataSpec(symbol, trade, code[:3], ct, compression * mult, ct == "CT_Ticks", BACKFILL[timeframe],
                    tz, display)
