"""Fund-mode observers: net asset value per share and number of shares each step."""

from __future__ import annotations

from .base import Observer

__all__ = ["FundShares", "FundValue"]


class FundValue(Observer):
    """The broker's fund value (value per share)."""

    alias = ("FundShareValue", "FundVal")
    lines = ("fundval",)
    plotinfo = dict(plot=True, subplot=True)

    def next(self) -> None:
        self.lines.fundval[0] = self._owner.broker.fundvalue


class FundShares(Observer):
    """The broker's number of fund shares."""

    lines = ("fundshares",)
    plotinfo = dict(plot=True, subplot=True)

    def next(self) -> None:
        self.lines.fundshares[0] = self._owner.broker.fundshares
