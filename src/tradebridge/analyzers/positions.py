"""Per-step holdings: executed transactions (Transactions) and position values (PositionsValue)."""

from __future__ import annotations

import collections
from typing import Any

from ..orders import Order, Position
from ..utils.timeframe import TimeFrame
from .base import Analyzer

__all__ = ["PositionsValue", "Transactions"]


class Transactions(Analyzer):
    """``{datetime: [[size, price, data index, data name, -size*price], ...]}`` for each
    step with executions (netted per data within the step)."""

    params = (("headers", False), ("_pfheaders", ("date", "amount", "price", "sid", "symbol", "value")))

    def start(self) -> None:
        if self.p.headers:
            self.rets[self.p._pfheaders[0]] = [list(self.p._pfheaders[1:])]
        self._positions: collections.defaultdict[str, Position] = collections.defaultdict(Position)
        self._idnames = list(enumerate(self.strategy.getdatanames()))

    def notify_order(self, order: Any) -> None:
        if order.status not in (Order.Partial, Order.Completed):
            return
        pos = self._positions[order.data._name]
        for exbit in order.executed.iterpending():
            if exbit is None:
                break
            pos.update(exbit.size, exbit.price)

    def next(self) -> None:
        entries = []
        for i, dname in self._idnames:
            pos = self._positions.get(dname)
            if pos is not None and pos.size:
                entries.append([pos.size, pos.price, i, dname, -pos.size * pos.price])
        if entries:
            self.rets[self.strategy.datetime.datetime()] = entries
        self._positions.clear()


class PositionsValue(Analyzer):
    """``{date: [value of each data's position, (cash)]}`` each step."""

    params = (("headers", False), ("cash", False))

    def start(self) -> None:
        if self.p.headers:
            headers = [d._name or f"Data{i}" for i, d in enumerate(self.datas)]
            self.rets["Datetime"] = headers + ["cash"] * self.p.cash
        self._usedate = min(d._timeframe for d in self.datas) >= TimeFrame.Days

    def next(self) -> None:
        broker = self.strategy.broker
        pvals = [broker.get_value([d]) for d in self.datas]
        if self.p.cash:
            pvals.append(broker.get_cash())
        dtline = self.strategy.datetime
        self.rets[dtline.date() if self._usedate else dtline.datetime()] = pvals
