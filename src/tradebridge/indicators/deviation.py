"""Dispersion around a moving average: StandardDeviation, MeanDeviation, Bollinger Bands."""

from __future__ import annotations

from typing import Any

from ..lines.ops import Max
from .averages import MovingAverageSimple
from .base import Indicator

__all__ = ["BollingerBands", "BollingerBandsPct", "MeanDeviation", "StandardDeviation"]


def _mean(ind: Indicator) -> Any:
    """The mean to measure from: a second data if given, else the moving average of data."""
    if len(ind.datas) > 1:
        return ind.data1
    return ind.p.movav(ind.data, period=ind.p.period)


class StandardDeviation(Indicator):
    """sqrt(mean(x^2) - mean(x)^2) over ``period`` bars (clamped at 0 with ``safepow``)."""

    alias = ("StdDev",)
    lines = ("stddev",)
    params = (("period", 20), ("movav", MovingAverageSimple), ("safepow", True))

    def __init__(self) -> None:
        mean = _mean(self)
        meansq = self.p.movav(pow(self.data, 2), period=self.p.period)
        var = meansq - pow(mean, 2)
        if self.p.safepow:
            var = Max(var, 0.0)
        self.lines.stddev = pow(var, 0.5)


class MeanDeviation(Indicator):
    """Moving average of |data - mean| over ``period`` bars."""

    alias = ("MeanDev",)
    lines = ("meandev",)
    params = (("period", 20), ("movav", MovingAverageSimple))

    def __init__(self) -> None:
        absdev = abs(self.data - _mean(self))
        self.lines.meandev = self.p.movav(absdev, period=self.p.period)


class BollingerBands(Indicator):
    """Moving average with bands ``devfactor`` standard deviations above and below."""

    alias = ("BBands",)
    lines = ("mid", "top", "bot")
    params = (("period", 20), ("devfactor", 2.0), ("movav", MovingAverageSimple))
    plotinfo = dict(subplot=False)

    def __init__(self) -> None:
        self.lines.mid = ma = self.p.movav(self.data, period=self.p.period)
        stddev = self.p.devfactor * StandardDeviation(
            self.data, ma, period=self.p.period, movav=self.p.movav)
        self.lines.top = ma + stddev
        self.lines.bot = ma - stddev


class BollingerBandsPct(BollingerBands):
    """Bollinger Bands plus %B: where data sits between the bands (0 bottom, 1 top)."""

    alias = ()
    lines = ("pctb",)

    def __init__(self) -> None:
        super().__init__()
        self.l.pctb = (self.data - self.l.bot) / (self.l.top - self.l.bot)
