"""The base moving averages (simple, exponential, smoothed, weighted), the plain averages
(arithmetic, weighted, exponential smoothing with a fixed or per-bar alpha) most indicators
build on, and ``MovingAverage`` (``MovAv``): every moving average by name."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..lines.buffer import LineBuffer
from ..lines.series import LineSeries
from ._math import recursive_dynamic, rolling_fsum, rolling_weighted, seeded_smoothing
from .base import Indicator
from .basicops import PeriodN

__all__ = [
    "Average", "ExponentialMovingAverage", "ExponentialSmoothing", "ExponentialSmoothingDynamic",
    "MovingAverage", "MovingAverageBase", "MovingAverageSimple", "SmoothedMovingAverage",
    "WeightedAverage", "WeightedMovingAverage",
]


class MovingAverage:
    """Namespace of every moving average by name, alias and short name (``MovAv.Simple``)."""

    alias = ("MovAv",)

    @classmethod
    def register(cls, macls: type) -> None:
        """Publish ``macls`` under its name, aliases, and those names minus "MovingAverage"."""
        for name in (macls.__name__, *macls.__dict__.get("alias", ())):
            setattr(cls, name, macls)
            short = name.replace("MovingAverage", "")
            if short and short != name:
                setattr(cls, short, macls)


class MovingAverageBase(Indicator):
    """Base of moving averages: a ``period`` and plotted over the data."""

    params = (("period", 30),)
    plotinfo = dict(subplot=False)
    _movav_register = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_movav_register", True):
            MovingAverage.register(cls)


MovingAverage.register(MovingAverageBase)


class Average(PeriodN):
    """Arithmetic mean of the last ``period`` values."""

    alias = ("ArithmeticMean", "Mean")
    lines = ("av",)

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


class ExponentialSmoothingDynamic(ExponentialSmoothing):
    """Exponential smoothing whose ``alpha`` is a line: each bar smooths with that bar's alpha.

    A number (or None) for ``alpha`` smooths as ``ExponentialSmoothing`` (backtrader raises)."""

    alias = ("ExpSmoothingDynamic",)

    def __init__(self) -> None:
        alpha = self.p.alpha
        self._dynamic = isinstance(alpha, (LineSeries, LineBuffer))
        if not self._dynamic:
            super().__init__()
            return
        PeriodN.__init__(self)
        self.alpha, self.alpha1 = alpha, 1.0 - alpha
        self.updateminperiod(alpha._minperiod)

    def _vec(self) -> np.ndarray:
        if not self._dynamic:
            return super()._vec()
        x = self._arr()
        start = self._minperiod - 1
        seed = math.fsum(x[max(start - self.p.period + 1, 0) : start + 1].tolist()) / self.p.period
        return recursive_dynamic(x, start, seed, self._line_arr(self.alpha1), self._line_arr(self.alpha))

    def next(self) -> None:
        if not self._dynamic:
            super().next()
            return
        self.lines[0][0] = self.lines[0][-1] * self.alpha1[0] + self.data[0] * self.alpha[0]


class WeightedAverage(PeriodN):
    """``coef`` times the sum of the last ``period`` values times ``weights`` (oldest first)."""

    alias = ("AverageWeighted",)
    lines = ("av",)
    params = (("coef", 1.0), ("weights", ()))

    def __init__(self) -> None:
        super().__init__()
        self.weights = [float(w) for w in self.p.weights]
        if len(self.weights) != self.p.period:  # backtrader: 0.0 without weights, or a truncated sum
            raise ValueError(f"{type(self).__name__}: weights must give one weight per bar of the "
                             f"period ({self.p.period}), got {len(self.weights)}")

    def _vec(self) -> np.ndarray:
        return self.p.coef * rolling_weighted(self._arr(), self.weights)

    def next(self) -> None:
        window = self.data.get(size=self.p.period)
        self.lines[0][0] = self.p.coef * math.fsum(w * x for w, x in zip(self.weights, window))


class ExponentialMovingAverage(MovingAverageBase):
    """Exponential moving average, alpha = 2 / (1 + period)."""

    alias = ("EMA", "MovingAverageExponential")
    lines = ("ema",)

    def __init__(self) -> None:
        self.lines[0] = es = ExponentialSmoothing(
            self.data, period=self.p.period, alpha=2.0 / (1.0 + self.p.period))
        self.alpha, self.alpha1 = es.alpha, es.alpha1


class SmoothedMovingAverage(MovingAverageBase):
    """Wilder's smoothed moving average: exponential smoothing with alpha = 1 / period."""

    alias = ("SMMA", "WilderMA", "MovingAverageSmoothed", "MovingAverageWilder",
             "ModifiedMovingAverage")
    lines = ("smma",)

    def __init__(self) -> None:
        self.lines[0] = es = ExponentialSmoothing(
            self.data, period=self.p.period, alpha=1.0 / self.p.period)
        self.alpha, self.alpha1 = es.alpha, es.alpha1


class WeightedMovingAverage(MovingAverageBase):
    """Linearly weighted moving average: weights 1..period, newest heaviest."""

    alias = ("WMA", "MovingAverageWeighted")
    lines = ("wma",)

    def __init__(self) -> None:
        self.addminperiod(self.p.period)
        self.coef = 2.0 / (self.p.period * (self.p.period + 1.0))
        self.weights = [float(x) for x in range(1, self.p.period + 1)]

    def _vec(self) -> np.ndarray:
        return rolling_weighted(self._arr(), self.weights) * self.coef

    def next(self) -> None:
        window = self.data.get(size=self.p.period)
        self.lines[0][0] = self.coef * math.fsum(w * x for w, x in zip(self.weights, window))
