"""An order handed to the adapter after the venue's snapshot was taken is in flight: reconciliation
leaves it to its own events instead of calling it never sent (found by tests/venues/ib/test_ib_faults.py)."""

from __future__ import annotations

from tradebridge.live.reconcile import MarkOrder, reconcile
from tradebridge.live.state import LocalState, OrderState, VenueExecution, VenueOrder, VenueSnapshot

A = "tb-sess0001-1"


def _submitted() -> LocalState:
    return LocalState(orders={A: OrderState(A, "AAPL", 10, 0.0, "Submitted", {})})


def test_an_order_in_flight_when_the_snapshot_was_taken_keeps_its_status():
    assert reconcile(_submitted(), VenueSnapshot(sent=frozenset()), in_flight={A}) == []


def test_an_order_not_in_flight_that_the_venue_does_not_know_is_still_rejected():
    (action,) = reconcile(_submitted(), VenueSnapshot(sent=frozenset({A})), in_flight=set())
    assert action == MarkOrder(A, "Rejected",
                               "never reached the venue: not acknowledged, not listed, no fills")


def test_an_order_in_flight_that_the_venue_lists_or_filled_is_judged_by_the_venue():
    listed = VenueSnapshot(closed_orders=(VenueOrder("AAPL", 10, 0, "Canceled", A, {"permId": "9"}, "202"),))
    assert MarkOrder(A, "Canceled", "202") in reconcile(_submitted(), listed, in_flight={A})
    fill = VenueExecution("e1", "AAPL", 10, 100.0, client_id=A, venue_ids={"permId": "9"})
    filled = VenueSnapshot(executions=(fill,), positions={"AAPL": 10})
    assert MarkOrder(A, "Completed") in reconcile(_submitted(), filled, in_flight={A})
