"""The Strategy API against backtrader's: lengths, line slices, datetime accessors,
positions, env/cerebro, stats and analyzers by name, target orders, cancel, brackets."""

from __future__ import annotations

from typing import Any

import backtrader as bt
from _enginediff import compare, log_order, log_trade

import tradebridge as tb
from tradebridge.utils.synthetic import synthetic_ohlcv

DF = synthetic_ohlcv(260, seed=17)


def both(fn: Any) -> tuple[Any, Any]:
    return fn(tb), fn(bt)


def test_len_slices_and_datetime_accessors_equal_backtrader() -> None:
    def run(lib: Any) -> list:
        out: list = []

        class Probe(lib.Strategy):
            def next(self) -> None:
                if len(self) < 7:
                    return
                got = self.data.close.get(ago=-1, size=5)
                out.append((len(self), len(self.data), type(got).__name__, tuple(got),
                            tuple(self.data.close.get(size=3)), self.datetime.date(0),
                            self.data.datetime.time(0), self.data.datetime.datetime(-1),
                            self.data.datetime.date(-2)))

        cerebro = lib.Cerebro()
        cerebro.adddata(lib.feeds.PandasData(dataname=DF))
        cerebro.addstrategy(Probe)
        cerebro.run()
        return out

    ours, ref = both(run)
    assert ours == ref and ref[0][2] == "array"


def test_positions_env_stats_and_analyzers_by_name() -> None:
    def run(lib: Any) -> list:
        out: list = []

        class Probe(lib.Strategy):
            def next(self) -> None:
                if len(self) == 8:
                    self.buy(data=self.datas[1], size=4)
                if len(self) == 12:
                    pos = self.getposition(self.datas[1])
                    out.append((pos.size, pos.price, self.getpositionbyname("b").size,
                                self.getpositionbyname().size, self.position.size,
                                sorted(p.size for p in self.positions.values()),
                                self.env is self.cerebro,
                                self.stats.getnames(), self.analyzers.tr is self.analyzers[0],
                                self.getdatanames(), self.getdatabyname("b") is self.data1))

        cerebro = lib.Cerebro()
        cerebro.adddata(lib.feeds.PandasData(dataname=DF), name="a")
        cerebro.adddata(lib.feeds.PandasData(dataname=DF.iloc[3:]), name="b")
        cerebro.addanalyzer(lib.analyzers.TradeAnalyzer, _name="tr")
        cerebro.addstrategy(Probe)
        strat = cerebro.run()[0]
        return [*out, strat.cerebro is cerebro, strat.analyzers.getnames(),
                strat.stats.broker.lines.value[0], strat.stats.broker.lines.value[-5]]

    ours, ref = both(run)
    assert ours == ref and ours[0][-2:] == (["a", "b"], True) and ours[0][0] == 4


def target_trader(lib: Any) -> type:
    class TargetTrader(lib.Strategy):
        def __init__(self) -> None:
            self.log: list[tuple] = []
            self.pending: Any = None

        def notify_order(self, order: Any) -> None:
            log_order(self, order)

        def notify_trade(self, trade: Any) -> None:
            log_trade(self, trade)

        def next(self) -> None:
            n = len(self)
            step = n % 40
            if step == 5:
                self.log.append(("ret", self.order_target_size(target=7) is not None))
            elif step == 12:
                self.order_target_size(target=-3)
            elif step == 18:
                self.order_target_value(target=2500.0)
            elif step == 24:
                self.order_target_percent(target=0.3)
            elif step == 28:
                self.order_target_percent(target=0.1)
            elif step == 30:
                self.log.append(("none", self.order_target_size(target=self.position.size)))
            elif step == 33:
                self.pending = self.buy(size=1, exectype=self.pending_type(), price=1.0)
            elif step == 35:
                self.cancel(self.pending)
            elif step == 38:
                self.order_target_value(target=0)

        @staticmethod
        def pending_type() -> Any:
            return lib.Order.Limit

    return TargetTrader


def test_order_targets_and_cancel_equal_backtrader() -> None:
    log = compare(target_trader, [DF])
    assert any(e[0] == "order" and e[2] == "Canceled" for e in log)


def bracket_trader(lib: Any) -> type:
    class BracketTrader(lib.Strategy):
        def __init__(self) -> None:
            self.log: list[tuple] = []

        def notify_order(self, order: Any) -> None:
            log_order(self, order)

        def next(self) -> None:
            if len(self) % 25 != 3 or self.position:
                return
            close = self.data.close[0]
            if len(self) % 50 == 3:
                orders = self.buy_bracket(size=2, price=close * 0.99, stopprice=close * 0.95,
                                          limitprice=close * 1.04)
            else:
                orders = self.sell_bracket(size=3, price=close * 1.01, stopprice=close * 1.05,
                                           limitprice=close * 0.96, exectype=lib.Order.Limit)
            refs = [o.ref for o in orders]
            self.log.append(("bracket", len(orders), [o.isbuy() for o in orders],
                             [o.exectype for o in orders], [o.transmit for o in orders],
                             [None if o.parent is None else refs.index(o.parent.ref)
                              for o in orders], [o.size for o in orders],
                             [o.price for o in orders]))

    return BracketTrader


def test_brackets_return_the_same_orders_and_links_as_backtrader() -> None:
    log = compare(bracket_trader, [DF])
    brackets = [e for e in log if e[0] == "bracket"]
    assert brackets and brackets[0][4] == [False, False, True] and brackets[0][5] == [None, 0, 0]
    assert any(e[0] == "order" and e[2] == "Completed" for e in log)
