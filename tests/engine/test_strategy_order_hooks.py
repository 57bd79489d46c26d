"""Order notifications reach whoever listens: an overriding notify_order, one set on the
instance, and analyzers; a strategy that listens to nothing still trades the same."""

import tradebridge as bt
from tradebridge.utils.synthetic import synthetic_ohlcv


class Flip(bt.Strategy):
    def next(self):
        if len(self) % 10 == 0:
            self.close() if self.position else self.buy()


class Heard(Flip):
    def start(self):
        self.heard = []

    def notify_order(self, order):
        self.heard.append((order.ref, order.getstatusname()))


class Counter(bt.Analyzer):
    def start(self):
        self.rets["orders"] = 0

    def notify_order(self, order):
        self.rets["orders"] += 1


def _run(strategy, analyzer=False):
    cerebro = bt.Cerebro()
    cerebro.adddata(bt.feeds.PandasData(dataname=synthetic_ohlcv(120)))
    cerebro.addstrategy(strategy)
    if analyzer:
        cerebro.addanalyzer(Counter, _name="count")
    return cerebro.run()[0], cerebro.broker.getvalue()


def test_an_overriding_notify_order_hears_every_status_of_every_order():
    strat, _ = _run(Heard)
    # 12 orders, the last placed on the last bar (nothing after it delivers its news): 11
    # orders are heard Submitted, Accepted and Completed
    assert len(strat.heard) == 3 * 11
    assert {s for _, s in strat.heard} == {"Submitted", "Accepted", "Completed"}


def test_a_notify_order_set_on_the_instance_hears_them_too():
    heard = []

    class Instance(Flip):
        def __init__(self):
            self.notify_order = heard.append

    _run(Instance)
    assert len(heard) == 33


def test_analyzers_hear_orders_when_the_strategy_does_not_and_results_do_not_change():
    strat, value = _run(Flip, analyzer=True)
    assert strat.analyzers.count.get_analysis()["orders"] == 33
    assert _run(Heard)[1] == value == _run(Flip)[1]
