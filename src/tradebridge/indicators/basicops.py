"""Rolling window operations: Highest, Lowest, SumN and PercentRank."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._math import rolling_count_below, rolling_fsum, rolling_max, rolling_min
from .base import Indicator

__all__ = ["Highest", "Lowest", "PercentRank", "SumN"]


class _WindowOp(Indicator):
    """One value per bar from the last ``period`` values of the data."""

    params = (("period", 1),)

    def __init__(self) -> None:
        self.addminperiod(self.p.period)

    def _window(self) -> list[float]:
        return self.data.get(size=self.p.period)


class Highest(_WindowOp):
    """Highest value of the last ``period`` bars."""

    alias = ("MaxN",)
    lines = ("highest",)

    def _vec(self) -> np.ndarray:
        return rolling_max(self._arr(), self.p.period)

    def next(self) -> None:
        self.lines[0][0] = max(self._window())


class Lowest(_WindowOp):
    """Lowest value of the last ``period`` bars."""

    alias = ("MinN",)
    lines = ("lowest",)

    def _vec(self) -> np.ndarray:
        return rolling_min(self._arr(), self.p.period)

    def next(self) -> None:
        self.lines[0][0] = min(self._window())


class SumN(_WindowOp):
    """Exact (``math.fsum``) sum of the last ``period`` bars."""

    lines = ("sumn",)

    def _vec(self) -> np.ndarray:
        return rolling_fsum(self._arr(), self.p.period)

    def next(self) -> None:
        self.lines[0][0] = math.fsum(self._window())


def _rank(window: list[float]) -> float:
    """Share of the window strictly below its last value."""
    return math.fsum(x < window[-1] for x in window) / len(window)


class PercentRank(_WindowOp):
    """Share of the last ``period`` values below the current one (``func`` may replace it)."""

    alias = ("PctRank",)
    lines = ("pctrank",)
    params = (("period", 50), ("func", _rank))

    def _vec(self) -> np.ndarray:
        func: Callable[[list[float]], Any] = self.p.func
        x = self._arr()
        if func is _rank:
            return rolling_count_below(x, self.p.period) / self.p.period
        out = np.full(len(x), np.nan)
        vals = x.tolist()
        for i in range(self.p.period - 1, len(vals)):
            out[i] = func(vals[i - self.p.period + 1 : i + 1])
        return out

    def next(self) -> None:
        self.lines[0][0] = self.p.func(self._window())
