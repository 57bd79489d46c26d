"""Sans-IO OANDA mapping: order requests (prices at the instrument's precision, whole signed units,
time in force, brackets as on-fill details) valid per the v20 spec; transactions to the core's
events (fills named by transaction id, cancels with reasons, rejects, children of a bracket)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tradebridge as bt
from tradebridge.live.inbox import Kind
from tradebridge.orders.order import BuyOrder, SellOrder
from tradebridge.utils.dates import date2num
from tradebridge.venues.oanda import models as m
from tradebridge.venues.oanda import spec
from tradebridge.venues.oanda.mapping import (
    OandaMappingError,
    TransactionMapper,
    order_request,
    price_text,
    units_text,
    venue_snapshot,
)

try:
    spec.spec_path()
    SPEC = True
except spec.SpecNotFoundError:
    SPEC = False


def _order(cls=BuyOrder, **kwargs):
    kwargs.setdefault("size", 1000)
    return cls(simulated=True, **kwargs)


@given(st.floats(0.0001, 10_000, allow_nan=False), st.integers(0, 6))
def test_prices_go_with_at_most_the_instruments_decimals_and_within_half_a_step(value, precision):
    text = price_text(value, precision)
    places = len(text.split(".")[1]) if "." in text else 0
    assert places == precision
    assert abs(Decimal(text) - Decimal(repr(value))) <= Decimal(1).scaleb(-precision) / 2


@given(st.integers(-(10**9), 10**9).filter(bool))
def test_whole_sizes_go_as_signed_units(size):
    assert units_text(float(size)) == str(size)


@given(st.floats(-1e6, 1e6).filter(lambda x: x != int(x)))
def test_fractional_sizes_are_refused_naming_the_order(size):
    with pytest.raises(OandaMappingError, match="whole number of units"):
        units_text(size, ref=7)


@pytest.mark.parametrize(
    "exectype,kwargs,v20,extra",
    [
        (bt.Order.Market, {}, "MARKET", set()),
        (bt.Order.Limit, {"price": 1.123456}, "LIMIT", {"price", "timeInForce"}),
        (bt.Order.Stop, {"price": 1.2}, "STOP", {"price", "timeInForce"}),
        (
            bt.Order.StopLimit,
            {"price": 1.2, "pricelimit": 1.21},
            "STOP",
            {"price", "priceBound", "timeInForce"},
        ),
    ],
)
def test_each_entry_type_maps_to_its_v20_request_and_validates_against_the_spec(exectype, kwargs, v20, extra):
    body = order_request(_order(exectype=exectype, **kwargs), "tb-s-1", "EUR_USD", 5)
    assert body["type"] == v20 and body["clientExtensions"] == {"id": "tb-s-1"}
    assert extra <= set(body) and body["units"] == "1000"
    if "price" in body:
        assert body["price"] == f"{kwargs['price']:.5f}"
    if SPEC:
        spec.validate(v20.capitalize() + "OrderRequest", body)


@pytest.mark.parametrize(
    "exectype,text",
    [
        (bt.Order.StopTrail, "only on an open trade"),
        (bt.Order.StopTrailLimit, "no trailing stop-limit"),
        (bt.Order.Close, "no market-on-close"),
    ],
)
def test_types_v20_lacks_are_refused_saying_why(exectype, text):
    order = _order(SellOrder, exectype=exectype, price=1.1, pricelimit=1.0, trailamount=0.01)
    with pytest.raises(OandaMappingError, match=text):
        order_request(order, "tb-s-1", "EUR_USD", 5)


def test_validity_maps_to_gtc_and_gtd_at_the_orders_expiry_in_utc():
    when = date2num(dt.datetime(2026, 11, 25, 12, 0))  # (DAY -> GFD is proven on the sandbox)
    gtd = order_request(_order(exectype=bt.Order.Limit, price=1.1, valid=when), "c", "EUR_USD", 5)
    assert (gtd["timeInForce"], gtd["gtdTime"]) == ("GTD", "2026-11-25T12:00:00.000000000Z")
    assert (
        order_request(_order(exectype=bt.Order.Limit, price=1.1), "c", "EUR_USD", 5)["timeInForce"] == "GTC"
    )


def test_a_bracket_sends_its_children_as_on_fill_details_with_their_client_ids():
    parent = _order(exectype=bt.Order.Limit, price=1.1)
    stop = _order(SellOrder, exectype=bt.Order.Stop, price=1.09)
    limit = _order(SellOrder, exectype=bt.Order.Limit, price=1.12)
    body = order_request(parent, "p", "EUR_USD", 5, [(stop, "s"), (limit, "t")])
    assert body["stopLossOnFill"] == {"price": "1.09000", "clientExtensions": {"id": "s"}}
    assert body["takeProfitOnFill"] == {"price": "1.12000", "clientExtensions": {"id": "t"}}
    trail = _order(SellOrder, exectype=bt.Order.StopTrail, price=1.09, trailamount=0.0015)
    body = order_request(parent, "p", "EUR_USD", 5, [(trail, "s"), (limit, "t")])
    assert body["trailingStopLossOnFill"]["distance"] == "0.00150"
    if SPEC:
        spec.validate("LimitOrderRequest", body)


def _txn(**fields):
    base = {"id": "10", "time": "2026-11-24T10:00:00.000000000Z", "accountID": "a", "batchID": "10"}
    return m.transaction_from_json({**base, **fields})


def test_transactions_become_core_events_and_a_bracket_parents_cancel_cancels_its_children():
    mapper = TransactionMapper()
    created = mapper.events(
        _txn(
            type="LIMIT_ORDER",
            instrument="EUR_USD",
            units="1000",
            price="1.1",
            timeInForce="GTC",
            clientExtensions={"id": "p"},
            takeProfitOnFill={"price": "1.2", "clientExtensions": {"id": "t"}},
        )
    )
    assert [(k, vo.client_id, vo.status) for k, vo in created] == [
        (Kind.ORDER, "p", "Accepted"),
        (Kind.ORDER, "t", "Accepted"),
    ]
    assert created[0][1].venue_ids == {"orderID": "10"}
    cancelled = mapper.events(
        _txn(id="11", type="ORDER_CANCEL", orderID="10", reason="TIME_IN_FORCE_EXPIRED")
    )
    assert [(vo.client_id, vo.status, vo.code) for _, vo in cancelled] == [
        ("p", "Expired", "TIME_IN_FORCE_EXPIRED"),
        ("t", "Canceled", "TIME_IN_FORCE_EXPIRED"),
    ]


@given(
    st.integers(1, 10**6),
    st.integers(-(10**6), 10**6).filter(bool),
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("200"), places=5),
)
def test_a_fill_is_one_execution_named_by_its_transaction_id(txn_id, units, price):
    mapper = TransactionMapper(client_of={"5": "tb-s-1"})
    ((kind, ex),) = mapper.events(
        _txn(
            id=str(txn_id),
            type="ORDER_FILL",
            orderID="5",
            instrument="EUR_USD",
            units=str(units),
            price=str(price),
            commission="0.0000",
        )
    )
    assert kind is Kind.EXECUTION and ex.exec_id == str(txn_id) and ex.client_id == "tb-s-1"
    assert (ex.size, ex.price) == (float(units), float(price))


def test_a_snapshot_lists_pending_orders_with_their_riding_children_and_the_fills_since_the_cursor():
    mapper = TransactionMapper()
    pending = [
        m.Order.from_json(
            {
                "id": "20",
                "type": "LIMIT",
                "instrument": "EUR_USD",
                "units": "1000",
                "price": "1.1",
                "state": "PENDING",
                "clientExtensions": {"id": "p"},
                "stopLossOnFill": {"price": "1.0", "clientExtensions": {"id": "s"}},
            }
        )
    ]
    fill = _txn(
        id="21",
        type="ORDER_FILL",
        orderID="19",
        clientOrderID="q",
        instrument="EUR_USD",
        units="-500",
        price="1.1",
    )
    summary = m.AccountSummary.from_json(
        {"id": "a", "marginAvailable": "900.5", "NAV": "1000", "lastTransactionID": "21"}
    )
    snap = venue_snapshot(mapper, pending, [], [fill], summary)
    assert [(o.client_id, o.status) for o in snap.open_orders] == [("p", "Accepted"), ("s", "Accepted")]
    assert [e.exec_id for e in snap.executions] == ["21"] and snap.cursor == "21" and snap.cash == 900.5
