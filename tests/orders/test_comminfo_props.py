"""Commission, value and P&L formulas equal backtrader's for any inputs (property tests)."""

import backtrader as bt
import backtrader.commissions as btc
from hypothesis import given, settings
from hypothesis import strategies as st

import tradebridge.orders as tbo

prices = st.floats(0.01, 1e5, allow_nan=False)
sizes = st.integers(-10_000, 10_000)
schemes = st.fixed_dictionaries({
    "commission": st.floats(0, 10, allow_nan=False),
    "mult": st.floats(0.5, 100, allow_nan=False),
    "margin": st.one_of(st.none(), st.floats(1, 5000, allow_nan=False)),
    "commtype": st.sampled_from([None, 0, 1]),
    "stocklike": st.booleans(),
    "percabs": st.booleans(),
    "interest": st.floats(0, 0.2, allow_nan=False),
    "interest_long": st.booleans(),
    "leverage": st.floats(1, 10, allow_nan=False),
    "automargin": st.sampled_from([False, -1, 0.5]),
})
CLASSES = [
    (bt.CommInfoBase, tbo.CommInfoBase), (bt.CommissionInfo, tbo.CommissionInfo),
    (btc.CommInfo_Futures, tbo.CommInfo_Futures),
    (btc.CommInfo_Futures_Perc, tbo.CommInfo_Futures_Perc),
    (btc.CommInfo_Futures_Fixed, tbo.CommInfo_Futures_Fixed),
    (btc.CommInfo_Stocks, tbo.CommInfo_Stocks),
    (btc.CommInfo_Stocks_Perc, tbo.CommInfo_Stocks_Perc),
    (btc.CommInfo_Stocks_Fixed, tbo.CommInfo_Stocks_Fixed),
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CLASSES), schemes, sizes, prices, prices, st.floats(0, 1e6))
def test_formulas_match_backtrader(classes, kw, size, price, newprice, cash):
    theirs, ours = classes[0](**kw), classes[1](**kw)
    assert ours.stocklike == theirs.stocklike and ours.margin == theirs.margin
    assert ours.p.commission == theirs.p.commission
    for name, args in [
        ("getcommission", (size, price)), ("confirmexec", (size, price)),
        ("getoperationcost", (size, price)), ("getvaluesize", (size, price)),
        ("profitandloss", (size, price, newprice)), ("cashadjust", (size, price, newprice)),
        ("get_margin", (price,)), ("getsize", (price, cash)),
    ]:
        assert getattr(ours, name)(*args) == getattr(theirs, name)(*args), name
    pos_b, pos_t = bt.Position(size, price), tbo.Position(size, price)
    assert ours.getvalue(pos_t, newprice) == theirs.getvalue(pos_b, newprice)


@settings(max_examples=200, deadline=None)
@given(schemes, sizes, prices, st.integers(0, 40))
def test_credit_interest_matches_backtrader(kw, size, price, days):
    import datetime as dt

    theirs, ours = bt.CommInfoBase(**kw), tbo.CommInfoBase(**kw)
    t0 = dt.datetime(2020, 1, 1)
    pos_b, pos_t = bt.Position(size, price), tbo.Position(size, price)
    pos_b.datetime = pos_t.datetime = t0
    now = t0 + dt.timedelta(days=days)
    assert ours.get_credit_interest(None, pos_t, now) == theirs.get_credit_interest(
        None, pos_b, now)


def test_subclass_hook_and_unknown_param():
    class PerTrade(tbo.CommInfoBase):
        params = (("minimum", 1.0),)

        def _getcommission(self, size, price, pseudoexec):
            return max(self.p.minimum, abs(size) * price * self.p.commission)

    ci = PerTrade(commission=0.001, minimum=2.5, percabs=True)
    assert ci.getcommission(1, 10.0) == 2.5
    assert ci.getcommission(1000, 10.0) == 10.0
    try:
        tbo.CommInfoBase(comission=1)
    except TypeError as exc:
        assert "comission" in str(exc)
    else:
        raise AssertionError("unknown param accepted")
