"""Simple moving average and exponential smoothing, the kernels most indicators build on."""

from __future__ import annotations

import math

import numpy as np

from ._math import rolling_fsum, seeded_smoothing
from .base import Indicator

__all__ = [
    "Average", "ExponentialMovingAverage", "ExponentialSmoothing", "MovingAverageBase",
    "MovingAverageSimple",
]


class MovingAverageBase(Indicator):
    """Base of moving averages: a ``period`` and plotted over the data."""

    params = (("period", 30),)
    plotinfo = dict(subplot=False)


class Average(MovingAverageBase):
    """Arithmetic mean of the last ``period`` values."""

    alias = ("ArithmeticMean", "Mean")
    lines = ("av",)

    def __init__(self) -> None:
        self.addminperiod(self.p.period)

    def _vec(self) -> np.ndarray:
        return rolling_fsum(self._arr(), self.p.period) / self.p.period

    def next(self) -> None:
        self.lines[0][0] = math.fsum(self.data.get(size=self.p.period)) / self.p.period


class MovingAverageSimple(MovingAverageBase):
    """Simple moving average (SMA)."""

    alias = ("SMA", "SimpleMovingAverage")
    lines = ("sma",)

    def __init__(self) -> None:
        self.addminperiod(self.p.period)

    def _vec(self) -> np.ndarray:
        return rolling_fsum(self._arr(), self.p.period) / self.p.period

    def next(self) -> None:
        self.lines[0][0] = math.fsum(self.data.get(size=self.p.period)) / self.p.period


class ExponentialSmoothing(Average):
    """Exponential smoothing seeded with the simple average of the first ``period`` bars."""

    alias = ("ExpSmoothing",)
    params = (("alpha", None),)

    def __init__(self) -> None:
        super().__init__()
        self.alpha = self.p.alpha
        if self.alpha is None:
            self.alpha = 2.0 / (1.0 + self.p.period)
        self.alpha1 = 1.0 - self.alpha

    def _vec(self) -> np.ndarray:
        offset = self._minperiod - self.p.period
        return seeded_smoothing(self._arr(), self.p.period, self.alpha, offset)

    def nextstart(self) -> None:
        super().next()

    def next(self) -> None:
        self.lines[0][0] = self.lines[0][-1] * self.alpha1 + self.data[0] * self.alpha


class ExponentialMovingAverage(MovingAverageBase):
    """Exponential moving average, alpha = 2 / (1 + period)."""

    alias = ("EMA", "MovingAverageExponential")
    lines = ("ema",)

    def __init__(self) -> None:
        self.lines[0] = es = ExponentialSmoothing(
            self.data, period=self.p.period, alpha=2.0 / (1.0 + self.p.period))
        self.alpha, self.alpha1 = es.alpha, es.alpha1
