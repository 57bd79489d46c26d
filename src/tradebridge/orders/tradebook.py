"""Per-strategy trade bookkeeping: turn an executed order's new fills into Trade updates."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .trade import Trade

__all__ = ["TradeBook"]


class TradeBook:
    """Trades per (data, tradeid); ``add`` returns the trade copies to notify, in order."""

    def __init__(self, historyon: bool = False) -> None:
        self.historyon = historyon
        self.trades: defaultdict[Any, defaultdict[int, list[Trade]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def _new(self, data: Any, tradeid: int) -> Trade:
        """Start a trade and file it."""
        trade = Trade(data=data, tradeid=tradeid, historyon=self.historyon)
        self.trades[data][tradeid].append(trade)
        return trade

    def add(self, order: Any) -> list[Trade]:
        """Apply the order's pending fills (a notified clone); return trades to notify."""
        out: list[Trade] = []
        if not order.executed.size:
            return out
        data = order.data._compensate
        if data is None:
            data = order.data
        tradeid = order.tradeid
        known = self.trades[data][tradeid]
        trade = known[-1] if known else self._new(data, tradeid)
        comminfo = order.comminfo
        for bit in order.executed.iterpending():
            if bit is None:
                break
            if bit.closed:
                trade.update(order, bit.closed, bit.price, bit.closedvalue, bit.closedcomm,
                             bit.pnl, comminfo=comminfo)
                if trade.isclosed:
                    out.append(trade.__copy__())
            if bit.opened:
                if trade.isclosed:
                    trade = self._new(data, tradeid)
                trade.update(order, bit.opened, bit.price, bit.openedvalue, bit.openedcomm,
                             bit.pnl, comminfo=comminfo)
                if trade.isclosed:  # other tradeids flattened the position: opens, yet closes
                    out.append(trade.__copy__())
            if trade.justopened:
                out.append(trade.__copy__())
        return out

    def get(self, data: Any, tradeid: int = 0) -> list[Trade]:
        """The trades (open and closed) of ``data`` and ``tradeid``."""
        return self.trades[data][tradeid]
