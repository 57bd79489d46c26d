"""Price series the sandbox replays: instrument specs, the bundled seeded data and CSV files.

A series is a base granularity of bars (mid open/high/low/close, a spread and a tick volume);
bid and ask are mid -/+ half the spread. The bundled data is generated, reproducibly, from
:func:`tradebridge.utils.synthetic.synthetic_ohlcv` (seeded), so nothing large ships in the wheel.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pandas as pd

from tradebridge.utils.synthetic import synthetic_ohlcv

__all__ = ["BUNDLED", "InstrumentSpec", "Series", "bundled_series", "load_csv", "spec_for"]


@dataclasses.dataclass(frozen=True)
class InstrumentSpec:
    """What the sandbox tells clients about an instrument (v20 ``Instrument``) and how it prices it."""

    name: str
    pip_location: int
    display_precision: int
    margin_rate: float
    spread: float  # ask - bid, in price units
    start_price: float
    financing_long: float = -0.03  # yearly rate paid (negative) or earned on long units
    financing_short: float = 0.01

    @property
    def base(self) -> str:
        return self.name.split("_")[0]

    @property
    def quote(self) -> str:
        return self.name.split("_")[1]

    def fmt(self, price: float) -> str:
        """A price as v20 writes it, with the instrument's display precision."""
        return f"{price:.{self.display_precision}f}"

    def to_json(self) -> dict[str, object]:
        """The v20 ``Instrument`` definition."""
        return {
            "name": self.name,
            "type": "CURRENCY",
            "displayName": self.name.replace("_", "/"),
            "pipLocation": self.pip_location,
            "displayPrecision": self.display_precision,
            "tradeUnitsPrecision": 0,
            "minimumTradeSize": "1",
            "maximumTrailingStopDistance": f"{10.0 ** (self.pip_location + 4):.{self.display_precision}f}",
            "minimumTrailingStopDistance": f"{5 * 10.0**self.pip_location:.{self.display_precision}f}",
            "maximumPositionSize": "0",
            "maximumOrderUnits": "100000000",
            "marginRate": f"{self.margin_rate:.4f}",
        }


_SPECS = {
    "EUR_USD": InstrumentSpec("EUR_USD", -4, 5, 0.02, 0.00014, 1.0850),
    "GBP_USD": InstrumentSpec("GBP_USD", -4, 5, 0.05, 0.00018, 1.2650),
    "USD_JPY": InstrumentSpec("USD_JPY", -2, 3, 0.04, 0.014, 149.50),
}
BUNDLED = tuple(_SPECS)
_BUNDLED_SEEDS = {"EUR_USD": 5, "GBP_USD": 6, "USD_JPY": 7}
BUNDLED_START = "2026-11-23T00:00:00"
BUNDLED_BARS = 3 * 17_280  # three days of 5-second bars
BASE_SECONDS = 5


def spec_for(name: str) -> InstrumentSpec:
    """The spec of a known instrument, or a generic one for any ``AAA_BBB`` name."""
    if name in _SPECS:
        return _SPECS[name]
    parts = name.split("_")
    if len(parts) != 2 or not all(len(p) == 3 and p.isalpha() and p.isupper() for p in parts):
        raise ValueError(f"instrument name {name!r} is not of the form AAA_BBB (e.g. EUR_USD)")
    jpy = parts[1] == "JPY"
    return InstrumentSpec(name, -2 if jpy else -4, 3 if jpy else 5, 0.05, 0.02 if jpy else 0.0002, 1.0)


@dataclasses.dataclass
class Series:
    """Base bars of one instrument: ``t`` (epoch seconds of each bar's start) and mid OHLC arrays."""

    spec: InstrumentSpec
    t: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    spread: np.ndarray
    seconds: int  # base granularity

    def side(self, sign: int) -> tuple[np.ndarray, ...]:
        """(open, high, low, close) of the bid (sign -1), mid (0) or ask (+1) prices."""
        half = self.spread / 2.0 * sign
        nd = self.spec.display_precision
        return tuple(np.round(a + half, nd) for a in (self.open, self.high, self.low, self.close))

    def shifted(self, seconds: int) -> Series:
        """The same bars moved ``seconds`` later in time."""
        return dataclasses.replace(self, t=self.t + seconds)


@functools.lru_cache(maxsize=8)
def bundled_series(name: str) -> Series:
    """Three days (from 2026-11-23, 5-second bars) of seeded synthetic prices for ``name``."""
    spec = _SPECS[name]
    df = synthetic_ohlcv(
        BUNDLED_BARS, seed=_BUNDLED_SEEDS[name], start=BUNDLED_START, freq="5s", price=1e6, drift=0.0
    )
    # synthetic_ohlcv is daily-bar volatile; compress its log moves to FX-like 5-second moves
    scale = 0.01
    cols = {
        c: spec.start_price * np.exp(scale * np.log(df[c].to_numpy() / 1e6))
        for c in ("open", "high", "low", "close")
    }
    nd = spec.display_precision
    t = _epoch_seconds(pd.DatetimeIndex(df.index))
    vol = np.maximum(1, (df["volume"].to_numpy() // 10_000)).astype(np.int64)
    o, h, lo, c = (np.round(cols[k], nd) for k in ("open", "high", "low", "close"))
    return Series(spec, t, o, h, lo, c, vol, np.full(len(t), spec.spread), BASE_SECONDS)


def _epoch_seconds(index: pd.DatetimeIndex) -> np.ndarray:
    """Whole epoch seconds of a (naive = UTC) DatetimeIndex, whatever its unit."""
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return np.asarray(index.as_unit("s").asi8, dtype=np.int64)


def load_csv(path: str | Path) -> Series:
    """A series from a CSV named after its instrument (``EUR_USD.csv``): datetime (UTC),
    open, high, low, close (mid), optional volume and spread columns."""
    path = Path(path)
    spec = spec_for(path.stem.upper())
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the CSV ({exc})") from None
    cols = {c.lower(): c for c in df.columns}
    missing = [c for c in ("open", "high", "low", "close") if c not in cols]
    tcol = cols.get("datetime") or cols.get("time") or cols.get("date")
    if missing or tcol is None:
        need = missing + ([] if tcol else ["datetime"])
        raise ValueError(f"{path}: missing column(s) {', '.join(need)}")
    try:
        t = _epoch_seconds(pd.DatetimeIndex(pd.to_datetime(df[tcol], utc=True)))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path}: bad {tcol} value ({exc})") from None
    if len(t) < 2 or np.any(np.diff(t) <= 0):
        raise ValueError(f"{path}: needs at least two rows in strictly increasing time order")
    ohlc = [df[cols[c]].to_numpy(dtype=float) for c in ("open", "high", "low", "close")]
    vol = df[cols["volume"]].to_numpy(dtype=np.int64) if "volume" in cols else np.ones(len(t), np.int64)
    spread = df[cols["spread"]].to_numpy(dtype=float) if "spread" in cols else np.full(len(t), spec.spread)
    o, h, lo, c = ohlc
    return Series(spec, t, o, h, lo, c, np.maximum(vol, 1), spread, int(np.diff(t).min()))
