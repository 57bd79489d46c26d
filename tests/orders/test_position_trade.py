"""Position updates and trade bookkeeping equal backtrader's for any sequence of fills."""

import backtrader as bt
from _orderfake import daily
from hypothesis import given, settings
from hypothesis import strategies as st

import tradebridge.orders as tbo

fills = st.lists(st.tuples(st.integers(-50, 50), st.floats(1, 500, allow_nan=False)),
                 min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(fills)
def test_position_update_matches_backtrader(seq):
    ours, theirs = tbo.Position(), bt.Position()
    for size, price in seq:
        assert ours.pseudoupdate(size, price) == theirs.pseudoupdate(size, price)
        assert ours.update(size, price) == theirs.update(size, price)
        assert (ours.size, ours.price, ours.price_orig) == (
            theirs.size, theirs.price, theirs.price_orig)
    assert str(ours) == str(theirs)
    assert ours.set(7, 3.0) == theirs.set(7, 3.0)


class _Order:
    class p:
        simulated = False


@settings(max_examples=200, deadline=None)
@given(fills)
def test_trade_update_matches_backtrader(seq):
    data = daily(len(seq) + 1)
    data._tz = None
    ci_t, ci_b = tbo.CommInfoBase(commission=0.1, margin=50.0, mult=3.0), bt.CommInfoBase(
        commission=0.1, margin=50.0, mult=3.0)
    ours, theirs = tbo.Trade(data=data, historyon=True), bt.Trade(data=data, historyon=False)
    for size, price in seq:
        data.advance()
        comm = ci_t.getcommission(size, price)
        ours.update(_Order, size, price, 0.0, comm, 0.0, ci_t)
        theirs.update(_Order, size, price, 0.0, comm, 0.0, ci_b)
        for name in ("size", "price", "value", "commission", "pnl", "pnlcomm", "justopened",
                     "isopen", "isclosed", "baropen", "dtopen", "barclose", "dtclose",
                     "barlen", "status"):
            assert getattr(ours, name) == getattr(theirs, name), name
    assert len(ours.history) == sum(1 for s, _ in seq if s)
    if ours.history:
        assert ours.history[-1].status.size == ours.size
        assert ours.history[-1].event.size == [s for s, _ in seq if s][-1]
