"""Brackets (parentId), held orders (transmit=False) and OCA groups in the sandbox exchange."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ib_exchange_kit import bar, of, order, place, run_bars

from tradebridge.orders.fillers import FixedSize
from tradebridge.venues.ib.sandbox.events import ErrorEvent, ExecutionEvent, OrderStatus
from tradebridge.venues.ib.sandbox.exchange import Exchange


def _exchange(**kw) -> Exchange:
    ex = Exchange(**kw)
    ex.connect(1)
    ex.on_bar("AAPL", bar(0, 100.0, 101.0, 99.0, 100.0))
    return ex


def _statuses(events) -> dict[int, str]:
    return {e.order_id: e.status for e in of(events, OrderStatus)}


def _bracket(ex: Exchange, qty: float = 100, parent: str = "LMT", tp: float = 103.0, sl: float = 97.0):
    events = place(ex, 1, order("BUY", qty, parent, lmt_price=99.5 if parent == "LMT" else None,
                                transmit=False))
    events += place(ex, 2, order("SELL", qty, "LMT", lmt_price=tp, parent_id=1, transmit=False))
    events += place(ex, 3, order("SELL", qty, "STP", aux_price=sl, parent_id=1, transmit=True))
    return events


def test_untransmitted_orders_wait_until_the_last_child_transmits_the_bracket():
    ex = _exchange()
    first = place(ex, 1, order("BUY", 100, "LMT", lmt_price=99.5, transmit=False))
    assert _statuses(first) == {1: "PendingSubmit"}
    assert of(run_bars(ex, [(99.0, 99.0, 98.0, 98.5)]), ExecutionEvent) == []  # held: no fill
    place(ex, 2, order("SELL", 100, "LMT", lmt_price=103.0, parent_id=1, transmit=False))
    last = place(ex, 3, order("SELL", 100, "STP", aux_price=97.0, parent_id=1))
    assert [(e.order_id, e.status) for e in of(last, OrderStatus)] == [
        (1, "Submitted"), (2, "PreSubmitted"), (3, "PreSubmitted")]


def test_children_work_only_after_the_parent_fills_and_from_the_next_bar():
    ex = _exchange()
    _bracket(ex)
    # bar 1 fills the parent at 99.5 and also trades through the stop: the stop must not fire yet
    events = ex.on_bar("AAPL", bar(1, 100.0, 100.0, 96.0, 99.0))
    assert [e.execution.order_id for e in of(events, ExecutionEvent)] == [1]
    assert _statuses(events) == {1: "Filled", 2: "Submitted", 3: "Submitted"}
    fills = of(ex.on_bar("AAPL", bar(2, 99.0, 99.5, 96.5, 97.0)), ExecutionEvent)
    assert [(f.execution.order_id, f.execution.price) for f in fills] == [(3, 97.0)]


def test_a_filled_child_cancels_its_sibling():
    ex = _exchange()
    _bracket(ex)
    ex.on_bar("AAPL", bar(1, 99.5, 100.0, 99.0, 99.8))
    events = ex.on_bar("AAPL", bar(2, 100.0, 104.0, 99.8, 103.5))
    assert _statuses(events) == {2: "Filled", 3: "Cancelled"}
    assert ex.account.positions[265598].size == 0


def test_a_partly_filled_child_reduces_its_sibling_by_the_same_quantity():
    ex = _exchange(liquidity=FixedSize(size=40))
    _bracket(ex, qty=100)
    run_bars(ex, [(99.5, 100.0, 99.0, 99.8)] * 3)  # the parent fills 40 + 40 + 20
    assert ex.orders[(1, 1)].status == "Filled"
    events = ex.on_bar("AAPL", bar(4, 100.0, 104.0, 99.8, 103.5))
    (stop,) = [e for e in of(events, OrderStatus) if e.order_id == 3]
    assert (stop.status, stop.remaining) == ("Submitted", 60)
    assert ex.orders[(1, 3)].req.total_quantity == 60


def test_cancelling_the_parent_cancels_its_children():
    ex = _exchange()
    _bracket(ex)
    events = ex.cancel(1, 1)
    assert _statuses(events) == {1: "Cancelled", 2: "Cancelled", 3: "Cancelled"}
    assert [e.code for e in of(events, ErrorEvent)] == [202]


def test_a_child_of_an_unknown_parent_is_error_10006():
    ex = _exchange()
    events = place(ex, 1, order("SELL", 10, "LMT", lmt_price=101.0, parent_id=77))
    assert [(e.code, e.text) for e in of(events, ErrorEvent)] == [(10006, "Missing parent order.")]
    assert _statuses(events) == {1: "Inactive"}


def test_a_child_of_a_cancelled_parent_is_rejected_201():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=99.0))
    ex.cancel(1, 1)
    events = place(ex, 2, order("SELL", 10, "LMT", lmt_price=101.0, parent_id=1))
    assert [e.code for e in of(events, ErrorEvent)] == [201]


def test_oca_type_1_cancels_the_other_members_on_a_fill():
    ex = _exchange()
    place(ex, 1, order("BUY", 10, "LMT", lmt_price=99.0, oca_group="g", oca_type=1))
    place(ex, 2, order("BUY", 10, "LMT", lmt_price=98.0, oca_group="g", oca_type=1))
    place(ex, 3, order("BUY", 10, "LMT", lmt_price=98.0))  # not in the group
    events = ex.on_bar("AAPL", bar(1, 99.5, 99.5, 98.5, 99.0))
    assert _statuses(events) == {1: "Filled", 2: "Cancelled"}
    assert ex.orders[(1, 3)].status == "Submitted"


@pytest.mark.parametrize("oca_type", [2, 3])
def test_oca_reducing_types_shrink_the_other_members(oca_type):
    ex = _exchange(liquidity=FixedSize(size=4))
    place(ex, 1, order("SELL", 10, "LMT", lmt_price=100.5, oca_group="g", oca_type=oca_type))
    place(ex, 2, order("SELL", 10, "STP", aux_price=95.0, oca_group="g", oca_type=oca_type))
    events = ex.on_bar("AAPL", bar(1, 100.0, 101.0, 99.5, 100.6))
    (other,) = [e for e in of(events, OrderStatus) if e.order_id == 2]
    assert (other.status, other.remaining) == ("Submitted", 6)
    run_bars(ex, [(100.0, 101.0, 99.5, 100.6)] * 2, start=2)
    assert ex.orders[(1, 1)].status == "Filled" and ex.orders[(1, 2)].status == "Cancelled"


@settings(max_examples=60, deadline=None)
@given(moves=st.lists(st.integers(-150, 150), min_size=5, max_size=30), chunk=st.sampled_from([None, 30, 70]),
       qty=st.integers(1, 300), tp=st.integers(5, 200), sl=st.integers(5, 200))
def test_random_paths_never_let_a_bracket_exit_more_than_the_parent_bought(moves, chunk, qty, tp, sl):
    ex = _exchange(liquidity=chunk)
    entry = 100.0
    place(ex, 1, order("BUY", qty, "LMT", lmt_price=entry, transmit=False))
    take = round(entry + tp * 0.01, 2)
    place(ex, 2, order("SELL", qty, "LMT", lmt_price=take, parent_id=1, transmit=False))
    place(ex, 3, order("SELL", qty, "STP", aux_price=round(entry - sl * 0.01, 2), parent_id=1))
    price, events = 100.3, []
    for i, move in enumerate(moves, start=1):
        new = max(price + move * 0.01, 1.0)
        events += ex.on_bar("AAPL", bar(i, price, max(price, new) + 0.05, min(price, new) - 0.05, new))
        price = new
    fills = [e.execution for e in of(events, ExecutionEvent)]
    parent = [f for f in fills if f.order_id == 1]
    exits = [f for f in fills if f.order_id in (2, 3)]
    bought, sold = sum(f.shares for f in parent), sum(f.shares for f in exits)
    assert sold <= bought <= qty
    pos = ex.account.positions.get(265598)
    assert (pos.size if pos else 0) == bought - sold
    if exits:  # children work only from the bar after the parent completed
        assert bought == qty and min(f.time for f in exits) > max(f.time for f in parent)
    done = {oid: ex.orders[(1, oid)].status for oid in (2, 3)}
    if sold == qty:  # exit complete: one child filled (maybe with part of the other), the other ended
        assert sorted(done.values()) == ["Cancelled", "Filled"]
