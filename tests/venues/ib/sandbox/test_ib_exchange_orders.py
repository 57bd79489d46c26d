"""Placing, matching and reporting MKT/LMT/STP orders in the sandbox exchange."""

from __future__ import annotations

import pytest
from ib_exchange_kit import at, bar, kinds, of, order, place, run_bars

from tradebridge.venues.ib.sandbox.events import (
    CommissionEvent,
    ErrorEvent,
    ExecutionEvent,
    OpenOrder,
    OrderStatus,
)
from tradebridge.venues.ib.sandbox.exchange import Exchange


@pytest.fixture
def ex() -> Exchange:
    ex = Exchange()
    ex.connect(1)
    ex.on_bar("AAPL", bar(0, 100.0, 101.0, 99.0, 100.5))
    return ex


def test_place_reports_open_order_then_submitted_status(ex):
    events = place(ex, 1, order("BUY", 10))
    assert kinds(events) == ["OpenOrder", "OrderStatus"]
    assert events[1].status == "Submitted" and events[1].remaining == 10 and events[1].filled == 0
    assert events[0].order.account == "DU1234567" and events[0].contract.con_id == 265598
    assert all(e.targets == frozenset({1}) for e in events)


def test_market_order_fills_at_next_bar_open_with_execution_status_and_commission(ex):
    place(ex, 1, order("BUY", 10, order_ref="tb-1"))
    events = ex.on_bar("AAPL", bar(1, 100.7, 101.0, 99.0, 100.8))
    fill = [e for e in events if not type(e).__name__.startswith(("Account", "Portfolio", "Position"))]
    assert kinds(fill) == ["ExecutionEvent", "OrderStatus", "OpenOrder", "CommissionEvent"]
    execution = fill[0].execution
    assert (execution.side, execution.shares, execution.price, execution.cum_qty) == ("BOT", 10, 100.7, 10)
    assert execution.order_ref == "tb-1" and execution.time == at(1) and execution.exchange == "NASDAQ"
    assert fill[1].status == "Filled" and fill[1].avg_fill_price == 100.7 and fill[1].remaining == 0
    assert fill[3].report.exec_id == execution.exec_id and fill[3].report.commission == 1.0


def test_limit_buy_fills_at_limit_when_the_bar_reaches_it_not_before(ex):
    place(ex, 1, order("BUY", 100, "LMT", lmt_price=99.5))
    assert of(ex.on_bar("AAPL", bar(1, 100.0, 100.5, 99.6, 100.0)), ExecutionEvent) == []
    (fill,) = of(ex.on_bar("AAPL", bar(2, 100.0, 100.5, 99.2, 100.0)), ExecutionEvent)
    assert fill.execution.price == 99.5


def test_limit_sell_gapping_through_fills_at_the_open(ex):
    place(ex, 1, order("SELL", 100, "LMT", lmt_price=101.0))
    (fill,) = of(ex.on_bar("AAPL", bar(1, 102.0, 103.0, 101.5, 102.5)), ExecutionEvent)
    assert fill.execution.price == 102.0 and fill.execution.side == "SLD"


def test_stop_sell_fills_at_stop_or_at_a_gap_open(ex):
    place(ex, 1, order("SELL", 10, "STP", aux_price=99.0))
    place(ex, 2, order("SELL", 10, "STP", aux_price=99.5))
    assert of(ex.on_bar("AAPL", bar(1, 100.0, 100.5, 99.6, 100.0)), ExecutionEvent) == []
    fills = of(ex.on_bar("AAPL", bar(2, 99.3, 99.8, 98.0, 98.5)), ExecutionEvent)
    assert {f.execution.order_id: f.execution.price for f in fills} == {1: 99.0, 2: 99.3}


def test_exec_ids_are_unique_and_stored_ones_never_change(ex):
    for oid in range(1, 6):
        place(ex, oid, order("BUY" if oid % 2 else "SELL", 10))
    live = of(run_bars(ex, [(100.0, 101.0, 99.0, 100.0)] * 2), ExecutionEvent)
    ids = [e.execution.exec_id for e in live]
    assert len(ids) == len(set(ids)) == 5
    again = [e.execution.exec_id for e in of(ex.executions_for(1, 7), ExecutionEvent)]
    assert again == ids


def test_commission_minimum_applies_per_order_and_per_share_above_it(ex):
    place(ex, 1, order("BUY", 100))
    place(ex, 2, order("BUY", 1000))
    reports = {e.report.exec_id: e.report.commission
               for e in of(ex.on_bar("AAPL", bar(1, 100.0, 101.0, 99.0, 100.0)), CommissionEvent)}
    assert sorted(reports.values()) == [1.0, 5.0]


def test_closing_execution_reports_realized_pnl_net_of_both_commissions(ex):
    place(ex, 1, order("BUY", 10))
    ex.on_bar("AAPL", bar(1, 100.7, 101.0, 99.0, 100.8))
    place(ex, 2, order("SELL", 10, "LMT", lmt_price=102.0))
    (report,) = of(ex.on_bar("AAPL", bar(2, 101.0, 102.5, 100.0, 102.0)), CommissionEvent)
    assert report.report.realized_pnl == pytest.approx((102.0 - 100.7) * 10 - 2.0)
    assert ex.summary()["NetLiquidation"] == pytest.approx(1_000_000 + 11.0)


def test_unknown_contract_is_error_200(ex):
    from tradebridge.venues.ib.sandbox.events import Contract

    (err,) = place(ex, 1, order("BUY", 1), contract=Contract(0, "NOPE"))
    assert (err.code, err.req_id) == (200, 1)
    assert "No security definition" in err.text


def test_off_tick_price_is_error_110_and_order_inactive(ex):
    events = place(ex, 1, order("BUY", 1, "LMT", lmt_price=100.003))
    assert kinds(events) == ["ErrorEvent", "OrderStatus"]
    assert events[0].code == 110 and events[1].status == "Inactive"
    assert of(ex.open_orders(1), OpenOrder) == []


def test_reused_lower_order_id_is_error_103(ex):
    place(ex, 5, order("BUY", 1))
    (err,) = place(ex, 4, order("BUY", 1))
    assert err.code == 103 and err.text == "Duplicate order id"
    assert ex.next_valid_id(1) == 6


def test_order_status_goes_to_owner_and_client_zero_not_to_other_clients(ex):
    ex.connect(0)
    ex.connect(2)
    (_, status) = place(ex, 1, order("BUY", 1))
    assert isinstance(status, OrderStatus) and status.targets == frozenset({0, 1})
    ex.set_auto_open(2, True)
    (_, status) = place(ex, 2, order("BUY", 1))
    assert status.targets == frozenset({0, 1, 2})


def test_errors_go_only_to_the_requesting_client(ex):
    ex.connect(0)
    (err,) = ex.cancel(1, 99)
    assert isinstance(err, ErrorEvent) and err.targets == frozenset({1})
