"""Reconciliation properties (hypothesis): idempotent, and order/duplication of executions never matters."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tradebridge.live.journal import Journal
from tradebridge.live.reconcile import ApplyFill, RecordExternalFill, apply_actions, effects, reconcile
from tradebridge.live.state import ALIVE, LocalState, OrderState, VenueExecution, VenueOrder, VenueSnapshot

INSTRUMENTS = ("AAPL", "MSFT", "EUR.USD")
STATUSES = sorted(ALIVE - {"Created"}) + ["Unknown", "Canceled", "Completed"]


@st.composite
def orders_and_executions(draw: st.DrawFn) -> tuple[list[OrderState], list[VenueExecution]]:
    """Our acked orders (nothing applied yet) and every venue execution: ours and external ones."""
    orders, execs = [], []
    for i in range(draw(st.integers(0, 5))):
        cid, inst = f"tb-sess0001-{i + 1}", draw(st.sampled_from(INSTRUMENTS))
        sign, size = draw(st.sampled_from((1, -1))), draw(st.integers(1, 8))
        ids = {"permId": str(1000 + i)}
        orders.append(OrderState(cid, inst, sign * size, 0.0, "Accepted", ids))
        left = draw(st.integers(0, size))
        k = 0
        while left:
            chunk = draw(st.integers(1, left))
            ref = cid if draw(st.booleans()) else None  # reported by our client id, or by venue id only
            execs.append(VenueExecution(f"e{i}.{k}", inst, sign * chunk, 100.0 + k, ref, ids,
                                        draw(st.none() | st.just(0.5))))
            left, k = left - chunk, k + 1
    for j in range(draw(st.integers(0, 2))):
        inst, size = draw(st.sampled_from(INSTRUMENTS)), draw(st.integers(-5, 5)) or 1
        execs.append(VenueExecution(f"x{j}", inst, size, 50.0, None, {"permId": str(5000 + j)}))
    return orders, execs


@st.composite
def worlds(draw: st.DrawFn) -> tuple[LocalState, VenueSnapshot]:
    """A local state with some fills already applied and a venue snapshot consistent with the truth."""
    orders, execs = draw(orders_and_executions())
    ours = [e for e in execs if not e.exec_id.startswith("x")]
    applied = {e.exec_id for e in ours if draw(st.booleans())}
    local_orders, positions = {}, defaultdict(float)
    for o in orders:
        filled = sum(e.size for e in ours if e.exec_id in applied and e.venue_ids == o.venue_ids)
        ids = o.venue_ids if draw(st.booleans()) else {}
        local_orders[o.client_id] = OrderState(o.client_id, o.instrument, o.size, filled,
                                               draw(st.sampled_from(STATUSES)), ids)
        positions[o.instrument] += filled
    truth = defaultdict(float)
    for e in execs:
        truth[e.instrument] += e.size
    open_orders = tuple(
        VenueOrder(o.instrument, o.size, 0.0, "Accepted", o.client_id, o.venue_ids)
        for o in orders if draw(st.booleans()))
    closed = tuple(
        VenueOrder(o.instrument, o.size, 0.0, draw(st.sampled_from(("Canceled", "Expired", "Completed"))),
                   o.client_id, o.venue_ids, "closed") for o in orders if draw(st.booleans()))
    shown = draw(st.lists(st.sampled_from(execs), max_size=12)) if execs else []
    snap = VenueSnapshot(open_orders, tuple(shown), dict(truth), draw(st.none() | st.just(1000.0)), closed,
                         draw(st.none() | st.sampled_from(("c1", "c2"))))
    local = LocalState(local_orders, frozenset(applied), dict(positions),
                       cash=draw(st.none() | st.just(1000.0)), cursor=draw(st.none() | st.just("c1")))
    return local, snap


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_applying_the_actions_then_reconciling_again_yields_no_effect(world: tuple) -> None:
    local, snap = world
    after = apply_actions(local, reconcile(local, snap))
    assert effects(reconcile(after, snap)) == []
    assert apply_actions(after, reconcile(after, snap)) == after


def _final(execs: list[VenueExecution], orders: list[OrderState], batches: list[list[int]]) -> LocalState:
    state = LocalState({o.client_id: o for o in orders})
    for batch in batches:
        snap = VenueSnapshot(executions=tuple(execs[i] for i in batch))
        actions = reconcile(state, snap)
        applied = [a.execution.exec_id for a in actions if isinstance(a, ApplyFill | RecordExternalFill)]
        assert len(applied) == len(set(applied)) and not set(applied) & state.fills  # never asked twice
        state = apply_actions(state, actions)
    return state


def _expected(execs: list[VenueExecution]) -> tuple[dict[str, float], dict[str, float]]:
    ours, ext = defaultdict(float), defaultdict(float)
    for e in execs:
        (ext if e.exec_id.startswith("x") else ours)[e.instrument] += e.size
    return dict(ours), dict(ext)


def _batches(draw: st.DrawFn, n: int) -> list[list[int]]:
    """Several reconnects, each showing a random multiset of executions; every one shown at least once."""
    batches = draw(st.lists(st.lists(st.integers(0, max(n - 1, 0)), max_size=10), max_size=4)) if n else []
    batches.append(draw(st.permutations(list(range(n)))))
    return batches


@settings(max_examples=300, deadline=None)
@given(orders_and_executions(), st.data())
def test_any_interleaving_or_duplication_of_executions_gives_the_same_positions(
        world: tuple, data: st.DataObject) -> None:
    orders, execs = world
    final = _final(execs, orders, _batches(data.draw, len(execs)))
    ours, ext = _expected(execs)
    assert {k: v for k, v in final.positions.items() if v} == {k: v for k, v in ours.items() if v}
    assert {k: v for k, v in final.external_positions.items() if v} == {k: v for k, v in ext.items() if v}
    assert final.fills == {e.exec_id for e in execs}
    for o in orders:
        assert final.orders[o.client_id].filled == sum(e.size for e in execs if e.venue_ids == o.venue_ids)


@settings(max_examples=25, deadline=None)
@given(orders_and_executions(), st.data())
def test_the_journal_applies_every_execution_exactly_once_across_reconnects_and_restarts(
        world: tuple, data: st.DataObject) -> None:
    orders, execs = world
    batches = _batches(data.draw, len(execs))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "j.sqlite"
        with Journal(path, synchronous="NORMAL") as j:
            for o in orders:
                j.record_order(o.client_id, o.instrument, o.size, status="Accepted")
                j.link(o.client_id, o.venue_ids)
        for batch in batches:  # a restart (reopen) before each reconciliation
            with Journal(path, synchronous="NORMAL") as j:
                snap = VenueSnapshot(executions=tuple(execs[i] for i in batch))
                j.commit(reconcile(j.local_state(), snap))
        with Journal(path) as j:
            ours, ext = _expected(execs)
            assert {k: v for k, v in j.positions().items() if v} == {k: v for k, v in ours.items() if v}
            assert {k: v for k, v in j.positions(external=True).items() if v} == \
                {k: v for k, v in ext.items() if v}
            assert len(j.fills()) == len(execs)
