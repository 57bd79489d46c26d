"""Reconciliation as pure functions: (local state, venue snapshot) -> the actions that align them.

Run on connect, after every reconnect and at start with an existing journal. Actions are
either *effects* (``mutates`` True: change what we know; the journal records them before the
strategy is told) or *reports* (informational: skipped duplicates, mismatches). The procedure
and the order-outcome policy are written out in ``docs/live.md``. ``apply_actions`` gives the
state after the effects, so ``reconcile`` is provably idempotent: reconciling the result with
the same snapshot yields no effect.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import ClassVar

from .registry import OrderRegistry
from .state import TERMINAL, LocalState, OrderState, VenueExecution, VenueOrder, VenueSnapshot, frozen_ids

__all__ = [
    "Action",
    "ApplyFill",
    "CashMismatch",
    "LinkVenueIds",
    "MarkOrder",
    "PositionMismatch",
    "RecordCommission",
    "RecordExternalFill",
    "SetCursor",
    "SkipFill",
    "TrackExternal",
    "apply_actions",
    "effects",
    "reconcile",
]

QTY_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Action:
    """Base of reconciliation actions; ``message`` is for ``notify_store`` ('' when silent)."""

    mutates: ClassVar[bool] = True

    @property
    def message(self) -> str:
        """Human-readable text for ``notify_store`` ('' if the strategy need not hear of it)."""
        return ""


@dataclass(frozen=True, slots=True)
class LinkVenueIds(Action):
    """Our order is known at the venue under these ids (e.g. the ack was lost in a disconnect)."""

    client_id: str
    venue_ids: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ApplyFill(Action):
    """A fill of our order the journal has not seen: apply it exactly once."""

    client_id: str
    execution: VenueExecution


@dataclass(frozen=True, slots=True)
class RecordCommission(Action):
    """The commission of an applied fill, reported after the fill (IB commission reports)."""

    exec_id: str
    commission: float


@dataclass(frozen=True, slots=True)
class MarkOrder(Action):
    """Set the status of an order (ours or external) from what the venue says, with the reason."""

    client_id: str
    status: str
    reason: str = ""

    @property
    def message(self) -> str:
        return f"order {self.client_id}: {self.status} ({self.reason})" if self.reason else ""


@dataclass(frozen=True, slots=True)
class TrackExternal(Action):
    """An order placed outside this strategy: track and report it, never adopt it."""

    order: OrderState

    @property
    def message(self) -> str:
        o = self.order
        return (f"external order {o.client_id} on {o.instrument} size {o.size:g} ({o.status}): "
                "not placed by this strategy; tracked, not adopted")


@dataclass(frozen=True, slots=True)
class RecordExternalFill(Action):
    """A fill of an external order: recorded (once) so position differences are explained."""

    client_id: str
    execution: VenueExecution


@dataclass(frozen=True, slots=True)
class SetCursor(Action):
    """Remember the venue's newest execution/transaction id: the next query starts there."""

    cursor: str


@dataclass(frozen=True, slots=True)
class SkipFill(Action):
    """A fill already applied (or repeated within the snapshot): not applied again."""

    mutates: ClassVar[bool] = False
    exec_id: str
    client_id: str | None = None


@dataclass(frozen=True, slots=True)
class PositionMismatch(Action):
    """The venue's position differs from our fills plus the external fills we saw."""

    mutates: ClassVar[bool] = False
    instrument: str
    local: float
    external: float
    venue: float

    @property
    def message(self) -> str:
        return (f"position mismatch on {self.instrument}: venue {self.venue:g}, this strategy "
                f"{self.local:g}, external orders {self.external:g}; the difference "
                f"{self.venue - self.local - self.external:g} comes from trades this journal never saw")


@dataclass(frozen=True, slots=True)
class CashMismatch(Action):
    """The venue's cash differs from ours by more than the tolerance."""

    mutates: ClassVar[bool] = False
    local: float
    venue: float

    @property
    def message(self) -> str:
        return f"cash mismatch: venue {self.venue:.2f}, local {self.local:.2f}"


def effects(actions: Iterable[Action]) -> list[Action]:
    """Only the actions that change local state."""
    return [a for a in actions if a.mutates]


class _Pass:
    """Working state of one reconciliation pass (a private copy; the inputs are not touched)."""

    def __init__(self, state: LocalState) -> None:
        self.registry = OrderRegistry()
        for order in state.orders.values():
            self.registry.add(order)
        self.seen = set(state.fills)
        self.filled: dict[str, float] = {cid: o.filled for cid, o in state.orders.items()}
        self.actions: list[Action] = []

    def identify(self, client_id: str | None, venue_ids: Mapping[str, str], seed: VenueOrder) -> OrderState:
        """The order a report is about; an unknown one becomes a tracked external order."""
        found = self.registry.match(client_id, venue_ids)
        if found is not None:
            return found
        tracked = self.registry.track_external(seed)
        self.actions.append(TrackExternal(tracked))
        return tracked


def _link(p: _Pass, state: OrderState, venue_ids: Mapping[str, str]) -> None:
    """Emit LinkVenueIds when the venue names ids our state lacks."""
    missing = {k: v for k, v in venue_ids.items() if state.venue_ids.get(k) != v}
    if missing and not state.external:
        p.registry.link(state.client_id, missing)
        p.actions.append(LinkVenueIds(state.client_id, frozen_ids(missing)))


def _orders_pass(p: _Pass, listed: Iterable[VenueOrder]) -> dict[str, VenueOrder]:
    """Identify every listed venue order (link ids, track externals); returns them by our key."""
    by_key: dict[str, VenueOrder] = {}
    for vo in listed:
        ids = frozen_ids(vo.venue_ids)
        state = p.identify(vo.client_id, ids, vo)
        _link(p, state, ids)
        by_key.setdefault(state.client_id, vo)
    return by_key


def _executions_pass(p: _Pass, state: LocalState, executions: Iterable[VenueExecution]) -> None:
    """Apply each execution not yet seen, once; skip the rest; catch up late commissions."""
    for ex in executions:
        if ex.exec_id in p.seen:
            p.actions.append(SkipFill(ex.exec_id, ex.client_id))
            if ex.commission is not None and ex.exec_id in state.fills \
                    and ex.exec_id not in state.commissions:
                p.actions.append(RecordCommission(ex.exec_id, ex.commission))
            continue
        p.seen.add(ex.exec_id)
        ids = frozen_ids(ex.venue_ids)
        # an execution naming no order at all can still be tracked, by its own id
        seed_ids = ids if ids or ex.client_id else frozen_ids({"execId": ex.exec_id})
        seed = VenueOrder(ex.instrument, ex.size, 0.0, "Accepted", ex.client_id, seed_ids)
        order = p.identify(ex.client_id, ids, seed)
        _link(p, order, ids)
        p.filled[order.client_id] = p.filled.get(order.client_id, 0.0) + ex.size
        cls = RecordExternalFill if order.external else ApplyFill
        p.actions.append(cls(order.client_id, ex))


def _outcome(order: OrderState, filled: float, open_vo: VenueOrder | None,
             closed_vo: VenueOrder | None) -> tuple[str, str]:
    """The status an order should have after reconciliation, with the reason (policy table)."""
    if abs(filled) >= abs(order.size) - QTY_EPS:
        return "Completed", ""
    if open_vo is not None:
        return ("Partial" if abs(filled) > QTY_EPS else "Accepted"), ""
    if closed_vo is not None and closed_vo.status == "Completed":
        missing = abs(order.size - filled)
        return "Completed", (f"completed at the venue; fills for {missing:g} were not reported "
                             "(outside the venue's execution window)")
    if closed_vo is not None and closed_vo.status in TERMINAL:
        return closed_vo.status, closed_vo.reason or "closed at the venue while disconnected"
    if order.external:
        return "Unknown", "no longer listed by the venue"
    if not order.venue_ids and abs(filled) <= QTY_EPS:
        return "Rejected", "never reached the venue: not acknowledged, not listed, no fills"
    return "Unknown", (f"the venue no longer lists it and reports no final state; filled {filled:g} "
                       f"of {order.size:g}, the rest is treated as canceled")


def _status_pass(p: _Pass, open_by: Mapping[str, VenueOrder], closed_by: Mapping[str, VenueOrder],
                 in_flight: AbstractSet[str] = frozenset()) -> None:
    """Resolve every alive order (ours and external) against the venue's lists."""
    for order in p.registry:
        if not order.alive and order.status != "Unknown":  # an Unknown order may still complete
            continue
        key = order.client_id
        if key in in_flight and key not in open_by and key not in closed_by and not p.filled.get(key):
            continue  # sent after the snapshot was taken: its own events will tell
        status, reason = _outcome(order, p.filled.get(key, 0.0), open_by.get(key), closed_by.get(key))
        if status != order.status:
            p.actions.append(MarkOrder(key, status, reason))


def _sum_fills(base: Mapping[str, float], fills: Iterable[VenueExecution]) -> dict[str, float]:
    """Positions after adding the sizes of ``fills`` to ``base``."""
    out = dict(base)
    for ex in fills:
        out[ex.instrument] = out.get(ex.instrument, 0.0) + ex.size
    return out


def _balance_pass(p: _Pass, state: LocalState, snap: VenueSnapshot, cash_tolerance: float) -> None:
    """Report positions and cash that the fills do not explain."""
    ours = _sum_fills(state.positions, (a.execution for a in p.actions if isinstance(a, ApplyFill)))
    ext = _sum_fills(state.external_positions,
                     (a.execution for a in p.actions if isinstance(a, RecordExternalFill)))
    for inst in sorted(set(ours) | set(ext) | set(snap.positions)):
        local, external, venue = ours.get(inst, 0.0), ext.get(inst, 0.0), snap.positions.get(inst, 0.0)
        if abs(venue - local - external) > QTY_EPS * max(1.0, abs(venue)):
            p.actions.append(PositionMismatch(inst, local, external, venue))
    if snap.cash is not None and state.cash is not None and abs(snap.cash - state.cash) > cash_tolerance:
        p.actions.append(CashMismatch(state.cash, snap.cash))


def reconcile(state: LocalState, snap: VenueSnapshot, cash_tolerance: float = 0.01,
              in_flight: AbstractSet[str] = frozenset()) -> list[Action]:
    """The actions that bring ``state`` in line with the venue's ``snap`` (see docs/live.md);
    orders in ``in_flight`` (handed to the adapter after the snapshot was taken) keep their status."""
    p = _Pass(state)
    open_by = _orders_pass(p, snap.open_orders)
    closed_by = _orders_pass(p, snap.closed_orders)
    _executions_pass(p, state, snap.executions)
    _status_pass(p, open_by, closed_by, in_flight)
    _balance_pass(p, state, snap, cash_tolerance)
    if snap.cursor is not None and snap.cursor != state.cursor:
        p.actions.append(SetCursor(snap.cursor))
    return p.actions


def apply_actions(state: LocalState, actions: Iterable[Action]) -> LocalState:
    """The local state after the effects among ``actions`` (reports change nothing)."""
    orders = dict(state.orders)
    fills, commissions = set(state.fills), dict(state.commissions)
    positions, external = dict(state.positions), dict(state.external_positions)
    cursor = state.cursor
    for a in actions:
        if isinstance(a, TrackExternal):
            orders.setdefault(a.order.client_id, a.order)
        elif isinstance(a, LinkVenueIds):
            o = orders[a.client_id]
            orders[a.client_id] = dataclasses.replace(o, venue_ids=frozen_ids({**o.venue_ids, **a.venue_ids}))
        elif isinstance(a, ApplyFill | RecordExternalFill):
            ex = a.execution
            if ex.exec_id in fills:
                continue
            fills.add(ex.exec_id)
            o = orders[a.client_id]
            orders[a.client_id] = dataclasses.replace(o, filled=o.filled + ex.size)
            book = external if isinstance(a, RecordExternalFill) else positions
            book[ex.instrument] = book.get(ex.instrument, 0.0) + ex.size
            if ex.commission is not None:
                commissions.setdefault(ex.exec_id, ex.commission)
        elif isinstance(a, RecordCommission):
            commissions.setdefault(a.exec_id, a.commission)
        elif isinstance(a, MarkOrder):
            orders[a.client_id] = dataclasses.replace(orders[a.client_id], status=a.status, reason=a.reason)
        elif isinstance(a, SetCursor):
            cursor = a.cursor
    return dataclasses.replace(
        state, orders=orders, fills=frozenset(fills), commissions=commissions,
        positions=positions, external_positions=external, cursor=cursor)
