"""Parabolic SAR (Wilder's stop and reverse), a recursive trailing stop.

One pure step function holds the math; the whole-array pass and the bar-by-bar
``next`` both drive it, so the two modes cannot drift apart.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .base import Indicator

__all__ = ["ParabolicSAR"]


class SarState(NamedTuple):
    """Trend (True = long), the SAR for the next bar, extreme price, acceleration factor."""

    trend: bool
    sar: float
    ep: float
    af: float


def sar_seed(hi: float, lo: float, close: float, close1: float, hi1: float, lo1: float,
             af: float) -> SarState:
    """State on the second bar: the trend is assumed reversed from the close's direction."""
    if close >= close1:
        return SarState(False, (hi + lo) / 2.0, lo1, af)
    return SarState(True, (hi + lo) / 2.0, hi1, af)


def sar_step(st: SarState, hi: float, lo: float, hi1: float, lo1: float, af0: float,
             afmax: float) -> tuple[float, SarState]:
    """The SAR of this bar and the state for the next one."""
    trend, sar = st.trend, st.sar
    if (trend and sar >= lo) or (not trend and sar <= hi):
        trend = not trend
        sar = st.ep
        ep = hi if trend else lo
        af = af0
    else:
        ep, af = st.ep, st.af
    value = sar
    if trend:
        if hi > ep:
            ep = hi
            af = min(af + af0, afmax)
    elif lo < ep:
        ep = lo
        af = min(af + af0, afmax)
    sar = sar + af * (ep - sar)
    if trend:
        if sar > lo or sar > lo1:
            sar = min(lo, lo1)
    elif sar < hi or sar < hi1:
        sar = max(hi, hi1)
    return value, SarState(trend, sar, ep, af)


class ParabolicSAR(Indicator):
    """Parabolic SAR; ``period`` only delays when values are shown (the math starts on bar 2)."""

    alias = ("PSAR",)
    lines = ("psar",)
    params = (("period", 2), ("af", 0.02), ("afmax", 0.20))
    plotinfo = dict(subplot=False)
    plotlines = dict(psar=dict(marker=".", markersize=4.0, color="black", fillstyle="full", ls=""))

    def __init__(self) -> None:
        self.addminperiod(self.p.period)
        self._state: SarState | None = None

    def _vec(self) -> np.ndarray:
        d = self.data
        hi = self._line_arr(d.high).tolist()
        lo = self._line_arr(d.low).tolist()
        close = self._line_arr(d.close).tolist()
        start = self._minperiod - self.p.period + 1  # second bar the inputs are valid on
        out = [math.nan] * len(hi)
        if start >= len(hi):
            return np.asarray(out)
        st = sar_seed(hi[start], lo[start], close[start], close[start - 1], hi[start - 1],
                      lo[start - 1], self.p.af)
        for i in range(start, len(hi)):
            out[i], st = sar_step(st, hi[i], lo[i], hi[i - 1], lo[i - 1], self.p.af, self.p.afmax)
        return np.asarray(out)

    def _advance(self) -> None:
        d = self.data
        if self._state is None:
            self._state = sar_seed(d.high[0], d.low[0], d.close[0], d.close[-1], d.high[-1],
                                   d.low[-1], self.p.af)
        self.lines.psar[0], self._state = sar_step(
            self._state, d.high[0], d.low[0], d.high[-1], d.low[-1], self.p.af, self.p.afmax)

    def prenext(self) -> None:
        if len(self) >= self._minperiod - self.p.period + 2:
            self._advance()
        self.lines.psar[0] = math.nan

    def next(self) -> None:
        self._advance()
