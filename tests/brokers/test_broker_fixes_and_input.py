"""Deliberate departures from backtrader (bugs fixed), bad input, and the risk limits."""

import math

import backtrader as bt
import pandas as pd
import pytest
from _brokerdiff import events, run

import tradebridge as tb
from tradebridge.brokers import BackBroker, RiskLimits
from tradebridge.orders import Order
from tradebridge.utils.synthetic import synthetic_ohlcv

BASE = synthetic_ohlcv(40, seed=9)


def statuses(log):
    return [e[3] for e in events(log, "order")]


# -- fixes ------------------------------------------------------------------------------------
def test_valid_zero_is_a_day_order():
    """backtrader documents valid=0 as DAY but never stores it: the order never expires."""

    def plan(s, O):
        if len(s) == 3:
            s.buy(size=1, exectype=O.Limit, price=1.0, valid=0)

    assert statuses(run(bt, BASE, plan)) == ["Submitted", "Accepted"]
    assert statuses(run(tb, BASE, plan)) == ["Submitted", "Accepted", "Expired"]


def _through_bar() -> pd.DataFrame:
    """Bar 3 opens at 100 with low 99.8: a 1% slipped sell from the open (99) is below it."""
    df = BASE.iloc[:6].copy()
    df.iloc[3] = [100.0, 100.5, 99.8, 100.2, 50000.0, 0.0]
    return df


def test_sell_limit_slippage_is_capped_at_the_bar_low():
    """backtrader caps a sell limit's slipped open price at the limit, not at max(low, limit),
    so it fills at 99.0, below the bar's low of 99.8 (the buy side caps at min(high, limit))."""

    def plan(s, O):
        if len(s) == 3:
            s.sell(size=1, exectype=O.Limit, price=95.0)

    def setup(b):
        b.set_slippage_perc(0.01)

    price = [e[12] for e in events(run(bt, _through_bar(), plan, setup=setup), "order")
             if e[3] == "Completed"]
    ours = [e[12] for e in events(run(tb, _through_bar(), plan, setup=setup), "order")
            if e[3] == "Completed"]
    assert price == [pytest.approx(99.0)]
    assert ours == [99.8]


# -- bad input --------------------------------------------------------------------------------
def _broker_run(plan, **broker_kw):
    cerebro = tb.Cerebro(stdstats=False)
    cerebro.adddata(tb.feeds.PandasData(dataname=BASE))
    cerebro.broker = BackBroker(**broker_kw)
    holder = {}

    class S(tb.Strategy):
        def __init__(self):
            self.seen = []

        def notify_order(self, o):
            self.seen.append((o.getstatusname(), dict(o.info)))

        def next(self):
            if len(self) == 3:
                holder["cash"] = self.broker.getcash()
                plan(self)
                holder["after"] = (self.broker.getcash(), self.position.size)

    cerebro.addstrategy(S)
    strat = cerebro.run()[0]
    return strat, holder


@pytest.mark.parametrize("kwargs, field", [
    (dict(size=0), "size"),            # backtrader: Strategy.buy returns None for size 0
    (dict(size=-5), "size"),           # backtrader: Strategy.buy uses abs(size)
    (dict(size=math.nan), "size"),     # backtrader: NaN order, NaN cash afterwards
    (dict(size=math.inf), "size"),     # backtrader: Margin at next bar
    (dict(size=1, exectype=Order.Limit), "price"),   # backtrader: limit at the current close
    (dict(size=1, exectype=Order.Stop), "price"),    # backtrader: stop at the current close
    (dict(size=1, exectype=Order.Limit, price=math.nan), "price"),  # backtrader: never fills
    (dict(size=1, exectype=Order.StopLimit, price=10.0, plimit=math.inf), "plimit"),
    (dict(size=1, exectype=Order.StopTrail, trailamount=-1.0), "trailamount"),
])
def test_bad_order_arguments_raise_at_the_call(kwargs, field):
    broker = BackBroker()
    broker.start()

    def plan(s):
        with pytest.raises(ValueError, match=f"^{field}"):
            s.broker.buy(s, s.data, **kwargs)

    _, holder = _broker_run(plan)
    assert holder["after"] == (holder["cash"], 0)


def test_valid_in_the_past_raises():
    """backtrader accepts it and expires it on the next bar."""

    def plan(s):
        with pytest.raises(ValueError, match="^valid"):
            s.buy(size=1, exectype=Order.Limit, price=1.0,
                  valid=s.data.datetime.date(0) - pd.Timedelta(days=3).to_pytimedelta())

    _broker_run(plan)


def test_oco_on_a_dead_order_raises():
    """backtrader silently starts a new one-order group (the OCO link is lost)."""

    def plan(s):
        done = s.buy(size=1, exectype=Order.Limit, price=1.0)
        s.broker.pending.append(done)  # make it cancellable now
        s.cancel(done)
        with pytest.raises(ValueError, match="^oco order .* no longer alive"):
            s.buy(size=1, exectype=Order.Limit, price=1.0, oco=done)

    _broker_run(plan)


def test_oco_naming_an_order_of_another_broker_raises():
    def plan(s):
        elsewhere = BackBroker()
        elsewhere.start()
        stray = elsewhere.buy(s, s.data, size=1, exectype=Order.Limit, price=1.0)
        with pytest.raises(ValueError, match="^oco order .* unknown to this broker"):
            s.buy(size=1, exectype=Order.Limit, price=1.0, oco=stray)

    strat, holder = _broker_run(plan)
    assert holder["after"] == (holder["cash"], 0) and strat.seen == []


def test_oco_naming_a_partly_filled_lone_order_raises_as_its_group_has_fired():
    """A fill fires the OCO group an order leads, also when no order had joined it yet."""
    cerebro = tb.Cerebro(stdstats=False)
    cerebro.adddata(tb.feeds.PandasData(dataname=BASE))
    cerebro.broker = BackBroker(filler=tb.fillers.FixedSize(size=1))
    outcome = {}

    class S(tb.Strategy):
        def next(self):
            if len(self) == 3:
                self.first = self.buy(size=5)
            elif len(self) == 5:
                assert self.first.status == Order.Partial
                with pytest.raises(ValueError, match="group has already fired"):
                    self.buy(size=1, exectype=Order.Limit, price=1.0, oco=self.first)
                outcome["orders"] = len(self.broker.orders)

    cerebro.addstrategy(S)
    cerebro.run()
    assert outcome == {"orders": 1}


def test_a_lone_order_named_as_oco_later_leads_the_group():
    """The group starts when a second order names the first: the first's fill cancels it."""
    lows = [9.9] * 6 + [8.0, 9.9]  # the first order's limit (9.0) is reached on bar 7 only
    df = pd.DataFrame({"open": 10.0, "high": 10.1, "low": lows, "close": 10.0, "volume": 100.0},
                      index=pd.date_range("2026-01-05", periods=len(lows), freq="D"))
    cerebro = tb.Cerebro(stdstats=False)
    cerebro.adddata(tb.feeds.PandasData(dataname=df))
    seen = []

    class S(tb.Strategy):
        def notify_order(self, o):
            seen.append((o.ref, o.getstatusname()))

        def next(self):
            if len(self) == 3:
                self.first = self.buy(size=1, exectype=Order.Limit, price=9.0)
            elif len(self) == 4:
                self.second = self.buy(size=1, exectype=Order.Limit, price=1.0, oco=self.first)

    cerebro.addstrategy(S)
    strat = cerebro.run()[0]
    first, second = strat.first.ref, strat.second.ref
    assert (first, "Completed") in seen and (second, "Canceled") in seen
    assert seen.index((first, "Completed")) < seen.index((second, "Canceled"))


def test_bracket_child_of_unknown_parent_is_rejected_with_reason():
    """backtrader rejects it too (without a reason)."""

    def plan(s):
        elsewhere = BackBroker()
        elsewhere.start()
        stray = elsewhere.buy(s, s.data, size=1, exectype=Order.Limit, price=1.0)
        s.sell(size=1, exectype=Order.Stop, price=0.5, parent=stray, transmit=True)

    strat, _ = _broker_run(plan)
    rejected = [info for st, info in strat.seen if st == "Rejected"]
    assert rejected and "parent order" in rejected[0]["reason"]


def test_margin_carries_a_reason():
    strat, _ = _broker_run(lambda s: s.buy(size=10_000))
    assert strat.seen[-1][0] == "Margin"
    assert "cash" in strat.seen[-1][1]["reason"]


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_bad_cash_raises(value):
    with pytest.raises(ValueError, match="^cash"):
        BackBroker().set_cash(value)


def test_unknown_broker_param_is_a_type_error():
    with pytest.raises(TypeError, match="cashh"):
        BackBroker(cashh=5)


# -- risk limits ------------------------------------------------------------------------------
@pytest.mark.parametrize("limits, order, reason", [
    (RiskLimits(max_notional=500.0), dict(size=10), "exceeds max_notional 500.00"),
    (RiskLimits(max_order_size=5), dict(size=10), "order size 10.00 exceeds max_order_size 5.00"),
    (RiskLimits(max_position=3), dict(size=4), "position 4.00 after the order exceeds"),
    (RiskLimits(price_collar=0.05), dict(size=1, exectype=Order.Limit, price=50.0),
     "beyond price_collar 5.00%"),
])
def test_risk_limits_reject_with_reason(limits, order, reason):
    strat, holder = _broker_run(lambda s: s.buy(**order), risk=limits)
    assert strat.seen[0][0] == "Rejected"
    assert reason in strat.seen[0][1]["reason"]
    assert holder["after"] == (holder["cash"], 0)


def test_risk_limits_let_small_orders_through_and_setter_works():
    broker = BackBroker()
    broker.set_risk(RiskLimits(max_notional=100_000.0))
    assert broker.get_risk().max_notional == 100_000.0
    strat, _ = _broker_run(lambda s: s.buy(size=10), risk=RiskLimits(max_notional=10_000.0))
    assert [st for st, _ in strat.seen] == ["Submitted", "Accepted", "Completed"]


def test_risk_rejecting_a_bracket_child_rejects_the_whole_bracket():
    def plan(s):
        c = s.data.close[0]
        s.buy_bracket(size=1, price=c, stopprice=c * 0.5, limitprice=c * 1.01)

    strat, _ = _broker_run(plan, risk=RiskLimits(price_collar=0.1))
    seen = strat.seen
    assert [st for st, _ in seen] == ["Rejected"] * 3  # stop child, parent, then limit child
    assert "bracket member" in seen[1][1]["reason"] and "parent order" in seen[2][1]["reason"]
