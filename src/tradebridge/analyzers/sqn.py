"""SQN (System Quality Number): sqrt(trades) * mean(pnl) / stddev(pnl) of closed trades."""

from __future__ import annotations

import math
from typing import Any

from ..orders import AutoOrderedDict
from ._stats import average, standarddev
from .base import Analyzer

__all__ = ["SQN", "SystemQualityNumber"]


class SQN(Analyzer):
    """``sqn`` and ``trades`` (0 with fewer than two closed trades)."""

    alias = ("SystemQualityNumber",)

    def create_analysis(self) -> None:
        self.rets = AutoOrderedDict()

    def start(self) -> None:
        self.pnl: list[float] = []
        self.count = 0

    def notify_trade(self, trade: Any) -> None:
        if trade.status == trade.Closed:
            self.pnl.append(trade.pnlcomm)
            self.count += 1

    def stop(self) -> None:
        sqn: float | None = 0
        if self.count > 1:
            try:
                sqn = math.sqrt(len(self.pnl)) * average(self.pnl) / standarddev(self.pnl)
            except ZeroDivisionError:
                sqn = None
        self.rets.sqn = sqn
        self.rets.trades = self.count


SystemQualityNumber = SQN
