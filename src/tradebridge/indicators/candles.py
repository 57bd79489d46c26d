"""Bar-shape indicators: Heikin Ashi candles and their body (haDelta), Bill Williams' fractals."""

from __future__ import annotations

import math

import numpy as np

from ..lines.buffer import Clock
from ..lines.lineiterator import store
from .averages import MovingAverageSimple
from .base import Indicator

__all__ = ["Fractal", "HeikinAshi", "haDelta"]


class HeikinAshi(Indicator):
    """Heikin Ashi candles; the open is recursive: (previous open + previous close) / 2.

    The lines are also reachable as ``open``, ``high``, ``low`` and ``close``, so the
    indicator can feed others as if it were a data.
    """

    lines = ("ha_open", "ha_high", "ha_low", "ha_close")
    plotinfo = dict(subplot=False)
    _aliases = (("open", "ha_open"), ("high", "ha_high"), ("low", "ha_low"), ("close", "ha_close"))

    def __init__(self) -> None:
        self.addminperiod(2)

    def _make_lines(self, clk: Clock, size: int = 0) -> None:
        super()._make_lines(clk, size)
        for alias, name in self._aliases:
            buf = getattr(self.lines, name)
            setattr(self, alias, buf)
            setattr(self.lines, alias, buf)

    def _compute_once(self) -> None:
        d = self.data
        o, h = self._line_arr(d.open), self._line_arr(d.high)
        l, c = self._line_arr(d.low), self._line_arr(d.close)
        first = self._minperiod - 2  # the bar the seed open is taken on
        ha_close = (o + h + l + c) / 4.0
        ha_open = [math.nan] * len(o)
        if first < len(o):
            prev = ha_open[first] = (o[first] + c[first]) / 2.0
            closes = ha_close.tolist()
            for i in range(first + 1, len(o)):
                prev = ha_open[i] = (prev + closes[i - 1]) / 2.0
        ha_o = np.asarray(ha_open)
        ha_high = np.maximum(np.maximum(h, ha_o), ha_close)
        ha_low = np.minimum(np.minimum(l, ha_o), ha_close)
        ln = self.lines
        store(ln.ha_open, ha_o, first + 1)
        store(ln.ha_close, ha_close, first + 1)
        store(ln.ha_high, ha_high, self._minperiod)
        store(ln.ha_low, ha_low, self._minperiod)

    def _close(self) -> float:
        d = self.data
        return (d.open[0] + d.high[0] + d.low[0] + d.close[0]) / 4.0

    def prenext(self) -> None:
        self.lines.ha_open[0] = (self.data.open[0] + self.data.close[0]) / 2.0
        self.lines.ha_close[0] = self._close()

    def next(self) -> None:
        ln = self.lines
        ha_open = ln.ha_open[0] = (ln.ha_open[-1] + ln.ha_close[-1]) / 2.0
        ha_close = ln.ha_close[0] = self._close()
        ln.ha_high[0] = max(self.data.high[0], ha_open, ha_close)
        ln.ha_low[0] = min(self.data.low[0], ha_open, ha_close)


class haDelta(Indicator):  # noqa: N801 - backtrader's name
    """Heikin Ashi body (close - open) and its ``period`` average (Dan Valcu)."""

    alias = ("haD",)
    lines = ("haDelta", "smoothed")
    params = (("period", 3), ("movav", MovingAverageSimple), ("autoheikin", True))
    plotlines = dict(haDelta=dict(color="red"),
                     smoothed=dict(color="grey", _fill_gt=(0, "green"), _fill_lt=(0, "red")))

    def __init__(self) -> None:
        d = HeikinAshi(self.data) if self.p.autoheikin else self.data
        body = d.close - d.open
        self.lines.haDelta = body
        self.lines.smoothed = self.p.movav(body, period=self.p.period)


class Fractal(Indicator):
    """Marks a bar whose high (low) is the extreme of the ``period`` bars around it.

    The mark is written two bars back, once the bars after it are known: read it with
    ``[-2]`` or after the run (backtrader's ``bt.studies.Fractal``).
    """

    lines = ("fractal_bearish", "fractal_bullish")
    params = (("period", 5), ("bardist", 0.015), ("shift_to_potential_fractal", 2))
    plotinfo = dict(subplot=False, plotlinelabels=False, plot=True)
    plotlines = dict(
        fractal_bearish=dict(marker="^", markersize=4.0, color="lightblue", fillstyle="full", ls=""),
        fractal_bullish=dict(marker="v", markersize=4.0, color="lightblue", fillstyle="full", ls=""),
    )

    def __init__(self) -> None:
        self.addminperiod(self.p.period)

    def _marks(self, x: np.ndarray, pick: str, scale: float) -> np.ndarray:
        """Value ``extreme * scale`` two bars before each window whose extreme sits at the shift."""
        out = np.full(len(x), np.nan)
        period, start = self.p.period, self._minperiod - 1
        if start >= len(x):
            return out
        win = np.lib.stride_tricks.sliding_window_view(x[start - period + 1 :], period)
        where = win.argmax(axis=1) if pick == "max" else win.argmin(axis=1)
        hit = np.nonzero(where == self.p.shift_to_potential_fractal)[0]
        ext = win[hit, where[hit]]
        out[hit + start - 2] = ext * scale
        return out

    def _compute_once(self) -> None:
        bear = self._marks(self._line_arr(self.data.high), "max", 1 + self.p.bardist)
        bull = self._marks(self._line_arr(self.data.low), "min", 1 - self.p.bardist)
        store(self.lines.fractal_bearish, bear, 1)
        store(self.lines.fractal_bullish, bull, 1)

    def next(self) -> None:
        shift = self.p.shift_to_potential_fractal
        highs = self.data.high.get(size=self.p.period)
        top = max(highs)
        if highs.index(top) == shift:
            self.lines.fractal_bearish[-2] = top * (1 + self.p.bardist)
        lows = self.data.low.get(size=self.p.period)
        bottom = min(lows)
        if lows.index(bottom) == shift:
            self.lines.fractal_bullish[-2] = bottom * (1 - self.p.bardist)
