"""tradebridge <-> IB: order fields, statuses, executions, snapshots, bar sizes, commission info."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ib_async import (
    AccountValue,
    CommissionReport,
    Contract,
    Execution,
    Fill,
    Forex,
    Future,
    OrderStatus,
    Position,
    Stock,
    Trade,
    TradeLogEntry,
)
from ib_async import Order as IBOrder

from orders._orderfake import daily
from tradebridge.live.state import VenueExecution, VenueOrder
from tradebridge.orders.comminfo import CommInfoBase
from tradebridge.orders.order import BuyOrder, Order, SellOrder
from tradebridge.utils.timeframe import TimeFrame
from tradebridge.venues.ib.mapping import (
    BAR_SIZES,
    STATUS,
    IBMappingError,
    account_values,
    bar_size,
    comminfo_from_details,
    comminfo_params,
    commission,
    ib_utc,
    instrument_name,
    last_error,
    order_fields,
    order_status,
    to_ib_order,
    venue_execution,
    venue_order,
    venue_snapshot,
    what_to_show,
)

UTC = dt.UTC


def _order(side=BuyOrder, **kw):
    data = daily()
    data.advance()
    return side(data=data, **kw)


TYPES = [
    (dict(), "MKT", {}),
    (dict(exectype=Order.Close), "MOC", {}),
    (dict(exectype=Order.Limit, price=99.5), "LMT", {"lmtPrice": 99.5}),
    (dict(exectype=Order.Stop, price=103.0), "STP", {"auxPrice": 103.0}),
    (dict(exectype=Order.StopLimit, price=103.0, pricelimit=104.0), "STP LMT",
     {"auxPrice": 103.0, "lmtPrice": 104.0}),
    (dict(exectype=Order.StopTrail, trailamount=1.5), "TRAIL", {"auxPrice": 1.5}),
    (dict(exectype=Order.StopTrail, trailpercent=0.02, price=100.0), "TRAIL",
     {"trailingPercent": 2.0, "trailStopPrice": 100.0}),
    (dict(exectype=Order.StopTrailLimit, trailamount=1.0, price=101.0, pricelimit=100.5), "TRAIL LIMIT",
     {"auxPrice": 1.0, "trailStopPrice": 101.0, "lmtPriceOffset": 0.5}),
]


@pytest.mark.parametrize("kw,ib_type,prices", TYPES, ids=[t[1] + str(i) for i, t in enumerate(TYPES)])
def test_each_exec_type_maps_to_its_ib_order_type_and_price_fields(kw, ib_type, prices):
    fields = order_fields(_order(SellOrder, size=5, **kw), "tb-s-1", 42)
    assert fields["orderType"] == ib_type and fields["action"] == "SELL" and fields["totalQuantity"] == 5
    assert fields["orderRef"] == "tb-s-1" and fields["orderId"] == 42
    assert {k: fields[k] for k in prices} == pytest.approx(prices)
    ib = to_ib_order(fields)
    assert isinstance(ib, IBOrder) and ib.orderType == ib_type and ib.orderRef == "tb-s-1"


def test_valid_maps_to_gtc_day_and_gtd_in_explicit_utc():
    assert order_fields(_order(size=1, exectype=Order.Limit, price=1.0), "c")["tif"] == "GTC"
    assert order_fields(_order(size=1, exectype=Order.Limit, price=1.0, valid=Order.DAY), "c")["tif"] == "DAY"
    assert order_fields(_order(size=1, exectype=Order.Limit, price=1.0, valid=0), "c")["tif"] == "DAY"
    until = dt.datetime(2020, 1, 8, 12)
    gtd = order_fields(_order(size=1, exectype=Order.Limit, price=1.0, valid=until), "c")
    assert gtd["tif"] == "GTD" and gtd["goodTillDate"] == "20200108 12:00:00 UTC"


def test_ib_utc_converts_aware_times_and_treats_naive_ones_as_utc():
    eastern = dt.timezone(dt.timedelta(hours=-5))
    assert ib_utc(dt.datetime(2026, 11, 24, 9, 30, tzinfo=eastern)) == "20261124 14:30:00 UTC"
    assert ib_utc(dt.datetime(2026, 11, 24, 9, 30)) == "20261124 09:30:00 UTC"


def test_bracket_children_carry_parent_id_and_only_the_last_transmits():
    parent = _order(size=10, exectype=Order.Limit, price=100.0, transmit=False)
    stop = _order(SellOrder, size=10, exectype=Order.Stop, price=95.0, parent=parent, transmit=False)
    limit = _order(SellOrder, size=10, exectype=Order.Limit, price=110.0, parent=parent, transmit=True)
    fields = [order_fields(parent, "p", 10), order_fields(stop, "s", 11, parent_id=10),
              order_fields(limit, "l", 12, parent_id=10)]
    assert [f["transmit"] for f in fields] == [False, False, True]
    assert "parentId" not in fields[0] and fields[1]["parentId"] == fields[2]["parentId"] == 10


def test_oco_orders_share_an_oca_group_and_account_is_passed():
    fields = order_fields(_order(size=1, exectype=Order.Limit, price=1.0), "c2", 3, oca_group="c1",
                          account="DU123")
    assert (fields["ocaGroup"], fields["ocaType"], fields["account"]) == ("c1", 1, "DU123")
    assert to_ib_order(fields).ocaGroup == "c1"


def test_historical_exec_type_has_no_ib_order_and_the_error_names_the_order():
    order = _order(size=1)
    order.exectype = Order.Historical
    with pytest.raises(IBMappingError, match=r"tb-x-9.*Historical"):
        order_fields(order, "tb-x-9")


@given(st.integers(1, 10**6), st.booleans(), st.sampled_from(range(8)))
def test_action_and_quantity_always_reflect_the_signed_size(size, buy, kind):
    kw = [dict(), dict(exectype=1), dict(exectype=2, price=10.0), dict(exectype=3, price=10.0),
          dict(exectype=4, price=10.0, pricelimit=10.5), dict(exectype=5, trailamount=0.5),
          dict(exectype=5, trailpercent=0.01),
          dict(exectype=6, trailamount=0.5, price=10.0, pricelimit=9.0)][kind]
    order = _order(BuyOrder if buy else SellOrder, size=size, **kw)
    fields = order_fields(order, "c")
    assert fields["totalQuantity"] == abs(order.size) == size
    assert fields["action"] == ("BUY" if order.size > 0 else "SELL")
    assert all(v >= 0 for k, v in fields.items() if k in ("lmtPrice", "auxPrice", "lmtPriceOffset"))


def test_status_table_covers_every_ib_status_ib_async_knows():
    for name in ("PendingSubmit", "PendingCancel", "PreSubmitted", "Submitted", "ApiPending", "ApiCancelled",
                 "Cancelled", "Filled", "Inactive"):
        assert name in STATUS
    assert order_status("Submitted", 0) == "Accepted" and order_status("Submitted", 3) == "Partial"
    assert order_status("PreSubmitted") == "Accepted" and order_status("Filled", 10) == "Completed"
    assert order_status("Cancelled") == order_status("ApiCancelled") == "Canceled"
    assert order_status("Inactive") == "Rejected" and order_status("PendingCancel") is None
    with pytest.raises(IBMappingError, match="'Weird'"):
        order_status("Weird")


T0 = dt.datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


def _trade(status="Submitted", filled=4.0, log=()):
    order = IBOrder(orderId=5, permId=77, action="SELL", totalQuantity=10, orderType="LMT", lmtPrice=1.1,
                    orderRef="tb-s-1")
    return Trade(contract=Stock("AAPL", "SMART", "USD"), order=order,
                 orderStatus=OrderStatus(orderId=5, status=status, filled=filled, remaining=10 - filled),
                 log=list(log))


def _fill(exec_id="0001.01", side="SLD", shares=4.0, commission=1.25, when=T0, report_id=None):
    ex = Execution(execId=exec_id, time=when, side=side, shares=shares, price=190.5, permId=77, orderId=5,
                   orderRef="tb-s-1")
    report = CommissionReport(execId=exec_id if report_id is None else report_id, commission=commission)
    return Fill(Stock("AAPL", "SMART", "USD"), ex, report, when)


def test_trade_becomes_a_venue_order_with_signed_sizes_and_venue_ids():
    order = venue_order(_trade())
    assert order == VenueOrder("AAPL", -10.0, -4.0, "Partial", "tb-s-1", {"orderId": 5, "permId": 77})


def test_trade_without_status_is_submitted_and_a_pending_cancel_still_works():
    assert venue_order(_trade("", 0.0)).status == "Submitted"
    assert venue_order(_trade("PendingCancel", 2.0)).status == "Partial"
    assert venue_order(_trade("PendingCancel", 0.0)).status == "Accepted"


def test_rejected_trade_carries_ibs_code_and_text_as_reason():
    log = [TradeLogEntry(T0, "Inactive", "Order rejected - reason:No trading permissions", 201)]
    order = venue_order(_trade("Inactive", 0.0, log))
    assert order.status == "Rejected"
    assert (order.code, order.reason) == (201, "Order rejected - reason:No trading permissions")
    assert venue_order(_trade("Submitted", 0.0, log)).reason == ""


def test_ib_async_log_prefix_is_dropped_from_the_error_text():
    log = [TradeLogEntry(T0, "Cancelled", "Error 201, reqId 7: Order rejected - reason:Too big", 201)]
    assert last_error(_trade("Cancelled", 0.0, log)) == (201, "Order rejected - reason:Too big")


def test_an_order_ib_async_cancelled_after_error_201_is_rejected_but_202_stays_canceled():
    refused = [TradeLogEntry(T0, "Cancelled", "Order rejected - reason:No trading permissions", 201)]
    assert venue_order(_trade("Cancelled", 0.0, refused)).status == "Rejected"
    cancelled = [TradeLogEntry(T0, "Cancelled", "Order Canceled - reason:", 202)]
    assert venue_order(_trade("Cancelled", 0.0, cancelled)).status == "Canceled"
    assert venue_order(_trade("Cancelled", 3.0, refused)).status == "Canceled"  # partly filled: ended


def test_fill_becomes_a_venue_execution_with_sign_commission_and_utc_epoch():
    ex = venue_execution(_fill())
    assert ex == VenueExecution("0001.01", "AAPL", -4.0, 190.5, "tb-s-1", {"orderId": 5, "permId": 77},
                                1.25, T0.timestamp())
    assert venue_execution(_fill(side="BOT")).size == 4.0
    assert venue_execution(_fill(report_id="")).commission is None  # report not in yet
    naive = venue_execution(_fill(when=dt.datetime(2026, 11, 24, 14, 30)))
    assert naive.time == T0.timestamp()


def test_unknown_side_is_an_error_naming_it():
    with pytest.raises(IBMappingError, match="'XXX'"):
        venue_execution(_fill(side="XXX"))


def test_snapshot_sorts_executions_sets_cursor_and_sums_positions_of_the_account():
    later = _fill("0001.02", when=T0 + dt.timedelta(seconds=5))
    positions = [Position("DU1", Stock("AAPL", "SMART", "USD"), -8.0, 190.0),
                 Position("DU2", Stock("AAPL", "SMART", "USD"), 3.0, 190.0),
                 Position("DU1", Forex("EURUSD"), 20000.0, 1.1)]
    snap = venue_snapshot([_trade()], [later, _fill()], positions, cash=1000.0, account="DU1",
                          closed_trades=[_trade("Filled", 10.0)])
    assert [e.exec_id for e in snap.executions] == ["0001.01", "0001.02"] and snap.cursor == "0001.02"
    assert snap.positions == {"AAPL": -8.0, "EUR.USD": 20000.0} and snap.cash == 1000.0
    assert snap.open_orders[0].status == "Partial" and snap.closed_orders[0].status == "Completed"
    assert venue_snapshot([], [], []).cursor is None


def test_instrument_names_for_forex_futures_and_stocks():
    assert instrument_name(Forex("EURUSD")) == "EUR.USD"
    assert instrument_name(Future("ES", "202612", "CME", localSymbol="ESZ6")) == "ESZ6"
    assert instrument_name(Contract(secType="STK", symbol="MSFT")) == "MSFT"


def test_account_values_pick_base_cash_and_net_liquidation_and_skip_blanks():
    values = [AccountValue("DU1", "TotalCashBalance", "1000.5", "BASE", ""),
              AccountValue("DU1", "TotalCashBalance", "900", "USD", ""),
              AccountValue("DU1", "NetLiquidation", "2500.25", "USD", ""),
              AccountValue("DU1", "AvailableFunds", "", "USD", ""),
              AccountValue("DU2", "NetLiquidation", "1", "USD", "")]
    assert account_values(values, "DU1") == {"cash": 1000.5, "value": 2500.25}


BARS = [
    ((TimeFrame.Seconds, 5), "5 secs"), ((TimeFrame.Minutes, 1), "1 min"),
    ((TimeFrame.Minutes, 15), "15 mins"), ((TimeFrame.Minutes, 60), "1 hour"),
    ((TimeFrame.Minutes, 240), "4 hours"), ((TimeFrame.Days, 1), "1 day"),
    ((TimeFrame.Weeks, 1), "1 week"), ((TimeFrame.Months, 1), "1 month"),
]


@pytest.mark.parametrize("tf,size", BARS, ids=[b[1] for b in BARS])
def test_timeframe_compression_maps_to_ib_bar_size(tf, size):
    assert bar_size(*tf, exact=True) == size


def test_other_compressions_use_the_largest_ib_size_that_divides_them():
    assert bar_size(TimeFrame.Minutes, 45) == "15 mins"
    assert bar_size(TimeFrame.Minutes, 90) == "30 mins"
    assert bar_size(TimeFrame.Seconds, 20) == "10 secs"
    assert bar_size(TimeFrame.Days, 2) == "1 day" and bar_size(TimeFrame.Years, 1) == "1 month"
    with pytest.raises(IBMappingError, match="Tick"):
        bar_size(TimeFrame.Ticks, 1)
    with pytest.raises(IBMappingError, match="compression 45"):
        bar_size(TimeFrame.Minutes, 45, exact=True)


@given(st.sampled_from(sorted(BAR_SIZES)), st.integers(1, 50))
def test_any_multiple_of_an_ib_size_gets_a_size_that_divides_it(key, factor):
    tf, n = key
    size = bar_size(tf, n * factor)
    sizes = {v: k for k, v in BAR_SIZES.items()}
    assert sizes[size][0] == tf and (n * factor) % sizes[size][1] == 0


def test_what_defaults_to_midpoint_for_cash_and_trades_otherwise():
    assert what_to_show("CASH") == "MIDPOINT" and what_to_show("STK") == "TRADES"
    assert what_to_show("FUT") == "TRADES" and what_to_show("CASH", "bid") == "BID"
    with pytest.raises(IBMappingError, match="'LAST'"):
        what_to_show("STK", "LAST")
    assert what_to_show("STK", "bid_ask") == "BID_ASK"
    with pytest.raises(IBMappingError, match="'BID_ASK'.*real-time bars"):
        what_to_show("STK", "BID_ASK", realtime=True)


def test_comminfo_stocklike_for_stocks_and_forex_futures_like_with_multiplier():
    stock = CommInfoBase(**comminfo_params("STK", ""))
    assert stock.stocklike and stock.p.mult == 1.0 and stock.getcommission(10, 100.0) == 0.0
    fut = CommInfoBase(**comminfo_params("FUT", "50"))
    assert not fut.stocklike and fut.p.mult == 50.0
    assert fut.profitandloss(1, 6000.0, 6001.0) == 50.0
    assert comminfo_params("CASH", None)["stocklike"] is True
    with pytest.raises(IBMappingError, match="'abc'"):
        comminfo_params("FUT", "abc")


def test_commission_reports_give_exec_id_and_amount_once_ib_has_a_figure():
    assert commission(CommissionReport(execId="0001.01", commission=1.25)) == ("0001.01", 1.25)
    assert commission(CommissionReport(execId="0001.01", commission=1.7976931348623157e308)) is None
    assert commission(CommissionReport(execId="", commission=1.0)) is None


def test_last_error_gives_ibs_code_and_text_for_order_info():
    log = [TradeLogEntry(T0, "Submitted", "", 0),
           TradeLogEntry(T0, "Cancelled", "Order Canceled - reason:outside hours", 202)]
    assert last_error(_trade("Cancelled", 0.0, log)) == (202, "Order Canceled - reason:outside hours")
    assert last_error(_trade()) is None
    cancelled = venue_order(_trade("Cancelled", 0.0, log))
    assert (cancelled.code, cancelled.reason) == (202, "Order Canceled - reason:outside hours")


def test_comminfo_from_real_contract_details():
    from ib_async import ContractDetails

    details = ContractDetails(contract=Future("ES", "202612", "CME", multiplier="50", currency="USD"))
    assert comminfo_from_details(details)["mult"] == 50.0
    assert comminfo_from_details(details)["stocklike"] is False
    with pytest.raises(IBMappingError, match="without a contract"):
        comminfo_from_details(ContractDetails())
