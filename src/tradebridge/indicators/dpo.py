"""Detrended price oscillator: price minus a moving average shifted back half a period."""

from __future__ import annotations

from .averages import MovingAverageSimple
from .base import Indicator

__all__ = ["DetrendedPriceOscillator"]


class DetrendedPriceOscillator(Indicator):
    """data - the moving average of ``ceil(period / 2) - 1`` bars ago (backtrader's shift)."""

    alias = ("DPO",)
    lines = ("dpo",)
    params = (("period", 20), ("movav", MovingAverageSimple))
    plotinfo = dict(plothlines=[0.0])

    def __init__(self) -> None:
        ma = self.p.movav(self.data, period=self.p.period)
        self.lines.dpo = self.data - ma((-self.p.period) // 2 + 1)
