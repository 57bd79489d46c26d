"""Small statistics helpers shared by analyzers (sums with ``math.fsum`` for exact averages)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["FundModeMixin", "average", "standarddev"]


def average(values: Sequence[float], bessel: bool = False) -> float:
    """Mean of ``values``; with ``bessel`` the divisor is n - 1."""
    return math.fsum(values) / (len(values) - bessel)


def standarddev(values: Sequence[float], avgx: float | None = None, bessel: bool = False) -> float:
    """Standard deviation around ``avgx`` (the mean when not given)."""
    mean = average(values) if avgx is None else avgx
    # (v - mean) ** 2.0 for each value, as backtrader squares: C pow, which is not always
    # the correctly rounded v * v; map(pow) does the same calls without a Python loop
    devs = np.subtract(np.asarray(values, dtype=np.float64), mean).tolist()
    return math.sqrt(math.fsum(map(pow, devs, itertools.repeat(2.0))) / (len(devs) - bessel))


class FundModeMixin:
    """Reads the portfolio value, or the fund value when the analyzer works in fund mode."""

    strategy: Any
    p: Any

    def _setfundmode(self) -> None:
        """Decide the mode at start: the ``fund`` param, else the broker's own mode."""
        fund = self.p.fund
        self._fundmode = self.strategy.broker.fundmode if fund is None else fund

    def _brokervalue(self) -> float:
        broker = self.strategy.broker
        return broker.fundvalue if self._fundmode else broker.getvalue()

    def _pickvalue(self, value: float, fundvalue: float) -> float:
        """The value that counts in this mode, out of a ``notify_fund`` call."""
        return fundvalue if self._fundmode else value
