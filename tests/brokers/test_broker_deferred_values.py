"""Deferred valuation: on bars where the broker has nothing to do, the backtest broker values
the account only when someone reads it, in one pass. Every figure a run shows must be the
bit-for-bit same as when every bar is valued as it comes (``defer_values`` switched off)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tradebridge as bt
from tradebridge.brokers.backbroker import BackBroker
from tradebridge.brokers.valuation import add_unlevered, add_unlevered_array
from tradebridge.utils.synthetic import synthetic_ohlcv

BARS = 400


def _frame():
    return synthetic_ohlcv(BARS, seed=7, start="2001-01-01", freq="D", drift=0.0)


class CrossLong(bt.Strategy):
    """Long only: flat and long stretches (the common case)."""

    def __init__(self):
        self.cross = bt.ind.CrossOver(bt.ind.SMA(period=5), bt.ind.SMA(period=15))

    def next(self):
        if not self.position:
            if self.cross > 0:
                self.buy(size=7)
        elif self.cross < 0:
            self.close()


class Reverser(bt.Strategy):
    """Long and short stretches: a short position is valued by its own branch."""

    def next(self):
        if len(self) % 23 == 0:
            self.order_target_size(target=-4 if self.position.size > 0 else 6)


class Reader(CrossLong):
    """Reads value, cash and the observer's lines on every bar, as logging strategies do."""

    def start(self):
        self.seen = []

    def next(self):
        super().next()
        broker = self.broker
        obs = self.stats.broker
        last = (obs.value[-1], obs.lines.cash[-1], obs[-1]) if len(self) > 1 else ()
        self.seen.append((broker.getvalue(), broker.getcash(), broker.get_value(mkt=True),
                          broker.get_value(lever=True), broker.get_leverage(), *last))


class CashMover(CrossLong):
    """Adds cash often, sets it once, and sizes with order_target_value (which values one
    data alone and applies queued cash then)."""

    def next(self):
        super().next()
        n = len(self)
        if n % 40 == 0:
            self.broker.add_cash(250.0)
        if n % 70 == 0:
            self.broker.add_cash(-100.0)
            self.order_target_value(target=self.broker.getvalue() * 0.3)
        if n == 200:
            self.broker.set_cash(self.broker.getcash() + 1000.0)


class Waiter(bt.Strategy):
    """A limit order far from the price waits many bars (busy bars that value eagerly)."""

    def next(self):
        if len(self) == 20:
            self.buy(size=3)
        if len(self) == 60:
            self.buy(size=2, exectype=bt.Order.Limit, price=self.data.close[0] * 0.9)
        if len(self) == 300:
            self.close()


class Stopper(CrossLong):
    def next(self):
        super().next()
        if len(self) == 250:
            self.env.runstop()


class Valuer(bt.CommInfoBase):
    """A scheme that values positions its own way: valued bar by bar when caught up."""

    params = (("stocklike", True), ("commtype", bt.CommInfoBase.COMM_PERC))

    def getvaluesize(self, size, price):
        return size * price * 0.5


def _same(a, b):
    return len(a) == len(b) and all(
        x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
        for x, y in zip(a, b))


def _run(strategy, defer, monkeypatch, setup=None):
    with monkeypatch.context() as m:
        if not defer:
            m.setattr(BackBroker, "defer_values", lambda self, data, offset: False)
        cerebro = bt.Cerebro()
        cerebro.adddata(bt.feeds.PandasData(dataname=_frame()))
        cerebro.addstrategy(strategy)
        cerebro.addanalyzer(bt.analyzers.RunSummary, _name="summary")
        if setup is not None:
            setup(cerebro)
        strat = cerebro.run()[0]
    broker = cerebro.broker
    return {
        "cash": list(strat.stats.broker.cash.array),
        "value": list(strat.stats.broker.value.array),
        "value_obs": list(strat.stats.value.value.array) if hasattr(strat.stats, "value") else [],
        "summary": dict(strat.analyzers.summary.get_analysis()),
        "final": (broker.getvalue(), broker.getcash(), broker.get_value(mkt=True),
                  broker.get_value(lever=True), broker.get_fundvalue()),
        "seen": getattr(strat, "seen", None),
        "steps": len(strat),
    }


def _stock_leverage(cerebro):
    cerebro.broker.setcommission(commission=0.001, leverage=2.0)


def _custom_scheme(cerebro):
    cerebro.broker.addcommissioninfo(Valuer(commission=0.002))


def _no_shortcash(cerebro):
    cerebro.broker.set_shortcash(False)


def _futures(cerebro):
    cerebro.broker.setcommission(commission=2.0, margin=1000.0, mult=10.0)


def _value_observer(cerebro):
    cerebro.addobserver(bt.observers.Value)


def _fund(cerebro):
    cerebro.broker.set_fundmode(True)


CASES = {
    "long only": (CrossLong, None),
    "long and short": (Reverser, None),
    "leverage 2": (CrossLong, _stock_leverage),
    "a scheme of its own": (Reverser, _custom_scheme),
    "shortcash off": (Reverser, _no_shortcash),
    "futures (mark to market)": (Reverser, _futures),
    "fund mode": (CrossLong, _fund),
    "reads every bar": (Reader, None),
    "an observer reads every bar": (Reverser, _value_observer),
    "cash added and set": (CashMover, None),
    "a waiting limit order": (Waiter, None),
    "runstop": (Stopper, None),
}


@pytest.mark.parametrize("case", CASES)
def test_deferred_valuation_gives_every_figure_eager_valuation_gives(case, monkeypatch):
    strategy, setup = CASES[case]
    eager = _run(strategy, False, monkeypatch, setup)
    lazy = _run(strategy, True, monkeypatch, setup)
    assert lazy["steps"] == eager["steps"]
    for key in ("cash", "value", "value_obs"):
        assert _same(lazy[key], eager[key]), key
    assert not any(math.isnan(v) for v in lazy["value"]), "every step got its value"
    assert lazy["summary"] == eager["summary"]
    assert lazy["final"] == eager["final"]
    assert lazy["seen"] == eager["seen"]


def test_idle_bars_are_valued_in_batches_not_one_by_one(monkeypatch):
    calls = []
    revalue = BackBroker._revalue

    def counting(self, datas=None):
        calls.append(self._deferred is not None)
        return revalue(self, datas)

    monkeypatch.setattr(BackBroker, "_revalue", counting)
    cerebro = bt.Cerebro()
    cerebro.adddata(bt.feeds.PandasData(dataname=_frame()))
    cerebro.addstrategy(CrossLong)
    strat = cerebro.run()[0]
    trades = len(strat._orders)
    assert sum(calls) < trades + 10 < BARS // 2  # about one valuation per busy bar
    assert not any(math.isnan(v) for v in strat.stats.broker.value.array)


def test_a_broker_that_values_its_own_way_is_not_deferred():
    class Mine(BackBroker):
        def _revalue(self, datas=None):
            return super()._revalue(datas)

    data = bt.feeds.PandasData(dataname=_frame())
    data._start()
    assert not Mine().defer_values(data, 0)
    broker = BackBroker()
    broker.set_fundmode(True)
    assert not broker.defer_values(data, 0)
    assert BackBroker().defer_values(data, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6),
                          st.sampled_from([1.0, 2.0, 3.0, 0.5, 1])), min_size=1, max_size=50),
       st.floats(-1e3, 1e3))
def test_the_array_form_of_the_unlevered_sum_is_the_scalar_one_bit_for_bit(rows, acc):
    dvalue = np.array([r[0] for r in rows])
    dunrealized = np.array([r[1] for r in rows])
    lev = np.array([float(r[2]) for r in rows])
    got = add_unlevered_array(acc, dvalue, dunrealized, lev)
    want = [add_unlevered(acc, dv, du, lv) for dv, du, lv in rows]
    assert got.tolist() == want


@pytest.mark.parametrize("case", ["long only", "long and short", "reads every bar",
                                  "cash added and set"])
def test_small_batches_and_a_low_bound_give_the_same_figures(case, monkeypatch):
    from tradebridge.brokers import valuation

    strategy, setup = CASES[case]
    eager = _run(strategy, False, monkeypatch, setup)
    monkeypatch.setattr(valuation, "_BATCH", 3)  # most flushes in one array pass
    monkeypatch.setattr(valuation, "_BOUND", 37)  # and many before anyone reads
    lazy = _run(strategy, True, monkeypatch, setup)
    for key in ("cash", "value"):
        assert _same(lazy[key], eager[key]), key
    assert lazy["summary"] == eager["summary"] and lazy["final"] == eager["final"]
    assert lazy["seen"] == eager["seen"]
