"""A scripted live strategy for venue tests: ``steps[n](self)`` on the n-th live bar, every
notification recorded; the IB and OANDA kits both run it."""

from __future__ import annotations

from typing import Any

import tradebridge as bt


class ScriptedStrategy(bt.Strategy):
    """Runs ``steps[n](self)`` on the n-th live bar, stops at ``stop_at`` (or on the first order
    notification with status ``stop_on``); records statuses, orders, trades and store messages."""

    params = (("steps", None), ("stop_at", 10), ("stop_on", None))

    def __init__(self):
        self.live, self.status, self.backfilled = 0, "", 0
        self.statuses_seen: list[str] = []
        self.events: list[tuple] = []  # (ref, status name, executed size, executed price, info copy)
        self.trades: list[Any] = []
        self.messages: list[str] = []
        self.orders: dict[str, Any] = {}

    def notify_data(self, data, status, *args, **kwargs):
        self.status = data._getstatusname(status)
        self.statuses_seen.append(self.status)

    def notify_order(self, order):
        self.events.append((order.ref, order.getstatusname(), order.executed.size, order.executed.price,
                            dict(order.info)))
        if self.p.stop_on is not None and order.getstatusname() == self.p.stop_on:
            self.env.runstop()

    def notify_trade(self, trade):
        self.trades.append((trade.status, trade.size, trade.pnlcomm))

    def notify_store(self, msg, *args, **kwargs):
        self.messages.append(str(msg))

    def next(self):
        if self.status != "LIVE":
            self.backfilled += 1
            return
        self.live += 1
        step = (self.p.steps or {}).get(self.live)
        if step is not None:
            step(self)
        if self.live >= self.p.stop_at:
            self.env.runstop()

    def statuses(self, order) -> list[str]:
        """The statuses ``order`` went through, in order."""
        return [s for ref, s, *_ in self.events if ref == order.ref]

    def info(self, order) -> dict:
        """The order's info at its last notification."""
        return [i for ref, *_, i in self.events if ref == order.ref][-1]
