"""True range family: TrueHigh, TrueLow, TrueRange and the AverageTrueRange."""

from __future__ import annotations

from ..lines.ops import Max, Min
from .averages import SmoothedMovingAverage
from .base import Indicator

__all__ = ["AverageTrueRange", "TrueHigh", "TrueLow", "TrueRange"]


class TrueHigh(Indicator):
    """max(high, previous close)."""

    lines = ("truehigh",)

    def __init__(self) -> None:
        self.lines.truehigh = Max(self.data.high, self.data.close(-1))


class TrueLow(Indicator):
    """min(low, previous close)."""

    lines = ("truelow",)

    def __init__(self) -> None:
        self.lines.truelow = Min(self.data.low, self.data.close(-1))


class TrueRange(Indicator):
    """TrueHigh - TrueLow: the bar's range including any gap from the previous close."""

    alias = ("TR",)
    lines = ("tr",)

    def __init__(self) -> None:
        self.lines.tr = TrueHigh(self.data) - TrueLow(self.data)


class AverageTrueRange(Indicator):
    """Moving average (Wilder's by default) of the true range."""

    alias = ("ATR",)
    lines = ("atr",)
    params = (("period", 14), ("movav", SmoothedMovingAverage))

    def __init__(self) -> None:
        self.lines.atr = self.p.movav(TrueRange(self.data), period=self.p.period)
