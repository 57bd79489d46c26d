"""Order, order-event, balance and position mapping between tradebridge and Visual Chart."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebridge.live.state import VenueExecution
from tradebridge.orders.order import Order
from tradebridge.utils.dates import date2num
from tradebridge.venues.vc.mapping import (
    EXEC_TYPES,
    VCOrderError,
    account_values,
    exec_id,
    order_fields,
    order_update,
    positions,
    select_account,
    snapshot,
    time_restriction,
)
from tradebridge.venues.vc.seam import ORDER_FIELDS, VCError

NOW = dt.datetime(2026, 11, 24, 10, 30)


def _send(exectype, **kw):
    args = dict(account="A1", symbol="010001ES", exectype=exectype, isbuy=True, size=2, client_id="tb-s1-1",
                now=NOW)
    args.update(kw)
    return order_fields(**args)


@pytest.mark.parametrize(
    ("exectype", "kw", "otype", "restriction", "price", "stop"),
    [
        (None, {}, "OT_Market", "TR_NoRestriction", 0.0, 0.0),
        (Order.Market, {}, "OT_Market", "TR_NoRestriction", 0.0, 0.0),
        (Order.Close, {"valid": dt.timedelta(days=3)}, "OT_Market", "TR_CloseAuction", 0.0, 0.0),
        (Order.Limit, {"price": 101.25}, "OT_Limit", "TR_NoRestriction", 101.25, 0.0),
        (Order.Limit, {"pricelimit": 99.5}, "OT_Limit", "TR_NoRestriction", 99.5, 0.0),
        (Order.Stop, {"price": 105.0}, "OT_StopMarket", "TR_NoRestriction", 0.0, 105.0),
        (Order.StopLimit, {"price": 105.0, "pricelimit": 106.0}, "OT_StopLimit", "TR_NoRestriction", 106.0,
         105.0),
    ],
)
def test_each_supported_exec_type_maps_to_its_visual_chart_order(exectype, kw, otype, restriction, price,
                                                                 stop) -> None:
    fields = _send(exectype, **kw)
    assert set(fields) == set(ORDER_FIELDS) - {"OrderId"}
    assert (fields["OrderType"], fields["TimeRestriction"]) == (otype, restriction)
    assert (fields["Price"], fields["StopPrice"]) == (price, stop)
    assert fields["ExtendedInfo"] == "tb-s1-1" and fields["OrderSide"] == "OS_Buy" and fields["Volume"] == 2.0


def test_a_sell_sends_its_size_unsigned_with_the_sell_side() -> None:
    fields = _send(Order.Market, isbuy=False, size=-3)
    assert (fields["OrderSide"], fields["Volume"]) == ("OS_Sell", 3.0)


@pytest.mark.parametrize("exectype", [Order.StopTrail, Order.StopTrailLimit, Order.Historical, 42])
def test_unsupported_exec_types_are_refused_naming_the_type_and_the_supported_ones(exectype) -> None:
    with pytest.raises(VCOrderError, match="exectype: Visual Chart has no .* orders \\(supported: Market, "
                                           "Close, Limit, Stop, StopLimit\\)"):
        _send(exectype, price=1.0, pricelimit=1.0)
    assert set(EXEC_TYPES) == {Order.Market, Order.Close, Order.Limit, Order.Stop, Order.StopLimit}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"exectype": Order.Limit}, "price is required for a Limit order"),
        ({"exectype": Order.Stop}, "price \\(the stop\\) is required for a Stop order"),
        ({"exectype": Order.StopLimit, "price": 5.0}, "plimit are required for a StopLimit order"),
        ({"size": 0}, "size must be a finite non-zero number"),
        ({"size": float("nan")}, "size must be a finite non-zero number"),
        ({"client_id": ""}, "client_id is required"),
        ({"account": ""}, "account and symbol are required"),
        ({"valid": "tomorrow"}, "valid 'tomorrow' is not"),
    ],
)
def test_bad_orders_are_refused_naming_the_field(kw, message) -> None:
    args = {"exectype": Order.Market, **kw}
    with pytest.raises(VCOrderError, match=message):
        _send(**args)


@pytest.mark.parametrize(
    ("valid", "expected"),
    [
        (None, ("TR_NoRestriction", None)),
        (Order.DAY, ("TR_Session", None)),
        (0, ("TR_Session", None)),
        (dt.timedelta(days=2), ("TR_Date", NOW + dt.timedelta(days=2))),
        (dt.date(2026, 12, 1), ("TR_Date", dt.datetime(2026, 12, 1))),
        (dt.datetime(2026, 12, 1, 15), ("TR_Date", dt.datetime(2026, 12, 1, 15))),
        (date2num(dt.datetime(2026, 12, 2)), ("TR_Date", dt.datetime(2026, 12, 2))),
    ],
)
def test_valid_maps_to_time_restriction_and_valid_date(valid, expected) -> None:
    assert time_restriction(Order.Limit, valid, NOW) == expected


def _report(**kw):
    fields = {"OrderId": "501", "SymbolCode": "010001ES", "OrderSide": "OS_Buy", "OrderType": "OT_Limit",
              "Volume": 5.0, "Price": 100.0, "ExtendedInfo": "tb-s1-1", "Account": "A1"}
    fields.update(kw)
    return fields


@pytest.mark.parametrize(
    ("event", "status"),
    [("OnNewOrderLocation", "Submitted"), ("OnOrderInMarket", "Accepted"), ("OnModifiedOrder", "Accepted"),
     ("OnCancelledOrder", "Canceled")],
)
def test_order_events_map_to_statuses_with_client_and_venue_ids(event, status) -> None:
    update = order_update(event, _report(OrderSide="OS_Sell"))
    assert update.execution is None
    order = update.order
    assert (order.status, order.client_id, dict(order.venue_ids)) == (status, "tb-s1-1", {"OrderId": "501"})
    assert (order.instrument, order.size, order.filled) == ("010001ES", -5.0, 0.0)


def test_partial_then_total_execution_give_fills_that_add_up_to_the_order() -> None:
    first = order_update("OnPartialExecutedOrder", _report(Volume=2.0, Price=100.5), size=5.0)
    assert first.order.status == "Partial" and first.order.filled == 2.0
    assert first.execution == VenueExecution("vc-501-2", "010001ES", 2.0, 100.5, client_id="tb-s1-1",
                                             venue_ids={"OrderId": "501"})
    last = order_update("OnTotalExecutedOrder", _report(Volume=5.0, Price=100.25), size=5.0, filled=2.0)
    assert last.order.status == "Completed" and last.order.filled == 5.0
    assert (last.execution.size, last.execution.price, last.execution.exec_id) == (3.0, 100.25, "vc-501-5")


def test_a_total_execution_reported_again_gives_no_second_fill() -> None:
    again = order_update("OnTotalExecutedOrder", _report(), size=5.0, filled=5.0)
    assert again.execution is None and again.order.status == "Completed"


def test_an_order_without_extended_info_has_no_client_id() -> None:
    update = order_update("OnOrderInMarket", _report(ExtendedInfo=""))
    assert update.order.client_id is None


@pytest.mark.parametrize(
    ("event", "fields", "message"),
    [
        ("OnFilled", _report(), "OnFilled is not a Visual Chart order event"),
        ("OnOrderInMarket", _report(OrderId=None), "OnOrderInMarket report lacks OrderId"),
        ("OnOrderInMarket", _report(OrderSide="OS_Short"), "OrderSide 'OS_Short'"),
        ("OnPartialExecutedOrder", _report(Price=None), "OnPartialExecutedOrder report lacks Price"),
    ],
)
def test_unreadable_order_reports_name_the_event_and_field(event, fields, message) -> None:
    with pytest.raises(VCOrderError, match=message):
        order_update(event, fields, size=5.0)


@given(st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=8), st.booleans())
def test_partial_fills_then_a_total_always_sum_to_the_order_size_with_distinct_ids(parts, isbuy) -> None:
    sign = 1 if isbuy else -1
    size = sign * (sum(parts) + 7)
    side = "OS_Buy" if isbuy else "OS_Sell"
    filled, ids = 0.0, []
    for qty in parts:
        report = _report(Volume=float(qty), OrderSide=side)
        update = order_update("OnPartialExecutedOrder", report, size, filled)
        filled = update.order.filled
        ids.append(update.execution.exec_id)
    report = _report(Volume=float(abs(size)), OrderSide=side)
    update = order_update("OnTotalExecutedOrder", report, size, filled)
    ids.append(update.execution.exec_id)
    assert update.order.filled == size and update.execution.size == sign * 7
    assert len(set(ids)) == len(ids) and ids[-1] == exec_id("501", size)


def test_select_account_takes_the_first_or_the_named_one_and_lists_the_rest() -> None:
    accounts = [{"Account": "A1", "Cash": 1.0, "NetWorth": 2.0},
                {"Account": "B2", "Cash": 3.0, "NetWorth": 4.0}]
    assert select_account(accounts, None)["Account"] == "A1"
    assert select_account(accounts, "B2")["Cash"] == 3.0
    with pytest.raises(VCError, match="account 'C3' is not among Visual Chart's accounts \\(A1, B2\\)"):
        select_account(accounts, "C3")
    with pytest.raises(VCError, match="no trading account"):
        select_account([], None)


def test_balance_and_positions_map_to_cash_value_and_signed_sizes() -> None:
    assert account_values({"Account": "A1", "Cash": 1000.0, "NetWorth": 1250.5}) == {
        "cash": 1000.0, "value": 1250.5, "account": "A1"}
    records = [{"SymbolCode": "010001ES", "Side": "OS_Buy", "Volume": 2},
               {"SymbolCode": "010002NQ", "Side": "OS_Sell", "Volume": 1}]
    assert positions(records) == {"010001ES": 2.0, "010002NQ": -1.0}
    with pytest.raises(VCOrderError, match="Side None"):
        positions([{"SymbolCode": "X", "Volume": 1}])


def test_snapshot_after_reconnect_lists_open_orders_positions_and_cash() -> None:
    snap = snapshot([_report(), _report(OrderId="502", OrderSide="OS_Sell", ExtendedInfo="")],
                    [{"SymbolCode": "010001ES", "Side": "OS_Buy", "Volume": 3}],
                    {"Account": "A1", "Cash": 9000.0, "NetWorth": 9300.0})
    assert [(o.client_id, o.size, o.status, o.venue_ids["OrderId"]) for o in snap.open_orders] == [
        ("tb-s1-1", 5.0, "Accepted", "501"), (None, -5.0, "Accepted", "502")]
    assert (dict(snap.positions), snap.cash, snap.executions) == ({"010001ES": 3.0}, 9000.0, ())


_prices = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)


@given(st.sampled_from(sorted(EXEC_TYPES)), st.booleans(), st.integers(min_value=1, max_value=10**6), _prices,
       _prices)
def test_any_supported_order_reads_back_with_its_signed_size_and_client_id(exectype, isbuy, size, price,
                                                                            plimit) -> None:
    fields = order_fields(account="A1", symbol="010001ES", exectype=exectype, isbuy=isbuy, size=size,
                          price=price, pricelimit=plimit, client_id="tb-p-1", now=NOW)
    order = order_update("OnOrderInMarket", {**fields, "OrderId": "9"}).order
    assert order.size == (size if isbuy else -size) and order.client_id == "tb-p-1"
    assert fields["Price"] >= 0 and fields["StopPrice"] >= 0
    assert (fields["StopPrice"] > 0) == (exectype in (Order.Stop, Order.StopLimit))


def test_a_partial_execution_larger_than_what_remains_is_refused_naming_the_order() -> None:
    message = "OnPartialExecutedOrder of order 501 reports Volume 4 but only 3 of 5"
    with pytest.raises(VCOrderError, match=message):
        order_update("OnPartialExecutedOrder", _report(Volume=4.0), size=5.0, filled=2.0)
