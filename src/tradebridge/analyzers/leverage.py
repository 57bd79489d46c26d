"""GrossLeverage: share of the portfolio value invested, each step."""

from __future__ import annotations

from ._stats import FundModeMixin
from .base import Analyzer

__all__ = ["GrossLeverage"]


class GrossLeverage(FundModeMixin, Analyzer):
    """``{datetime: (value - cash) / value}``."""

    params = (("fund", None),)

    def start(self) -> None:
        self._setfundmode()

    def notify_fund(self, cash: float, value: float, fundvalue: float, shares: float) -> None:
        self._cash = cash
        self._value = self._pickvalue(value, fundvalue)

    def next(self) -> None:
        self.rets[self.data0.datetime.datetime()] = (self._value - self._cash) / self._value
