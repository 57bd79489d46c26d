"""Orders built on the same data equal backtrader's: created/executed data, valid, printing."""

import datetime as dt
import re

import backtrader as bt
import pytest
from _orderfake import daily

import tradebridge.orders as tbo

CASES = [
    dict(size=5),
    dict(size=5, exectype=2, price=99.5),
    dict(size=5, exectype=3, price=103.0),
    dict(size=5, exectype=4, price=103.0, pricelimit=104.0),
    dict(size=5, exectype=4, price=103.0),
    dict(size=5, exectype=5, trailamount=1.5),
    dict(size=5, exectype=5, trailpercent=0.02, price=100.0),
    dict(size=5, exectype=6, trailamount=1.0, price=101.0, pricelimit=100.5),
    dict(size=5, exectype=1),
    dict(size=5, exectype=2, price=99.0, valid=tbo.Order.DAY),
    dict(size=5, exectype=2, price=99.0, valid=dt.timedelta(days=2, hours=3)),
    dict(size=5, exectype=2, price=99.0, valid=dt.date(2020, 1, 9)),
    dict(size=5, exectype=2, price=99.0, valid=dt.datetime(2020, 1, 8, 12)),
    dict(size=5, exectype=2, price=99.0, valid=737430.5),
]

_FIELDS = ("dt", "size", "price", "pricelimit", "plimit", "pclose", "trailamount",
           "trailpercent", "remsize", "value", "comm", "pnl", "psize", "pprice")


def _strip_ref(text):
    return re.sub(r"Ref: \d+", "Ref: N", text)


@pytest.mark.parametrize("side", ["Buy", "Sell"])
@pytest.mark.parametrize("kw", CASES)
def test_order_fields_match(side, kw):
    data = daily()
    data.advance()
    ours = getattr(tbo, f"{side}Order")(data=data, **kw)
    theirs = getattr(bt, f"{side}Order")(data=data, **kw)
    for part in ("created", "executed"):
        for name in _FIELDS:
            assert getattr(getattr(ours, part), name) == getattr(getattr(theirs, part), name), (
                part, name)
    assert ours.valid == theirs.valid and ours.dteos == theirs.dteos
    assert (ours.size, ours.exectype, ours.getordername(), ours.ordtypename()) == (
        theirs.size, theirs.exectype, theirs.getordername(), theirs.ordtypename())
    assert _strip_ref(str(ours)) == _strip_ref(str(theirs))
    for _ in range(4):
        data.advance()
        assert ours.expire() == theirs.expire()
        if ours.exectype in (5, 6):
            ours.trailadjust(data.close[0])
            theirs.trailadjust(data.close[0])
            assert ours.created.price == theirs.created.price
            assert ours.created.pricelimit == theirs.created.pricelimit


def test_execution_bits_and_status_cycle():
    data = daily()
    ours = tbo.BuyOrder(data=data, size=10)
    theirs = bt.BuyOrder(data=data, size=10)
    for o in (ours, theirs):
        o.submit()
        o.accept()
        o.execute(data.datetime[0], 4, 101.0, 0, 0.0, 0.0, 4, 404.0, 0.4, None, 0.0, 4, 101.0)
        first = o.clone()
        o.execute(data.datetime[0], 6, 102.0, 0, 0.0, 0.0, 6, 612.0, 0.6, None, 0.0, 10, 101.6)
        second = o.clone()
        o.pending = ([b.size for b in first.executed.iterpending()],
                     [b.size for b in second.executed.iterpending()],
                     first.getstatusname(), second.getstatusname())
    assert ours.pending == theirs.pending == ([4], [6], "Partial", "Completed")
    assert ours.executed.price == theirs.executed.price
    assert not ours.alive() and ours.status == tbo.Order.Completed


def test_names_constants_and_info():
    O = tbo.Order
    assert O.Status == bt.Order.Status and O.ExecTypes == bt.Order.ExecTypes
    assert O.Cancelled == O.Canceled == 5 and O.ExecType("StopTrail") == 5
    o = tbo.SellOrder(data=daily(), size=3, exectype=O.Close)
    o.addinfo(name="x", tag=1)
    assert o.info.name == "x" and o.issell() and not o.isbuy() and o.size == -3
    assert o.getstatusname(O.Margin) == "Margin"
    assert o != tbo.SellOrder(data=daily(), size=3)
    with pytest.raises(TypeError, match="sise"):
        tbo.BuyOrder(data=daily(), sise=3)
