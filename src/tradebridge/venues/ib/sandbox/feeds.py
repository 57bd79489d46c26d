"""Market data of the IB sandbox: one tape per instrument, history plus a live 5-second stream.

A tape starts at the sandbox's start time ``t0``. Before it lies the history (seeded synthetic
bars, or the first part of a given CSV, moved in time to end there); from it on, live 5-second
bars (synthetic, or the rest of the CSV replayed one row per bar). History requests that reach
past ``t0`` get the live bars already produced, aggregated to the requested size, so backfill
joins live data.
"""

from __future__ import annotations

import datetime as _dt
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tradebridge.utils.synthetic import synthetic_ohlcv

from ..mapping import BAR_SECONDS
from .events import Bar

__all__ = ["RT_BAR_SECONDS", "Tape", "MarketData", "DataError", "parse_duration",
           "bar_seconds", "load_csv"]

RT_BAR_SECONDS = 5  # IB real-time bars are always 5 seconds long
MAX_HISTORY_BARS = 20_000
_CHUNK = 2_000
_DURATION_UNITS = {"S": 1, "D": 86_400, "W": 7 * 86_400, "M": 30 * 86_400, "Y": 365 * 86_400}
_BASE_PRICE = {"AAPL": 190.0, "EUR.USD": 1.08}


class DataError(ValueError):
    """A history request the sandbox cannot serve (bad duration or bar size, unknown symbol)."""


def parse_duration(text: str) -> int:
    """Seconds of an IB durationStr such as ``"60 S"``, ``"2 D"``, ``"1 Y"``."""
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or parts[1].upper() not in _DURATION_UNITS:
        raise DataError(f"durationStr {text!r}: expected '<integer> <S|D|W|M|Y>'")
    return int(parts[0]) * _DURATION_UNITS[parts[1].upper()]


def bar_seconds(text: str) -> int:
    """Seconds of an IB barSizeSetting such as ``"5 secs"``, ``"1 min"``, ``"1 day"``."""
    norm = " ".join(text.split())
    seconds = BAR_SECONDS.get(norm) or BAR_SECONDS.get(norm.removesuffix("s"))
    if seconds is None:
        raise DataError(f"barSizeSetting {text!r} is not an IB bar size "
                        f"({', '.join(BAR_SECONDS)})")
    return seconds


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def load_csv(path: str | Path) -> pd.DataFrame:
    """Bars of a header CSV (datetime or date, open, high, low, close[, volume]) as a frame."""
    from tradebridge.cli.loader import load_data

    frame = load_data(str(path)).p.dataname
    if frame.index.tz is None:
        frame.index = frame.index.tz_localize("UTC")
    return frame[["open", "high", "low", "close", "volume"]]


def _bars(frame: pd.DataFrame) -> list[Bar]:
    times = frame.index.to_pydatetime()
    cols = frame[["open", "high", "low", "close", "volume"]].to_numpy(dtype=float)
    return [Bar(t, *(float(x) for x in row)) for t, row in zip(times, cols)]


def _aggregate(bars: list[Bar], seconds: int, out: list[Bar] | None = None) -> list[Bar]:
    """Bars grouped into ``seconds``-long buckets aligned on the epoch, appended to ``out``
    (whose last bar absorbs bars of its own bucket)."""
    out = [] if out is None else out
    for bar in bars:
        start = int(bar.time.timestamp()) // seconds * seconds
        if out and int(out[-1].time.timestamp()) == start:
            last = out[-1]
            out[-1] = Bar(last.time, last.open, max(last.high, bar.high), min(last.low, bar.low),
                          bar.close, last.volume + bar.volume)
        else:
            out.append(Bar(_dt.datetime.fromtimestamp(start, _dt.UTC), bar.open, bar.high, bar.low,
                           bar.close, bar.volume))
    return out


@dataclass
class Tape:
    """One instrument's bars: ``history`` before ``t0`` and the live bars from ``t0`` on.

    ``frame`` (optional) is a given CSV: its first ``split`` share is history, the rest is
    replayed as live bars; without it, bars are seeded synthetic data around ``price``.
    """

    symbol: str
    t0: int
    price: float = 100.0
    frame: pd.DataFrame | None = None
    split: float = 0.8
    daily: str = "B"
    live: list[Bar] = field(default_factory=list)
    volume: float = 0.0  # total volume of the live bars so far
    _pending: list[Bar] = field(default_factory=list)
    _chunks: int = 0

    def __post_init__(self) -> None:
        if self.frame is not None:
            if len(self.frame) < 2:
                raise DataError(f"{self.symbol}: a data file needs at least 2 bars")
            cut = max(1, min(len(self.frame) - 1, int(len(self.frame) * self.split)))
            self._file_history = _shift(_bars(self.frame.iloc[:cut]), self.frame.index[cut], self.t0)
            self._pending = [Bar(self._t(i), b.open, b.high, b.low, b.close, b.volume)
                             for i, b in enumerate(_bars(self.frame.iloc[cut:]))]
            self._pending.reverse()
            self.price = float(self.frame["open"].iloc[cut])
        else:
            self._file_history = []

    def _t(self, index: int) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self.t0 + RT_BAR_SECONDS * index, _dt.UTC)

    @property
    def ended(self) -> bool:
        """True when a replayed file has no live bars left."""
        return self.frame is not None and not self._pending

    @property
    def last_price(self) -> float:
        """The close of the last live bar (the opening price before any)."""
        return self.live[-1].close if self.live else self.price

    def advance(self) -> Bar | None:
        """Produce the next live 5-second bar (None once a replayed file has ended)."""
        if not self._pending:
            if self.frame is not None:
                return None
            self._synthesize_chunk()
        bar = self._pending.pop()
        self.live.append(bar)
        self.volume += bar.volume
        return bar

    def _synthesize_chunk(self) -> None:
        df = synthetic_ohlcv(_CHUNK, seed=_seed(self.symbol, "live", self._chunks), freq="5s",
                             drift=0.0)
        _rescale(df, df["open"].iloc[0], self.last_price, RT_BAR_SECONDS)
        start = len(self.live)
        df["volume"] = (df["volume"] / 10).round()
        bars = [Bar(self._t(start + i), *_tick_round(row, self.price)) for i, row in
                enumerate(df[["open", "high", "low", "close", "volume"]].to_numpy(dtype=float))]
        self._chunks += 1
        self._pending = bars[::-1]

    def history(self, end: _dt.datetime, duration: int, seconds: int) -> list[Bar]:
        """Bars of ``seconds`` length covering ``duration`` seconds up to ``end`` (exclusive)."""
        end_s = int(end.timestamp())
        start_s = end_s - duration
        live = [b for b in self.live if start_s <= b.time.timestamp() < end_s]
        before = min(end_s, self.t0)
        past: list[Bar] = []
        if start_s < before:
            past = self._past(start_s, before, seconds)
        return _aggregate(live, seconds, past)[-MAX_HISTORY_BARS:]

    def _past(self, start_s: int, end_s: int, seconds: int) -> list[Bar]:
        if self.frame is not None:
            bars = [b for b in self._file_history if start_s <= b.time.timestamp() < end_s]
            step = _step(self._file_history)
            return _aggregate(bars, seconds) if seconds > step else bars
        n = min((end_s - start_s) // seconds, MAX_HISTORY_BARS)
        if n <= 0:
            return []
        freq = (self.daily if seconds == 86_400 else
                "W-FRI" if seconds == 7 * 86_400 else f"{seconds}s")
        first = _dt.datetime.fromtimestamp(end_s - n * seconds, _dt.UTC)
        if seconds >= 86_400:
            first = first.replace(hour=0, minute=0, second=0)
        df = synthetic_ohlcv(n, seed=_seed(self.symbol, seconds), freq=freq,
                             start=first.strftime("%Y-%m-%d %H:%M:%S"), drift=0.0)
        _rescale(df, df["close"].iloc[-1], self.price, seconds)
        df.index = df.index.tz_localize("UTC")
        df = df[df.index.map(lambda t: t.timestamp() < end_s)]
        rounded = [_tick_round(row, self.price) for row in
                   df[["open", "high", "low", "close", "volume"]].to_numpy(dtype=float)]
        return [Bar(t, *row) for t, row in zip(df.index.to_pydatetime(), rounded)]


def _rescale(df: pd.DataFrame, anchor: float, target: float, seconds: int) -> None:
    """Move synthetic bars (made as daily bars around 100) in place so that ``anchor`` maps to
    ``target``, shrinking log moves by sqrt(bar length / trading day) for intraday bars."""
    k = min(1.0, (seconds / 23_400) ** 0.5)
    for col in ("open", "high", "low", "close"):
        df[col] = target * np.exp(k * np.log(df[col] / anchor))


def _shift(bars: list[Bar], live_start: pd.Timestamp, t0: int) -> list[Bar]:
    """Move a file's history so that its live part starts at ``t0`` (by whole days for daily
    or longer bars, keeping their dates at midnight): backfill then ends at sandbox time."""
    delta = t0 - int(live_start.timestamp())
    if _step(bars) >= 86_400:
        delta -= delta % 86_400
    return [Bar(b.time + _dt.timedelta(seconds=delta), b.open, b.high, b.low, b.close, b.volume)
            for b in bars]


def _step(bars: list[Bar]) -> float:
    if len(bars) < 2:
        return 86_400.0
    return float(np.median(np.diff([b.time.timestamp() for b in bars[-50:]])))


def _tick_round(row: Iterable[float], price: float) -> tuple[float, float, float, float, float]:
    o, h, lo, c, v = (float(x) for x in row)
    digits = 2 if price >= 10 else 5
    return (round(o, digits), round(h, digits), round(lo, digits), round(c, digits), float(round(v)))


class MarketData:
    """Tapes by symbol (``AAPL``, ``EUR.USD``) sharing one start time ``t0``."""

    def __init__(self, t0: int, files: dict[str, pd.DataFrame] | None = None,
                 split: float = 0.8) -> None:
        self.t0 = t0 - t0 % RT_BAR_SECONDS
        self.tapes: dict[str, Tape] = {}
        for symbol, frame in (files or {}).items():
            if isinstance(frame.index, pd.DatetimeIndex) and frame.index.tz is None:
                frame = frame.tz_localize("UTC")  # naive times are UTC
            self.tapes[symbol] = Tape(symbol, self.t0, frame=frame, split=split)

    def ensure(self, symbol: str, sec_type: str = "STK") -> Tape:
        """The tape of ``symbol``, creating a synthetic one for a listed instrument."""
        tape = self.tapes.get(symbol)
        if tape is None:
            tape = Tape(symbol, self.t0, price=_BASE_PRICE.get(symbol, 100.0),
                        daily="D" if sec_type == "CASH" else "B")
            self.tapes[symbol] = tape
        return tape
