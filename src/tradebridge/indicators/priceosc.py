"""Differences of a fast and a slow moving average: PriceOscillator, PPO, MACD."""

from __future__ import annotations

from .averages import ExponentialMovingAverage
from .base import Indicator

__all__ = [
    "MACD", "MACDHisto", "PercentagePriceOscillator", "PercentagePriceOscillatorShort",
    "PriceOscillator",
]


class _PriceOscBase(Indicator):
    """Fast and slow averages ``ma1``/``ma2`` of the data and their difference."""

    params = (("period1", 12), ("period2", 26), ("_movav", ExponentialMovingAverage))
    plotinfo = dict(plothlines=[0.0])

    def __init__(self) -> None:
        self.ma1 = self.p._movav(self.data, period=self.p.period1)
        self.ma2 = self.p._movav(self.data, period=self.p.period2)
        self.diff = self.ma1 - self.ma2


class PriceOscillator(_PriceOscBase):
    """Absolute price oscillator: fast MA - slow MA."""

    alias = ("PriceOsc", "AbsolutePriceOscillator", "APO", "AbsPriceOsc")
    lines = ("po",)

    def __init__(self) -> None:
        super().__init__()
        self.lines.po = self.diff


class PercentagePriceOscillator(_PriceOscBase):
    """100 * (fast MA - slow MA) / slow MA, with a signal average and histogram."""

    alias = ("PPO", "PercPriceOsc")
    lines = ("ppo", "signal", "histo")
    params = (("period_signal", 9),)
    _long = True

    def __init__(self) -> None:
        super().__init__()
        den = self.ma2 if self._long else self.ma1
        self.lines.ppo = 100.0 * self.diff / den
        self.lines.signal = self.p._movav(self.lines.ppo, period=self.p.period_signal)
        self.lines.histo = self.lines.ppo - self.lines.signal


class PercentagePriceOscillatorShort(PercentagePriceOscillator):
    """PPO measured against the fast (short) average."""

    alias = ("PPOShort", "PercPriceOscShort")
    _long = False


class MACD(Indicator):
    """Moving average convergence/divergence: EMA(12) - EMA(26) and its EMA(9) signal."""

    lines = ("macd", "signal")
    params = (("period_me1", 12), ("period_me2", 26), ("period_signal", 9),
              ("movav", ExponentialMovingAverage))
    plotinfo = dict(plothlines=[0.0])

    def __init__(self) -> None:
        me1 = self.p.movav(self.data, period=self.p.period_me1)
        me2 = self.p.movav(self.data, period=self.p.period_me2)
        self.lines.macd = me1 - me2
        self.lines.signal = self.p.movav(self.lines.macd, period=self.p.period_signal)


class MACDHisto(MACD):
    """MACD plus the histogram macd - signal."""

    alias = ("MACDHistogram",)
    lines = ("histo",)

    def __init__(self) -> None:
        super().__init__()
        self.lines.histo = self.lines.macd - self.lines.signal
