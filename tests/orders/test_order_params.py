"""``order.p`` / ``order.params``: built when first read, the same as the arguments given."""

import datetime as dt

import pytest
from _orderfake import daily

from tradebridge.orders.order import BuyOrder, Order, OrderBase, SellOrder

ARGS = dict(owner=None, size=3, price=101.5, pricelimit=None, exectype=Order.Limit,
            valid=dt.timedelta(days=2), tradeid=7, oco=None, trailamount=None,
            trailpercent=None, parent=None, transmit=False, histnotify=True)


def _made(cls, data):
    a = ARGS
    return cls._make(a["owner"], data, a["size"], a["price"], a["pricelimit"], a["exectype"],
                     a["valid"], a["tradeid"], a["oco"], a["trailamount"], a["trailpercent"],
                     a["parent"], a["transmit"], a["histnotify"])


@pytest.mark.parametrize("cls", [BuyOrder, SellOrder])
def test_params_of_a_broker_built_order_are_those_of_the_keyword_built_one(cls):
    data = daily(3)
    made, built = _made(cls, data), cls(data=data, **ARGS)
    assert "p" not in made.__dict__  # not built until read
    assert made.p.__dict__ == built.p.__dict__ == {**cls.params._defaults, **ARGS, "data": data}
    assert made.params is made.p and built.params is built.p
    assert made.p.size == 3 and made.size == (3 if cls is BuyOrder else -3)  # p keeps it as given
    assert made.p.exectype == Order.Limit and made.p.valid == dt.timedelta(days=2)


def test_the_class_attribute_params_is_still_the_params_class():
    assert isinstance(BuyOrder.params, type) and "histnotify" in BuyOrder.params._defaults
    assert OrderBase.params._defaults.keys() == BuyOrder.params._defaults.keys()


def test_a_snapshot_taken_before_params_are_read_reads_the_same_params():
    order = _made(BuyOrder, daily(3))
    snap = order.clone()
    assert snap.p.__dict__ == order.p.__dict__
    assert snap.p.tradeid == 7 and snap.histnotify is True and not snap.simulated


def test_simulated_orders_say_so_without_building_params():
    order = BuyOrder(data=daily(3), size=1, price=5.0, simulated=True)
    assert order.simulated and order.p.simulated


def test_an_order_subclass_with_params_of_its_own_keeps_them():
    class Tagged(BuyOrder):
        params = (("tag", "none"),)

    order = Tagged(data=daily(3), size=1, tag="x")
    assert order.p.tag == "x" and order.p.size == 1
    assert Tagged.params._defaults["tag"] == "none"
    with pytest.raises(TypeError, match="nope"):
        Tagged(data=daily(3), size=1, nope=1)
