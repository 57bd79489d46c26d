"""Small statistics helpers shared by analyzers (sums with ``math.fsum`` for exact averages)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["FundModeMixin", "average", "standarddev"]


def average(values: Sequence[float], bessel: bool = False) -> float:
    """Mean of ``values``; with ``bessel`` the divisor is n - 1."""
    return math.fsum(values) / (len(values) - bessel)


def standarddev(values: Sequence[float], avgx: float | None = None, bessel: bool = False) -> float:
    """Standard deviation around ``avgx`` (the mean when not given)."""
    mean = average(values) if avgx is None else avgx
    return math.sqrt(average([(v - mean) ** 2.0 for v in values], bessel=bessel))


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
