"""Reconciliation policy, case by case: what each venue snapshot turns into."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tradebridge.live.reconcile import (
    ApplyFill,
    CashMismatch,
    LinkVenueIds,
    MarkOrder,
    PositionMismatch,
    RecordCommission,
    RecordExternalFill,
    SetCursor,
    SkipFill,
    TrackExternal,
    apply_actions,
    effects,
    reconcile,
)
from tradebridge.live.state import LocalState, OrderState, VenueExecution, VenueOrder, VenueSnapshot

A = "tb-sess0001-1"


def order(status: str = "Accepted", filled: float = 0.0, size: float = 10, **ids: str) -> OrderState:
    return OrderState(A, "AAPL", size, filled, status, ids)


def ex(exec_id: str, size: float, cid: str | None = A, inst: str = "AAPL", **kw: object) -> VenueExecution:
    return VenueExecution(exec_id, inst, size, 100.0, client_id=cid, **kw)  # type: ignore[arg-type]


@dataclass
class Case:
    local: LocalState
    snap: VenueSnapshot
    expected: list = field(default_factory=list)


def state(*orders: OrderState, fills: tuple[str, ...] = (), positions: dict | None = None,
          cash: float | None = None, cursor: str | None = None) -> LocalState:
    return LocalState({o.client_id: o for o in orders}, frozenset(fills), positions or {},
                      cash=cash, cursor=cursor)


ACKED = order(permId="9")
CASES = {
    "open order whose ack was lost gets its venue ids and Accepted": Case(
        state(order("Submitted")),
        VenueSnapshot(open_orders=(VenueOrder("AAPL", 10, client_id=A, venue_ids={"permId": "9"}),)),
        [LinkVenueIds(A, {"permId": "9"}), MarkOrder(A, "Accepted")]),
    "open order partly filled while away: fill applied, Partial": Case(
        state(ACKED),
        VenueSnapshot(open_orders=(VenueOrder("AAPL", 10, 4, "Partial", A, {"permId": "9"}),),
                      executions=(ex("e1", 4),), positions={"AAPL": 4}),
        [ApplyFill(A, ex("e1", 4)), MarkOrder(A, "Partial")]),
    "fill already journaled is skipped, not applied again": Case(
        state(order("Partial", 4, permId="9"), fills=("e1",), positions={"AAPL": 4}),
        VenueSnapshot(open_orders=(VenueOrder("AAPL", 10, 4, "Partial", A, {"permId": "9"}),),
                      executions=(ex("e1", 4),), positions={"AAPL": 4}),
        [SkipFill("e1", A)]),
    "order gone and filled while away (matched by venue id): Completed": Case(
        state(ACKED),
        VenueSnapshot(executions=(ex("e1", 6, cid=None, venue_ids={"permId": "9"}),
                                  ex("e2", 4, cid=None, venue_ids={"permId": "9"})), positions={"AAPL": 10}),
        [ApplyFill(A, ex("e1", 6, cid=None, venue_ids={"permId": "9"})),
         ApplyFill(A, ex("e2", 4, cid=None, venue_ids={"permId": "9"})), MarkOrder(A, "Completed")]),
    "order the venue lists as cancelled: Canceled with the venue's reason": Case(
        state(ACKED),
        VenueSnapshot(closed_orders=(VenueOrder("AAPL", 10, 0, "Canceled", A, {"permId": "9"},
                                                "202: cancelled by TWS"),)),
        [MarkOrder(A, "Canceled", "202: cancelled by TWS")]),
    "order the venue lists as completed without reporting its fills: Completed, said why": Case(
        state(order("Partial", 4, permId="9"), fills=("e1",), positions={"AAPL": 4}),
        VenueSnapshot(closed_orders=(VenueOrder("AAPL", 10, 10, "Completed", A, {"permId": "9"}),),
                      positions={"AAPL": 10}),
        [MarkOrder(A, "Completed", "completed at the venue; fills for 6 were not reported (outside the "
                                   "venue's execution window)"),
         PositionMismatch("AAPL", 4, 0.0, 10)]),
    "order that never reached the venue: Rejected with a message": Case(
        state(order("Submitted")), VenueSnapshot(),
        [MarkOrder(A, "Rejected", "never reached the venue: not acknowledged, not listed, no fills")]),
    "acked order gone without a final state: Unknown": Case(
        state(order("Partial", 4, permId="9"), fills=("e1",), positions={"AAPL": 4}),
        VenueSnapshot(positions={"AAPL": 4}),
        [MarkOrder(A, "Unknown", "the venue no longer lists it and reports no final state; filled 4 of 10, "
                                 "the rest is treated as canceled")]),
    "an Unknown order whose fill shows up later completes": Case(
        state(order("Unknown", 4, permId="9"), fills=("e1",), positions={"AAPL": 4}),
        VenueSnapshot(executions=(ex("e2", 6),), positions={"AAPL": 10}),
        [ApplyFill(A, ex("e2", 6)), MarkOrder(A, "Completed")]),
    "terminal orders are left alone": Case(
        state(order("Canceled", permId="9")), VenueSnapshot(), []),
    "external open order is tracked and reported, never adopted": Case(
        state(),
        VenueSnapshot(open_orders=(VenueOrder("MSFT", 5, client_id="manual", venue_ids={"permId": "50"}),)),
        [TrackExternal(OrderState("ext:permId=50", "MSFT", 5, 0.0, "Accepted", {"permId": "50"}, True))]),
    "external fill is recorded apart and explains the venue position": Case(
        state(),
        VenueSnapshot(executions=(ex("x1", -2, cid=None, inst="MSFT", venue_ids={"permId": "51"}),),
                      positions={"MSFT": -2}),
        [TrackExternal(OrderState("ext:permId=51", "MSFT", -2, 0.0, "Accepted", {"permId": "51"}, True)),
         RecordExternalFill("ext:permId=51", ex("x1", -2, cid=None, inst="MSFT", venue_ids={"permId": "51"})),
         MarkOrder("ext:permId=51", "Completed")]),
    "an execution naming no order is tracked as external by its execution id": Case(
        state(), VenueSnapshot(executions=(ex("z1", 3, cid=None),), positions={"AAPL": 3}),
        [TrackExternal(OrderState("ext:execId=z1", "AAPL", 3, 0.0, "Accepted", {"execId": "z1"}, True)),
         RecordExternalFill("ext:execId=z1", ex("z1", 3, cid=None)),
         MarkOrder("ext:execId=z1", "Completed")]),
    "another strategy's tradebridge id is external too": Case(
        state(),
        VenueSnapshot(open_orders=(VenueOrder("AAPL", 1, client_id="tb-other001-3"),)),
        [TrackExternal(OrderState("ext:client=tb-other001-3", "AAPL", 1, 0.0, "Accepted", {}, True))]),
    "unexplained venue position is reported": Case(
        state(), VenueSnapshot(positions={"AAPL": 100}), [PositionMismatch("AAPL", 0.0, 0.0, 100)]),
    "cash beyond the tolerance is reported, within it not": Case(
        state(cash=1000.0), VenueSnapshot(cash=1000.5), [CashMismatch(1000.0, 1000.5)]),
    "cash within the tolerance is fine": Case(state(cash=1000.0), VenueSnapshot(cash=1000.001), []),
    "late commission of an applied fill is recorded": Case(
        state(order("Completed", 10), fills=("e1",), positions={"AAPL": 10}),
        VenueSnapshot(executions=(ex("e1", 10, commission=1.5),), positions={"AAPL": 10}),
        [SkipFill("e1", A), RecordCommission("e1", 1.5)]),
    "the same execution twice in one snapshot is applied once": Case(
        state(ACKED),
        VenueSnapshot(executions=(ex("e1", 10), ex("e1", 10)), positions={"AAPL": 10}),
        [ApplyFill(A, ex("e1", 10)), SkipFill("e1", A), MarkOrder(A, "Completed")]),
    "the newest venue cursor is remembered": Case(
        state(cursor="100"), VenueSnapshot(cursor="105"), [SetCursor("105")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_reconcile_policy(name: str) -> None:
    case = CASES[name]
    assert reconcile(case.local, case.snap) == case.expected
    after = apply_actions(case.local, case.expected)
    assert effects(reconcile(after, case.snap)) == []


def test_reports_change_nothing_and_carry_messages_for_notify_store() -> None:
    case = CASES["unexplained venue position is reported"]
    (mismatch,) = reconcile(case.local, case.snap)
    assert not mismatch.mutates and apply_actions(case.local, [mismatch]) == case.local
    assert "position mismatch on AAPL: venue 100" in mismatch.message
    assert CashMismatch(1.0, 2.0).message == "cash mismatch: venue 2.00, local 1.00"
    assert MarkOrder(A, "Completed").message == ""
    assert MarkOrder(A, "Unknown", "why").message == f"order {A}: Unknown (why)"


def test_reconcile_does_not_touch_its_inputs() -> None:
    case = CASES["order gone and filled while away (matched by venue id): Completed"]
    before = (dict(case.local.orders), case.local.fills)
    reconcile(case.local, case.snap)
    assert (dict(case.local.orders), case.local.fills) == before
