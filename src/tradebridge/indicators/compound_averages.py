"""Moving averages built from other averages: DEMA, TEMA, Hull, zero-lag EMA, Kaufman's
adaptive average, the error-correcting zero-lag indicator and Dickson's average of the last two."""

from __future__ import annotations

import math

import numpy as np

from ._math import adaptive_filter
from .averages import ExponentialMovingAverage, MovingAverageBase, WeightedMovingAverage
from .basicops import SumN

__all__ = [
    "AdaptiveMovingAverage", "DicksonMovingAverage", "DoubleExponentialMovingAverage", "HullMovingAverage",
    "TripleExponentialMovingAverage", "ZeroLagExponentialMovingAverage", "ZeroLagIndicator",
]


class DoubleExponentialMovingAverage(MovingAverageBase):
    """DEMA = 2 * EMA - EMA(EMA)."""

    alias = ("DEMA", "MovingAverageDoubleExponential")
    lines = ("dema",)
    params = (("_movav", ExponentialMovingAverage),)

    def __init__(self) -> None:
        ema = self.p._movav(self.data, period=self.p.period)
        ema2 = self.p._movav(ema, period=self.p.period)
        self.lines.dema = 2.0 * ema - ema2


class TripleExponentialMovingAverage(MovingAverageBase):
    """TEMA = 3 * EMA - 3 * EMA(EMA) + EMA(EMA(EMA))."""

    alias = ("TEMA", "MovingAverageTripleExponential")
    lines = ("tema",)
    params = (("_movav", ExponentialMovingAverage),)

    def __init__(self) -> None:
        ema1 = self.p._movav(self.data, period=self.p.period)
        ema2 = self.p._movav(ema1, period=self.p.period)
        ema3 = self.p._movav(ema2, period=self.p.period)
        self.lines.tema = 3.0 * ema1 - 3.0 * ema2 + ema3


class HullMovingAverage(MovingAverageBase):
    """Hull MA: WMA over sqrt(period) of 2 * WMA(period / 2) - WMA(period)."""

    alias = ("HMA", "HullMA")
    lines = ("hma",)
    params = (("_movav", WeightedMovingAverage),)

    def __init__(self) -> None:
        wma = self.p._movav(self.data, period=self.p.period)
        wma2 = self.p._movav(self.data, period=self.p.period // 2)
        sqrtperiod = int(math.sqrt(self.p.period))
        self.lines.hma = self.p._movav(2.0 * wma2 - wma, period=sqrtperiod)


class ZeroLagExponentialMovingAverage(MovingAverageBase):
    """EMA of 2 * data - data lagged (period - 1) / 2 bars, removing most of the EMA's lag."""

    alias = ("ZLEMA", "ZeroLagEma")
    lines = ("zlema",)
    params = (("_movav", ExponentialMovingAverage),)

    def __init__(self) -> None:
        lag = (self.p.period - 1) // 2
        delagged = 2.0 * self.data - self.data(-lag)
        self.lines.zlema = self.p._movav(delagged, period=self.p.period)


class AdaptiveMovingAverage(MovingAverageBase):
    """Kaufman's adaptive MA: smoothing follows the efficiency ratio of the last period bars."""

    alias = ("KAMA", "MovingAverageAdaptive")
    lines = ("kama",)
    params = (("fast", 2), ("slow", 30))

    def __init__(self) -> None:
        direction = self.data - self.data(-self.p.period)
        volatility = SumN(abs(self.data - self.data(-1)), period=self.p.period)
        er = abs(direction / volatility)
        fast = 2.0 / (self.p.fast + 1.0)
        slow = 2.0 / (self.p.slow + 1.0)
        self.sc = pow(er * (fast - slow) + slow, 2)

    def _vec(self) -> np.ndarray:
        x = self._arr()
        start = self._minperiod - 1
        seed = self._seed(x[max(start - self.p.period + 1, 0) : start + 1].tolist())
        return adaptive_filter(x, self._line_arr(self.sc), start, seed)

    def _seed(self, window: list[float]) -> float:
        """The first value: the simple mean of the first full window."""
        return math.fsum(window) / self.p.period

    def nextstart(self) -> None:
        self.lines[0][0] = self._seed(self.data.get(size=self.p.period))

    def next(self) -> None:
        prev = self.lines[0][-1]
        self.lines[0][0] = prev + self.sc[0] * (self.data[0] - prev)


class ZeroLagIndicator(MovingAverageBase):
    """Ehlers' error-correcting EMA: each bar picks the gain that best tracks the price."""

    alias = ("ZLIndicator", "ZLInd", "EC", "ErrorCorrecting")
    lines = ("ec",)
    params = (("gainlimit", 50), ("_movav", ExponentialMovingAverage))

    def __init__(self) -> None:
        self.ema = self.p._movav(self.data, period=self.p.period)
        self.gains = [g / 10.0 for g in range(-self.p.gainlimit, self.p.gainlimit + 1)]

    def _best(self, price: float, ema: float, ec1: float) -> float:
        alpha, alpha1 = self.ema.alpha, self.ema.alpha1
        best, least = ema, math.inf
        for gain in self.gains:
            ec = alpha * (ema + gain * (price - ec1)) + alpha1 * ec1
            err = abs(price - ec)
            if err < least:
                best, least = ec, err
        return best

    def _vec(self) -> np.ndarray:
        price = self._arr().tolist()
        ema = self._line_arr(self.ema).tolist()
        out = [math.nan] * len(price)
        ec1 = math.nan
        for i in range(self._minperiod - 1, len(price)):
            ec1 = out[i] = self._best(price[i], ema[i], ec1)
        return np.asarray(out)

    def next(self) -> None:
        self.lines[0][0] = self._best(self.data[0], self.ema[0], self.lines[0][-1])


class DicksonMovingAverage(MovingAverageBase):
    """Dickson's average: the mean of the error-correcting EMA (``period``, ``gainlimit``) and a
    Hull average over ``hperiod`` (``_hma`` may replace Hull, ``_movav`` the EMA)."""

    alias = ("DMA", "DicksonMA")
    lines = ("dma",)
    params = (("gainlimit", 50), ("hperiod", 7), ("_movav", ExponentialMovingAverage),
              ("_hma", HullMovingAverage))

    def __init__(self) -> None:
        p = self.p
        ec = ZeroLagIndicator(self.data, period=p.period, gainlimit=p.gainlimit, _movav=p._movav)
        hull = p._hma(self.data, period=p.hperiod)
        self.lines.dma = (ec + hull) / 2.0
