"""TRIX: one-bar rate of change (percent) of a triple-smoothed EMA, and its signal line."""

from __future__ import annotations

from .averages import ExponentialMovingAverage
from .base import Indicator

__all__ = ["Trix", "TrixSignal"]


class Trix(Indicator):
    """100 * change of EMA(EMA(EMA(data))) over ``_rocperiod`` bars."""

    alias = ("TRIX",)
    lines = ("trix",)
    params = (("period", 15), ("_rocperiod", 1), ("_movav", ExponentialMovingAverage))
    plotinfo = dict(plothlines=[0.0])

    def __init__(self) -> None:
        ema1 = self.p._movav(self.data, period=self.p.period)
        ema2 = self.p._movav(ema1, period=self.p.period)
        ema3 = self.p._movav(ema2, period=self.p.period)
        self.lines.trix = 100.0 * (ema3 / ema3(-self.p._rocperiod) - 1.0)


class TrixSignal(Trix):
    """TRIX plus its moving average over ``sigperiod`` bars."""

    alias = ()
    lines = ("signal",)
    params = (("sigperiod", 9),)

    def __init__(self) -> None:
        super().__init__()
        self.lines.signal = self.p._movav(self.lines.trix, period=self.p.sigperiod)
