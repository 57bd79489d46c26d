"""Replayed prices: the sandbox clock, current quotes, ``ClientPrice`` payloads and candles.

The clock is the completion time of the newest replayed base bar; :meth:`Market.step` moves it
to the next bar. Candles of every granularity S5..M are aggregated from the base bars known at
the clock, with OANDA's rules for ``count``/``from``/``to`` and its 5000-candle limit.
"""

from __future__ import annotations

import contextvars
import datetime as _dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .data import Series

__all__ = ["GRANULARITIES", "CandleError", "Market", "parse_time", "ts"]

MAX_CANDLES = 5000
# granularity -> (kind, n): "s" fixed seconds on the UTC epoch; H/D/W/M aligned to dailyAlignment
GRANULARITIES: dict[str, tuple[str, int]] = {
    "S5": ("s", 5),
    "S10": ("s", 10),
    "S15": ("s", 15),
    "S30": ("s", 30),
    "M1": ("s", 60),
    "M2": ("s", 120),
    "M4": ("s", 240),
    "M5": ("s", 300),
    "M10": ("s", 600),
    "M15": ("s", 900),
    "M30": ("s", 1800),
    "H1": ("s", 3600),
    "H2": ("H", 2),
    "H3": ("H", 3),
    "H4": ("H", 4),
    "H6": ("H", 6),
    "H8": ("H", 8),
    "H12": ("H", 12),
    "D": ("D", 1),
    "W": ("W", 1),
    "M": ("M", 1),
}
_NOMINAL = {"H": 3600, "D": 86400, "W": 7 * 86400, "M": 31 * 86400}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# "RFC3339" or "UNIX": the request's Accept-Datetime-Format, read by ts()
TIME_FORMAT: contextvars.ContextVar[str] = contextvars.ContextVar("TIME_FORMAT", default="RFC3339")


class CandleError(ValueError):
    """A bad candles/pricing request; the message is OANDA's ``errorMessage``."""


def ts(epoch: float) -> str:
    """A v20 timestamp in the request's format (RFC 3339 with nanoseconds, or UNIX seconds)."""
    if TIME_FORMAT.get() == "UNIX":
        return f"{epoch:.9f}"
    whole = int(epoch // 1)
    nanos = int(round((epoch - whole) * 1e9))
    stamp = _dt.datetime.fromtimestamp(whole, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


def parse_time(text: str, field: str) -> float:
    """Epoch seconds from an RFC 3339 or UNIX time string; CandleError names ``field``."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise CandleError(f"Invalid value specified for '{field}'") from None
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.value / 1e9


class Market:
    """The replayed series and the clock over them."""

    def __init__(self, series: Mapping[str, Series], start: float | None = None) -> None:
        if not series:
            raise ValueError("the sandbox needs at least one instrument")
        self.series = dict(series)
        self._ends = {n: s.t + s.seconds for n, s in self.series.items()}
        ends = np.unique(np.concatenate(list(self._ends.values())))
        self._steps = ends
        pos = int(len(ends) * 2 // 3) if start is None else int(np.searchsorted(ends, start, "right"))
        if pos < 1:
            raise ValueError("the start time is before the first bar of the data")
        self._pos = pos - 1
        self._buckets: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._refresh()

    def _refresh(self) -> None:
        """Newest bar index of each instrument at the clock; the per-bar quote cache emptied."""
        now = self.clock
        self._index = {n: int(np.searchsorted(e, now, "right")) - 1 for n, e in self._ends.items()}
        self._bars: dict[tuple[str, int], tuple[float, float, float, float]] = {}

    @property
    def clock(self) -> float:
        """Epoch seconds of the sandbox's now (the newest bar's completion)."""
        return float(self._steps[self._pos])

    @property
    def exhausted(self) -> bool:
        return self._pos >= len(self._steps) - 1

    def step(self) -> list[str]:
        """Advance to the next bar; the instruments that got one (empty when the data ended)."""
        if self.exhausted:
            return []
        self._pos += 1
        self._refresh()
        now = self.clock
        return [n for n, i in self._index.items() if i >= 0 and self._ends[n][i] == now]

    def index(self, name: str) -> int:
        """Index of the newest completed bar of ``name`` (-1 before its first)."""
        return self._index[name]

    def bar(self, name: str, sign: int) -> tuple[float, float, float, float]:
        """Newest bar (open, high, low, close) of the bid (-1) or ask (+1) side."""
        key = (name, sign)
        cached = self._bars.get(key)
        if cached is None:
            s, i = self.series[name], self._index[name]
            half = s.spread[i] / 2.0 * sign
            nd = s.spec.display_precision
            o, h, lo, c = (round(float(a[i]) + half, nd) for a in (s.open, s.high, s.low, s.close))
            cached = self._bars[key] = (o, h, lo, c)
        return cached

    def quote(self, name: str) -> tuple[float, float]:
        """Current (bid, ask) of ``name``."""
        return self.bar(name, -1)[3], self.bar(name, 1)[3]

    def quote_time(self, name: str) -> float:
        s, i = self.series[name], self.index(name)
        return float(s.t[i] + s.seconds)

    def to_home(self, currency: str, home: str) -> float:
        """Units of ``home`` per one unit of ``currency``, from the instruments' mid prices."""
        if currency == home:
            return 1.0
        for name in self.series:
            base, quote = name.split("_")
            bid, ask = self.quote(name)
            if (base, quote) == (currency, home):
                return (bid + ask) / 2.0
            if (base, quote) == (home, currency):
                return 2.0 / (bid + ask)
        raise ValueError(f"no instrument converts {currency} to {home}")

    def client_price(self, name: str, home: str) -> dict[str, Any]:
        """The v20 ``ClientPrice`` of ``name`` now."""
        spec = self.series[name].spec
        bid, ask = self.quote(name)
        factor = self.to_home(spec.quote, home)
        return {
            "type": "PRICE",
            "instrument": name,
            "time": ts(self.quote_time(name)),
            "tradeable": True,
            "status": "tradeable",
            "bids": [{"price": spec.fmt(bid), "liquidity": 10_000_000}],
            "asks": [{"price": spec.fmt(ask), "liquidity": 10_000_000}],
            "closeoutBid": spec.fmt(bid),
            "closeoutAsk": spec.fmt(ask),
            "quoteHomeConversionFactors": {
                "positiveUnits": f"{factor:.8f}",
                "negativeUnits": f"{factor:.8f}",
            },
        }

    # -- candles -------------------------------------------------------------------------

    def candles(self, name: str, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """Candles of ``name`` for a v20 candles query (granularity, price, count, from, to, ...)."""
        gran = query.get("granularity", "S5")
        if gran not in GRANULARITIES:
            raise CandleError("Invalid value specified for 'granularity'")
        components = query.get("price", "M")
        if not components or any(c not in "MBA" for c in components):
            raise CandleError("Invalid value specified for 'price'")
        s = self.series[name]
        kind, n = GRANULARITIES[gran]
        if kind == "s" and (n < s.seconds or n % s.seconds):
            raise CandleError(
                f"Invalid value specified for 'granularity': the sandbox's {name} data has "
                f"{s.seconds}-second bars"
            )
        starts, ends = self._bucket_table(name, gran, query)
        last = self.index(name)
        if last < 0:
            return []
        known = starts[: last + 1]
        first_of = np.flatnonzero(np.r_[True, known[1:] != known[:-1]])
        lo, hi = _select(known[first_of], self.clock, query)
        if hi <= lo:
            return []
        return self._build(s, known, first_of, ends, last, components, query, lo, hi)

    def _build(
        self,
        s: Series,
        known: np.ndarray,
        first_of: np.ndarray,
        ends: np.ndarray,
        last: int,
        components: str,
        query: Mapping[str, str],
        lo: int,
        hi: int,
    ) -> list[dict[str, Any]]:
        smooth = query.get("smooth", "false").lower() == "true"
        stop_of = np.r_[first_of[1:], last + 1]
        vols = np.add.reduceat(s.volume[: last + 1], first_of)
        sides = {c: s.side({"M": 0, "B": -1, "A": 1}[c]) for c in components}
        key = {"M": "mid", "B": "bid", "A": "ask"}
        out = []
        for k in range(lo, hi):
            a, b = int(first_of[k]), int(stop_of[k])
            candle: dict[str, Any] = {
                "time": ts(float(known[a])),
                "volume": int(vols[k]),
                "complete": bool(ends[a] <= self.clock),
            }
            for c, (o, h, lw, cl) in sides.items():
                open_ = cl[a - 1] if smooth and a > 0 else o[a]
                candle[key[c]] = {
                    f: s.spec.fmt(float(v))
                    for f, v in (("o", open_), ("h", h[a:b].max()), ("l", lw[a:b].min()), ("c", cl[b - 1]))
                }
            out.append(candle)
        return out

    def _bucket_table(self, name: str, gran: str, query: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
        """(bucket start, bucket end) of every base bar of ``name`` for ``gran``, cached."""
        align = _alignment(query)
        key = (name, gran, align)
        if key not in self._buckets:
            t = self.series[name].t
            kind, n = GRANULARITIES[gran]
            if kind == "s":
                starts = (t // n) * n
                ends = starts + n
            else:
                starts = _aligned_starts(t, kind, n, *align)
                # end of each bucket: the next bucket's start, at most the nominal length
                nxt_start = _next_distinct(starts)
                ends = np.minimum(nxt_start, starts + n * _NOMINAL[kind])
            self._buckets[key] = (starts, ends)
        return self._buckets[key]


def _next_distinct(starts: np.ndarray) -> np.ndarray:
    """For each element, the next different value of the sorted ``starts`` (int64 max at the end)."""
    uniq = np.unique(starts)
    pos = np.searchsorted(uniq, starts, "right")
    padded = np.r_[uniq, np.iinfo(np.int64).max]
    return padded[pos]


def _alignment(query: Mapping[str, str]) -> tuple[int, str, int]:
    try:
        hour = int(query.get("dailyAlignment", "17"))
    except ValueError:
        raise CandleError("Invalid value specified for 'dailyAlignment'") from None
    if not 0 <= hour <= 23:
        raise CandleError("Invalid value specified for 'dailyAlignment'")
    tz = query.get("alignmentTimezone", "America/New_York")
    weekday = query.get("weeklyAlignment", "Friday")
    if weekday not in _WEEKDAYS:
        raise CandleError("Invalid value specified for 'weeklyAlignment'")
    try:
        pd.Timestamp(0, tz=tz)
    except Exception:  # noqa: BLE001 - pandas raises several types for an unknown zone
        raise CandleError("Invalid value specified for 'alignmentTimezone'") from None
    return hour, tz, _WEEKDAYS.index(weekday)


def _aligned_starts(t: np.ndarray, kind: str, n: int, hour: int, tz: str, weekday: int) -> np.ndarray:
    """Bucket starts (epoch seconds) for hour/day/week/month candles aligned at ``hour`` in ``tz``."""
    shift = pd.Timedelta(hours=hour)
    local = pd.to_datetime(t, unit="s", utc=True).tz_convert(tz).tz_localize(None) - shift
    if kind == "H":
        floored = local.floor(f"{n}h")
    elif kind == "D":
        floored = local.floor("D")
    elif kind == "W":
        day = local.floor("D")
        floored = day - pd.to_timedelta((day.day_of_week - weekday) % 7, unit="D")
    else:
        floored = local.to_period("M").to_timestamp()
    aligned = (floored + shift).tz_localize(
        tz, ambiguous=np.ones(len(t), dtype=bool), nonexistent="shift_forward"
    )
    return np.asarray(aligned.tz_convert("UTC").as_unit("s").asi8, dtype=np.int64)


def _select(times: np.ndarray, clock: float, query: Mapping[str, str]) -> tuple[int, int]:
    """The [lo, hi) range of candles a query selects, by OANDA's count/from/to rules."""
    has_from, has_to, has_count = "from" in query, "to" in query, "count" in query
    if has_from and has_to and has_count:
        raise CandleError(
            "Invalid value specified for 'count': 'count' may not be specified with both 'from' and 'to'"
        )
    count = 500
    if has_count:
        try:
            count = int(query["count"])
        except ValueError:
            raise CandleError("Invalid value specified for 'count'") from None
        if count < 1:
            raise CandleError("Invalid value specified for 'count'")
        if count > MAX_CANDLES:
            raise CandleError("Maximum value for 'count' exceeded")
    include_first = query.get("includeFirst", "true").lower() != "false"
    if "includeFirst" in query and not has_from:
        raise CandleError("Invalid value specified for 'includeFirst': it requires 'from'")
    start = parse_time(query["from"], "from") if has_from else None
    end = parse_time(query["to"], "to") if has_to else None
    for field, value in (("from", start), ("to", end)):
        if value is not None and value > clock:
            raise CandleError(f"Invalid value specified for '{field}'. Time is in the future")
    if start is not None and end is not None and end < start:
        raise CandleError("Invalid value specified for 'to': it is before 'from'")
    if start is not None:
        lo = int(np.searchsorted(times, start, "left"))
        if not include_first and lo < len(times) and times[lo] == start:
            lo += 1
        if end is None:
            return lo, min(lo + count, len(times))
        hi = int(np.searchsorted(times, end, "left"))
        if hi - lo > MAX_CANDLES:
            raise CandleError("Maximum value for 'count' exceeded")
        return lo, hi
    hi = int(np.searchsorted(times, end, "left")) if end is not None else len(times)
    return max(0, hi - count), hi
