"""Order lifecycle in the sandbox exchange: cancel, modify, expiry (DAY/GTD/IOC), MOC, trailing
stops, partial fills, rejections, and state kept while clients come and go."""

from __future__ import annotations

import datetime as dt

import pytest
from ib_exchange_kit import bar, kinds, of, order, place, run_bars

from tradebridge.orders.fillers import FixedBarPerc, FixedSize
from tradebridge.venues.ib.sandbox.events import (
    Bar,
    CommissionEvent,
    ErrorEvent,
    ExecFilter,
    ExecutionEvent,
    OpenOrder,
    OrderStatus,
)
from tradebridge.venues.ib.sandbox.exchange import Exchange

NY = dt.timezone(dt.timedelta(hours=-5))  # New York in November (EST)


def _exchange(**kw) -> Exchange:
    ex = Exchange(**kw)
    ex.connect(1)
    ex.on_bar("AAPL", bar(0, 100.0, 101.0, 99.0, 100.0))
    return ex


def _ny(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=NY)


def _status(events, oid: int = 1) -> str:
    return [e.status for e in of(events, OrderStatus) if e.order_id == oid][-1]


# -- cancel ------------------------------------------------------------------------------
def test_cancel_reports_cancelled_status_and_error_202():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0))
    events = ex.cancel(1, 1)
    assert kinds(events) == ["OrderStatus", "ErrorEvent"]
    assert events[0].status == "Cancelled" and events[1].code == 202
    assert events[1].text.startswith("Order Canceled - reason:")
    assert of(run_bars(ex, [(89.0, 89.0, 80.0, 85.0)]), ExecutionEvent) == []


def test_cancel_of_an_unknown_or_other_clients_order_is_10147():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0), client=2)
    (err,) = ex.cancel(1, 1)
    assert err.code == 10147 and err.text == "OrderId 1 that needs to be cancelled is not found."
    assert ex.orders[(2, 1)].status == "Submitted"


def test_cancel_of_a_filled_order_is_10148_naming_the_state():
    ex = _exchange()
    place(ex, 1, order("BUY", 10))
    run_bars(ex, [(100.0, 101.0, 99.0, 100.0)])
    (err,) = ex.cancel(1, 1)
    assert err.code == 10148 and "state: Filled" in err.text


def test_global_cancel_cancels_every_clients_live_orders():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0), client=1)
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0), client=2)
    events = ex.cancel_all()
    assert sorted((e.client_id, e.status) for e in of(events, OrderStatus)) == [
        (1, "Cancelled"), (2, "Cancelled")]


# -- modify ------------------------------------------------------------------------------
def test_modify_moves_the_limit_and_the_order_fills_at_the_new_price():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=95.0))
    events = place(ex, 1, order("BUY", 20, "LMT", lmt_price=99.5))
    assert kinds(events) == ["OpenOrder", "OrderStatus"] and events[1].remaining == 20
    (fill,) = of(run_bars(ex, [(100.0, 100.0, 99.0, 99.5)]), ExecutionEvent)
    assert (fill.execution.price, fill.execution.shares) == (99.5, 20)


def test_modify_of_filled_is_104_and_changing_the_side_is_105():
    ex = _exchange()
    place(ex, 1, order("BUY", 10))
    place(ex, 2, order("BUY", 10, "LMT", lmt_price=90.0))
    run_bars(ex, [(100.0, 101.0, 99.0, 100.0)])
    assert [e.code for e in place(ex, 1, order("BUY", 20))] == [104]
    assert [e.code for e in place(ex, 2, order("SELL", 10, "LMT", lmt_price=90.0))] == [105]
    assert ex.orders[(1, 2)].req.action == "BUY"


def test_modify_with_a_bad_price_keeps_the_old_order_working():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=95.0))
    assert [e.code for e in place(ex, 1, order("BUY", 10, "LMT", lmt_price=95.001))] == [110]
    assert ex.orders[(1, 1)].req.lmt_price == 95.0 and ex.orders[(1, 1)].status == "Submitted"


def test_modify_with_transmit_releases_a_held_order():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=99.5, transmit=False))
    events = place(ex, 1, order("BUY", 10, "LMT", lmt_price=99.5, transmit=True))
    assert _status(events) == "Submitted"


# -- expiry ------------------------------------------------------------------------------
def test_day_order_is_cancelled_at_the_first_bar_after_the_session_end():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0, tif="DAY"))
    place(ex, 2, order("BUY", 10, "LMT", lmt_price=90.0, tif="GTC"))
    assert of(ex.on_bar("AAPL", Bar(_ny(24, 15, 59), 100, 101, 99, 100)), OrderStatus) == []
    events = ex.on_bar("AAPL", Bar(_ny(25, 9, 30), 100, 101, 99, 100))
    assert [(e.order_id, e.status) for e in of(events, OrderStatus)] == [(1, "Cancelled")]


def test_gtd_order_is_cancelled_after_its_date_time():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0, tif="GTD",
                       good_till_date="20261124 11:00:00 America/New_York"))
    assert of(ex.on_bar("AAPL", Bar(_ny(24, 11, 0), 100, 101, 99, 100)), OrderStatus) == []
    assert _status(ex.on_bar("AAPL", Bar(_ny(24, 11, 1), 100, 101, 99, 100))) == "Cancelled"


def test_gtd_in_the_past_or_malformed_is_refused():
    ex = _exchange()
    past = place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0, tif="GTD",
                              good_till_date="20200101 10:00:00"))
    bad = place(ex, 2, order("BUY", 10, "LMT", lmt_price=90.0, tif="GTD", good_till_date="tomorrow"))
    assert [e.code for e in of(past + bad, ErrorEvent)] == [321, 321]
    assert "goodTillDate 'tomorrow'" in of(bad, ErrorEvent)[0].text
    assert "is in the past" in of(past, ErrorEvent)[0].text


def test_ioc_fills_what_it_can_on_the_next_bar_and_cancels_the_rest():
    ex = _exchange(liquidity=FixedSize(size=30))
    place(ex, 1, order("BUY", 100, "LMT", lmt_price=100.0, tif="IOC"))
    events = run_bars(ex, [(99.8, 100.2, 99.5, 100.0)])
    assert [e.execution.shares for e in of(events, ExecutionEvent)] == [30]
    assert _status(events) == "Cancelled"


# -- MOC and trailing --------------------------------------------------------------------
def test_moc_fills_at_the_close_of_the_session_end_bar():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "MOC"))
    assert of(ex.on_bar("AAPL", Bar(_ny(24, 15, 59), 100, 101, 99, 100.3)), ExecutionEvent) == []
    (fill,) = of(ex.on_bar("AAPL", Bar(_ny(24, 16, 0), 100.3, 101, 99, 100.9)), ExecutionEvent)
    assert fill.execution.price == 100.9


def test_moc_without_a_session_end_bar_fills_at_the_last_close_of_the_session():
    ex = _exchange()
    place(ex, 1, order("SELL", 10, "MOC"))
    ex.on_bar("AAPL", Bar(_ny(24, 15, 59), 100, 101, 99, 100.3))
    (fill,) = of(ex.on_bar("AAPL", Bar(_ny(25, 9, 30), 98, 99, 97, 98.5)), ExecutionEvent)
    assert fill.execution.price == 100.3 and fill.execution.time == _ny(24, 15, 59)


def test_trailing_stop_follows_the_close_and_fires_at_the_trailed_stop():
    ex = _exchange()
    place(ex, 1, order("SELL", 10, "TRAIL", aux_price=1.0, trail_stop_price=99.0))
    run_bars(ex, [(100.0, 102.5, 100.0, 102.0)])  # stop trails from 99 to 101
    (shown,) = of(ex.open_orders(1), OpenOrder)
    assert shown.order.trail_stop_price == pytest.approx(101.0) and shown.order.aux_price == 1.0
    (fill,) = of(run_bars(ex, [(101.8, 101.9, 100.5, 100.8)], start=2), ExecutionEvent)
    assert fill.execution.price == pytest.approx(101.0)


def test_trailing_percent_and_trail_limit_offset():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "TRAIL LIMIT", trailing_percent=1.0, lmt_price_offset=0.5,
                       trail_stop_price=101.0))
    bt = ex.orders[(1, 1)].bt
    assert bt.created.price == pytest.approx(101.0)
    assert bt.created.pricelimit == pytest.approx(101.5)


def test_trailing_without_a_trail_is_refused_321():
    ex = _exchange()
    (err, _) = place(ex, 1, order("SELL", 10, "TRAIL"))
    assert err.code == 321 and "trailingPercent" in err.text


# -- partial fills -----------------------------------------------------------------------
def test_partial_fills_are_separate_executions_summing_exactly_to_the_order():
    ex = _exchange(liquidity=FixedBarPerc(perc=3.0))  # 30 of a 1000-share bar
    place(ex, 1, order("BUY", 100))
    events = run_bars(ex, [(100.0 + i, 101.0 + i, 99.0, 100.0 + i) for i in range(5)])
    fills = of(events, ExecutionEvent)
    assert [f.execution.shares for f in fills] == [30, 30, 30, 10]
    assert [f.execution.cum_qty for f in fills] == [30, 60, 90, 100]
    assert [s.status for s in of(events, OrderStatus)] == ["Submitted"] * 3 + ["Filled"]
    prices = [f.execution.price for f in fills]
    assert fills[-1].execution.avg_price == pytest.approx(sum(p * q for p, q in zip(prices, [30, 30, 30, 10],
                                                                                      strict=True)) / 100)
    assert sum(c.report.commission for c in of(events, CommissionEvent)) == pytest.approx(1.0)
    assert ex.account.positions[265598].size == 100


# -- rejections ----------------------------------------------------------------------------
@pytest.mark.parametrize(("req", "code", "fragment"), [
    (order("BUY", 10, "LMT"), 321, "lmtPrice must be a positive price"),
    (order("BUY", 10, "STP LMT", lmt_price=100.0), 321, "auxPrice"),
    (order("BUY", 0), 321, "totalQuantity"),
    (order("HOLD", 10), 321, "Invalid action"),
    (order("BUY", 10, "REL"), 387, "Unsupported order type"),
    (order("BUY", 10, tif="OPG"), 321, "time in force"),
    (order("BUY", 10, "LMT", lmt_price=99.0, tif="GTD"), 321, "goodTillDate"),
    (order("BUY", 10, account="U999"), 201, "Invalid account code"),
    (order("BUY", 100_000, "LMT", lmt_price=100.0), 201, "YOUR ORDER IS NOT ACCEPTED"),
])
def test_invalid_orders_get_ibs_error_code_and_become_inactive(req, code, fragment):
    ex = _exchange()
    events = place(ex, 1, req)
    (err,) = of(events, ErrorEvent)
    assert err.code == code and fragment in err.text and err.req_id == 1
    assert _status(events) == "Inactive"
    assert [o.order_id for o in of(ex.completed_orders(1), OpenOrder)] == [1]


def test_reject_next_rejects_one_order_with_the_given_reason():
    ex = _exchange()
    ex.reject_next("SIMULATED RISK LIMIT")
    (err, status) = place(ex, 1, order("BUY", 10))
    assert (err.code, status.status) == (201, "Inactive")
    assert err.text == "Order rejected - reason:SIMULATED RISK LIMIT"
    assert _status(place(ex, 2, order("BUY", 10)), 2) == "Submitted"


# -- clients come and go -----------------------------------------------------------------
def test_orders_fill_while_the_client_is_away_and_it_finds_them_afterwards():
    ex = _exchange()
    place(ex, 7, order("BUY", 10, "LMT", lmt_price=99.5, order_ref="tb-7"))
    ex.disconnect(1)
    live = of(run_bars(ex, [(99.6, 100.0, 99.0, 99.8)]), ExecutionEvent)
    assert len(live) == 1
    ex.connect(1)
    assert ex.next_valid_id(1) == 8
    assert of(ex.open_orders(1), OpenOrder) == []
    (done,) = of(ex.completed_orders(1), OpenOrder)
    assert (done.order_id, done.status, done.completed, done.order.order_ref) == (7, "Filled", True, "tb-7")
    events = ex.executions_for(1, 42)
    assert kinds(events) == ["ExecutionEvent", "CommissionEvent"]
    assert events[0].req_id == 42 and events[0].execution.exec_id == live[0].execution.exec_id
    assert events[1].report.exec_id == live[0].execution.exec_id and events[0].targets == frozenset({1})


def test_open_orders_lists_own_orders_and_all_open_orders_every_clients():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0), client=1)
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0), client=2)
    assert [e.client_id for e in of(ex.open_orders(1), OpenOrder)] == [1]
    assert sorted(e.client_id for e in of(ex.open_orders(1, all_clients=True), OpenOrder)) == [1, 2]
    assert sorted(e.client_id for e in of(ex.open_orders(0), OrderStatus)) == [1, 2]


def test_execution_filter_selects_by_client_symbol_side_and_time():
    ex = _exchange()
    place(ex, 1, order("BUY", 10), client=1)
    place(ex, 1, order("SELL", 5), client=2)
    run_bars(ex, [(100.0, 101.0, 99.0, 100.0)])
    place(ex, 2, order("BUY", 1), client=1)
    run_bars(ex, [(100.0, 101.0, 99.0, 100.0)], start=2)

    def picked(**kw) -> list[tuple[int, int]]:
        return [(e.execution.client_id, e.execution.order_id)
                for e in of(ex.executions_for(1, 1, ExecFilter(**kw)), ExecutionEvent)]

    assert picked() == [(1, 1), (2, 1), (1, 2)]
    assert picked(client_id=2) == [(2, 1)]
    assert picked(side="BUY") == [(1, 1), (1, 2)]
    assert picked(time=bar(2, 1, 1, 1, 1).time) == [(1, 2)]
    assert picked(symbol="MSFT") == [] and picked(sec_type="STK", exchange="SMART") == picked()
    assert picked(acct_code="DU1234567") == picked() and picked(acct_code="X") == []


# -- before any bar, and bad bars ----------------------------------------------------------
def test_day_order_placed_before_any_bar_takes_its_session_from_the_first_bar():
    ex = Exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=90.0))
    place(ex, 2, order("BUY", 10, "MOC"))
    assert of(ex.on_bar("AAPL", Bar(_ny(24, 10, 0), 100, 101, 99, 100)), OrderStatus) == []
    events = ex.on_bar("AAPL", Bar(_ny(24, 16, 0), 100, 101, 99, 100.5))
    assert [(e.execution.order_id, e.execution.price) for e in of(events, ExecutionEvent)] == [(2, 100.5)]
    assert _status(ex.on_bar("AAPL", Bar(_ny(25, 9, 30), 100, 101, 99, 100))) == "Cancelled"


def test_numeric_liquidity_caps_each_bar_even_without_volume():
    ex = Exchange(liquidity=25_000)
    ex.on_bar("EUR.USD", {"datetime": 1_795_000_000.0, "open": 1.1, "high": 1.1, "low": 1.1, "close": 1.1})
    ex.place(1, 1, ex.instruments["EUR.USD"].contract, order("SELL", 60_000))
    events = []
    for i in range(1, 4):
        events += ex.on_bar("EUR.USD", {"datetime": 1_795_000_000.0 + 60 * i, "open": 1.1, "high": 1.1,
                                        "low": 1.1, "close": 1.1, "volume": 0})
    assert [e.execution.shares for e in of(events, ExecutionEvent)] == [25_000, 25_000, 10_000]


def test_bad_bars_and_settings_raise_naming_the_cause():
    ex = _exchange()
    with pytest.raises(ValueError, match="no instrument 'MSFT'"):
        ex.on_bar("MSFT", bar(1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="older than the last one"):
        ex.on_bar("AAPL", bar(-5, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="no time/datetime"):
        ex.on_bar("AAPL", {"open": 1, "high": 1, "low": 1, "close": 1})
    with pytest.raises(ValueError, match="slippage: unknown setting"):
        Exchange(slippage={"slip_prec": 0.01})
    with pytest.raises(ValueError, match="liquidity must be"):
        Exchange(liquidity=0)
    with pytest.raises(ValueError, match="plans need an 'STK' entry"):
        Exchange(plans={})


def test_trailing_percent_of_100_or_more_is_refused():
    ex = _exchange()
    (err, _) = place(ex, 1, order("SELL", 10, "TRAIL", trailing_percent=100.0))
    assert err.code == 321 and "below 100" in err.text


def test_a_disconnect_ends_the_clients_subscriptions_but_not_its_orders():
    ex = _exchange()
    ex.connect(0)
    ex.subscribe_account(1, True)
    ex.subscribe_positions(1, True)
    place(ex, 1, order("BUY", 10))
    ex.disconnect(1)
    ex.disconnect(0)
    events = run_bars(ex, [(100.0, 101.0, 99.0, 100.0)])
    assert kinds(events) == ["ExecutionEvent", "OrderStatus", "OpenOrder", "CommissionEvent"]
    assert all(e.targets == frozenset({1}) for e in events)  # the owner, for whenever it comes back
