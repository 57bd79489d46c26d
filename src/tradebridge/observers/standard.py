"""The observers Cerebro adds with ``stdstats=True`` and their single-value cousins."""

from __future__ import annotations

import math
from typing import Any

from .base import Observer, sink_lines, unsink_lines

__all__ = ["Broker", "BuySell", "Cash", "DataTrades", "Trades", "Value"]


class Cash(Observer):
    """The broker's cash each step."""

    lines = ("cash",)
    plotinfo = dict(plot=True, subplot=True)

    def next(self) -> None:
        self.lines[0][0] = self._owner.broker.getcash()


class Value(Observer):
    """The portfolio value (or fund value in fund mode) each step."""

    lines = ("value",)
    params = (("fund", None),)
    plotinfo = dict(plot=True, subplot=True)

    def start(self) -> None:
        fund = self.p.fund
        self._fundmode = self._owner.broker.fundmode if fund is None else fund

    def next(self) -> None:
        broker = self._owner.broker
        self.lines[0][0] = broker.fundvalue if self._fundmode else broker.getvalue()


class Broker(Observer):
    """Cash and value together (cerebro's default)."""

    alias = ("CashValue",)
    lines = ("cash", "value")
    params = (("fund", None),)
    plotinfo = dict(plot=True, subplot=True)

    def start(self) -> None:
        fund = self.p.fund
        self._fundmode = self._owner.broker.fundmode if fund is None else fund
        if self._fundmode:
            self.plotlines.cash = dict(_plotskip=True)
            self.plotlines.value = dict(_name="FundValue")

    def next(self) -> None:
        broker = self._owner.broker
        i = self._clk.idx
        if self._fundmode:
            self.value._a[i] = broker.fundvalue
        else:
            self.cash._a[i] = broker.getcash()
            self.value._a[i] = broker.getvalue()

    def _value_sink(self, broker: Any) -> bool:
        """Have ``broker`` write cash and value into the lines instead of a call per step."""
        if self._fundmode:
            return False
        broker.add_value_sink(self.cash._a, self.value._a)
        sink_lines(self.cash, self.value)
        return True

    def __getitem__(self, ago: int) -> float:
        flush = getattr(self.line0, "_flush", None)  # a sunk line: the waiting bars first
        if flush is not None:
            flush()
        return super().__getitem__(ago)

    def stop(self) -> None:
        unsink_lines(self.cash, self.value)


class BuySell(Observer):
    """Average execution price of buys and sells on the observed data, per step."""

    lines = ("buy", "sell")
    _on_events = True
    params = (("barplot", False), ("bardist", 0.015))
    plotinfo = dict(plot=True, subplot=False, plotlinelabels=True)
    plotlines = dict(
        buy=dict(marker="^", markersize=8.0, color="lime", fillstyle="full", ls=""),
        sell=dict(marker="v", markersize=8.0, color="red", fillstyle="full", ls=""),
    )

    def start(self) -> None:
        self._buys = [0.0, 0]
        self._sells = [0.0, 0]

    def next(self) -> None:
        pending = self._owner._orderspending
        if not pending:
            return
        data = self.data
        buys, sells = [], []
        for order in pending:
            executed = order.executed
            if order.data is not data or not executed.size:
                continue
            (buys if order.isbuy() else sells).append(executed.price)
        if buys:
            self._mark(self.lines.buy, buys, data.low, 1.0 - self.p.bardist)
        if sells:
            self._mark(self.lines.sell, sells, data.high, 1.0 + self.p.bardist)

    def _mark(self, line: Any, prices: list[float], ref: Any, factor: float) -> None:
        a, i = line._a, line._clk.idx
        cur = a[i]
        total, count = (0.0, 0) if math.isnan(cur) else (cur * 1.0, 1)
        value = (total + math.fsum(prices)) / (count + len(prices))
        a[i] = ref[0] * factor if self.p.barplot else value


class Trades(Observer):
    """Profit/loss of trades as they close (positive and negative apart)."""

    lines = ("pnlplus", "pnlminus")
    _on_events = True
    params = (("pnlcomm", True),)
    plotinfo = dict(plot=True, subplot=True, plotname="Trades - Net Profit/Loss")
    plotlines = dict(
        pnlplus=dict(_name="Positive", ls="", marker="o", color="blue", markersize=8.0,
                     fillstyle="full"),
        pnlminus=dict(_name="Negative", ls="", marker="o", color="red", markersize=8.0,
                      fillstyle="full"),
    )

    def start(self) -> None:
        self.trades = self.trades_long = self.trades_short = 0
        self.trades_plus = self.trades_minus = 0
        self.trades_plus_gross = self.trades_minus_gross = 0
        self.trades_win = self.trades_win_max = self.trades_win_min = 0
        self.trades_loss = self.trades_loss_max = self.trades_loss_min = 0
        self.trades_length = self.trades_length_max = self.trades_length_min = 0
        self._dataids = {id(d) for d in self._owner.datas}  # by identity: == on lines compares

    def next(self) -> None:
        dataids = self._dataids
        for trade in self._owner._tradespending:
            if not trade.isclosed or id(trade.data) not in dataids:
                continue
            pnl = trade.pnlcomm if self.p.pnlcomm else trade.pnl
            if pnl >= 0.0:
                self.lines.pnlplus[0] = pnl
            else:
                self.lines.pnlminus[0] = pnl


class DataTrades(Observer):
    """Closed-trade profit/loss per data, one line per data (several datas)."""

    params = (("usenames", True),)
    _on_events = True
    plotinfo = dict(plot=True, subplot=True, plothlines=[0.0], plotymargin=0.10)

    def _make_lines(self, clk: Any, size: int = 0) -> None:
        owner = self._owner
        names = tuple(
            (d._name if self.p.usenames and d._name else f"data{i}")
            for i, d in enumerate(owner.datas))
        cls = type(self)
        if cls._line_names != names:
            cls = type("DataTrades", (DataTrades,), {"lines": names})
            self.__class__ = cls
        super()._make_lines(clk, size)

    def next(self) -> None:
        datas = self._owner.datas
        for trade in self._owner._tradespending:
            if not trade.isclosed:
                continue
            for i, d in enumerate(datas):
                if trade.data is d:
                    self.lines[i][0] = trade.pnlcomm
                    break

