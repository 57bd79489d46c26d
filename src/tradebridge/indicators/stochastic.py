"""Lane's stochastic oscillator: fast, slow (the default) and full forms."""

from __future__ import annotations

from ..lines.ops import DivByZero
from .averages import MovingAverageSimple
from .base import Indicator
from .basicops import Highest, Lowest

__all__ = ["Stochastic", "StochasticFast", "StochasticFull"]


class _StochasticBase(Indicator):
    """Builds %K = 100 * (close - lowest low) / (highest high - lowest low) and its average."""

    lines = ("percK", "percD")
    params = (
        ("period", 14), ("period_dfast", 3), ("movav", MovingAverageSimple), ("upperband", 80.0),
        ("lowerband", 20.0), ("safediv", False), ("safezero", 0.0),
    )
    plotlines = dict(percD=dict(_name="%D", ls="--"), percK=dict(_name="%K"))

    def __init__(self) -> None:
        self.plotinfo.plotyhlines = [self.p.upperband, self.p.lowerband]
        highest = Highest(self.data.high, period=self.p.period)
        lowest = Lowest(self.data.low, period=self.p.period)
        knum = self.data.close - lowest
        kden = highest - lowest
        if self.p.safediv:
            self.k = 100.0 * DivByZero(knum, kden, self.p.safezero)
        else:
            self.k = 100.0 * (knum / kden)
        self.d = self.p.movav(self.k, period=self.p.period_dfast)


class StochasticFast(_StochasticBase):
    """%K and its ``period_dfast`` average %D."""

    def __init__(self) -> None:
        super().__init__()
        self.lines.percK = self.k
        self.lines.percD = self.d


class Stochastic(_StochasticBase):
    """Slow stochastic: the fast %D becomes %K and %D is its ``period_dslow`` average."""

    alias = ("StochasticSlow",)
    params = (("period_dslow", 3),)

    def __init__(self) -> None:
        super().__init__()
        self.lines.percK = self.d
        self.lines.percD = self.p.movav(self.d, period=self.p.period_dslow)


class StochasticFull(_StochasticBase):
    """All three lines: fast %K, %D and the slow %DSlow."""

    lines = ("percDSlow",)
    params = (("period_dslow", 3),)
    plotlines = dict(percDSlow=dict(_name="%DSlow"))

    def __init__(self) -> None:
        super().__init__()
        self.lines.percK = self.k
        self.lines.percD = self.d
        self.lines.percDSlow = self.p.movav(self.d, period=self.p.period_dslow)
