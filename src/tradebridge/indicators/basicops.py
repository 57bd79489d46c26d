"""Rolling window operations: the ``PeriodN``/``OperationN`` bases, Highest, Lowest, SumN,
PercentRank, ApplyN, ReduceN, AllN, AnyN, the FindFirst/LastIndex family and Accum."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._math import rolling_count_below, rolling_fsum, rolling_max, rolling_min, window_view
from .base import Indicator

__all__ = [
    "Accum", "AllN", "AnyN", "ApplyN", "BaseApplyN", "FindFirstIndex", "FindFirstIndexHighest",
    "FindFirstIndexLowest", "FindLastIndex", "FindLastIndexHighest", "FindLastIndexLowest",
    "Highest", "Lowest", "OperationN", "PercentRank", "PeriodN", "ReduceN", "SumN",
]


def apply_windows(x: np.ndarray, period: int, func: Callable[[list[float]], Any], start: int) -> np.ndarray:
    """``func`` of each ``period`` window (a list, oldest first) ending at bar ``start`` or later."""
    vals = np.asarray(x, dtype=np.float64).tolist()
    out = np.full(len(vals), np.nan)
    for i in range(max(start, period - 1), len(vals)):
        out[i] = func(vals[i - period + 1 : i + 1])
    return out


class PeriodN(Indicator):
    """Base of indicators over a ``period``: their first value comes ``period`` bars in."""

    params = (("period", 1),)

    def __init__(self) -> None:
        self.addminperiod(self.p.period)


class OperationN(PeriodN):
    """``func`` (a class attribute) of the last ``period`` values, every bar."""

    func: Any = None

    def _window(self) -> list[float]:
        return self.data.get(size=self.p.period)

    def _vec(self) -> np.ndarray:
        return apply_windows(self._arr(), self.p.period, self.func, self._minperiod - 1)

    def next(self) -> None:
        self.lines[0][0] = self.func(self._window())


class Highest(OperationN):
    """Highest value of the last ``period`` bars."""

    alias = ("MaxN",)
    lines = ("highest",)
    func = max

    def _vec(self) -> np.ndarray:
        return rolling_max(self._arr(), self.p.period)


class Lowest(OperationN):
    """Lowest value of the last ``period`` bars."""

    alias = ("MinN",)
    lines = ("lowest",)
    func = min

    def _vec(self) -> np.ndarray:
        return rolling_min(self._arr(), self.p.period)


class SumN(OperationN):
    """Exact (``math.fsum``) sum of the last ``period`` bars."""

    lines = ("sumn",)
    func = math.fsum

    def _vec(self) -> np.ndarray:
        return rolling_fsum(self._arr(), self.p.period)


class _TruthN(OperationN):
    """1.0 or 0.0 from the truth of the last ``period`` values (NaN counts as true, as in Python)."""

    _all = True

    def _vec(self) -> np.ndarray:
        x = self._arr()
        out = np.full(len(x), np.nan)
        if len(x) >= self.p.period:
            nonzero = window_view(x, self.p.period) != 0.0
            out[self.p.period - 1 :] = nonzero.all(axis=1) if self._all else nonzero.any(axis=1)
        return out


class AllN(_TruthN):
    """1.0 when every one of the last ``period`` values is non-zero."""

    lines = ("alln",)
    func = all


class AnyN(_TruthN):
    """1.0 when any of the last ``period`` values is non-zero."""

    lines = ("anyn",)
    func = any
    _all = False


class BaseApplyN(OperationN):
    """Base of window operations whose ``func`` is a parameter (a callable of the window list)."""

    params = (("func", None),)

    def __init__(self) -> None:
        if not callable(self.p.func):
            raise TypeError(f"{type(self).__name__}: func must be a callable of the window, "
                            f"got {self.p.func!r}")
        self.func = self.p.func
        super().__init__()


class ApplyN(BaseApplyN):
    """``func`` of the last ``period`` values (a list, oldest first), every bar."""

    lines = ("apply",)


def _rank(window: list[float]) -> float:
    """Share of the window strictly below its last value."""
    return math.fsum(x < window[-1] for x in window) / len(window)


class PercentRank(BaseApplyN):
    """Share of the last ``period`` values below the current one (``func`` may replace it)."""

    alias = ("PctRank",)
    lines = ("pctrank",)
    params = (("period", 50), ("func", _rank))

    def _vec(self) -> np.ndarray:
        if self.func is _rank:
            return rolling_count_below(self._arr(), self.p.period) / self.p.period
        return super()._vec()


_NO_INITIALIZER: Any = object()


class ReduceN(OperationN):
    """``functools.reduce(function, window[, initializer])`` of the last ``period`` values.

    As backtrader's, ``function`` is the first non-data argument (or ``function=``)."""

    lines = ("reduced",)

    def __init__(self, function: Callable[[Any, Any], Any], initializer: Any = _NO_INITIALIZER) -> None:
        self.function, self.initializer = function, initializer
        super().__init__()

    def func(self, window: list[float]) -> Any:
        if self.initializer is _NO_INITIALIZER:
            return functools.reduce(self.function, window)
        return functools.reduce(self.function, window, self.initializer)


class FindFirstIndex(OperationN):
    """Bars back (0 = now) to the newest of the last ``period`` values equal to ``_evalfunc(window)``."""

    lines = ("index",)
    params = (("_evalfunc", None),)
    _newest = True  # the first match looking back from the current bar

    def __init__(self) -> None:
        if not callable(self.p._evalfunc):
            raise TypeError(f"{type(self).__name__}: _evalfunc must be a callable of the window "
                            f"(max, min, ...), got {self.p._evalfunc!r}")
        super().__init__()

    def func(self, window: list[float]) -> float:
        target = self.p._evalfunc(window)
        agos = range(len(window)) if self._newest else range(len(window) - 1, -1, -1)
        return next((float(ago) for ago in agos if window[-1 - ago] == target), math.nan)

    def _vec(self) -> np.ndarray:
        evalfunc = self.p._evalfunc
        if evalfunc is not max and evalfunc is not min:
            return super()._vec()
        x = self._arr()
        period = self.p.period
        out = np.full(len(x), np.nan)
        if len(x) < period:
            return out
        target = (rolling_max if evalfunc is max else rolling_min)(x, period)[period - 1 :]
        hits = window_view(x, period)[:, ::-1] == target[:, None]  # newest first
        if self._newest:
            ago = hits.argmax(axis=1).astype(np.float64)
        else:
            ago = (period - 1 - hits[:, ::-1].argmax(axis=1)).astype(np.float64)
        out[period - 1 :] = np.where(hits.any(axis=1), ago, np.nan)
        return out


class FindLastIndex(FindFirstIndex):
    """Bars back to the oldest of the last ``period`` values equal to ``_evalfunc(window)``."""

    _newest = False


class FindFirstIndexHighest(FindFirstIndex):
    """Bars back to the newest highest value of the last ``period``."""

    params = (("_evalfunc", max),)


class FindFirstIndexLowest(FindFirstIndex):
    """Bars back to the newest lowest value of the last ``period``."""

    params = (("_evalfunc", min),)


class FindLastIndexHighest(FindLastIndex):
    """Bars back to the oldest highest value of the last ``period``."""

    params = (("_evalfunc", max),)


class FindLastIndexLowest(FindLastIndex):
    """Bars back to the oldest lowest value of the last ``period``."""

    params = (("_evalfunc", min),)


class Accum(Indicator):
    """Running sum of the data from ``seed`` on (backtrader's ``CumSum``)."""

    alias = ("CumSum", "CumulativeSum")
    lines = ("accum",)
    params = (("seed", 0.0),)

    def _vec(self) -> np.ndarray:
        x = self._arr()
        out = np.full(len(x), np.nan)
        start = self._minperiod - 1
        if start < len(x):
            steps = x[start:].copy()
            steps[0] += self.p.seed
            out[start:] = np.cumsum(steps)  # sequential, as the bar-by-bar running total
        return out

    def nextstart(self) -> None:
        self.lines[0][0] = self.p.seed + self.data[0]

    def next(self) -> None:
        self.lines[0][0] = self.lines[0][-1] + self.data[0]
