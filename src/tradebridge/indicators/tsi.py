"""True strength index: double-smoothed price change over double-smoothed absolute change."""

from __future__ import annotations

from .averages import ExponentialMovingAverage
from .base import Indicator

__all__ = ["TrueStrengthIndicator"]


class TrueStrengthIndicator(Indicator):
    """100 * MA2(MA1(change)) / MA2(MA1(|change|)), change over ``pchange`` bars."""

    alias = ("TSI",)
    lines = ("tsi",)
    params = (("period1", 25), ("period2", 13), ("pchange", 1), ("_movav", ExponentialMovingAverage))
    plotinfo = dict(plothlines=[0.0])

    def __init__(self) -> None:
        pc = self.data - self.data(-self.p.pchange)
        sm1 = self.p._movav(pc, period=self.p.period1)
        sm12 = self.p._movav(sm1, period=self.p.period2)
        sm2 = self.p._movav(abs(pc), period=self.p.period1)
        sm22 = self.p._movav(sm2, period=self.p.period2)
        self.lines.tsi = 100.0 * (sm12 / sm22)
