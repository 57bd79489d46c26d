"""Applying what the venue says to this process's Order objects, positions and cash (engine thread).

The journal has always recorded an event before anything here runs; these methods only change
memory and queue notifications. Fills go through ``brokers.fillcash.settle``, the arithmetic the
backtest broker uses, so a live fill moves cash, positions and trades exactly as a backtest one.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from tradebridge.brokers.fillcash import settle
from tradebridge.orders.order import Order
from tradebridge.orders.position import Position
from tradebridge.utils.dates import date2num

from .reconcile import (
    Action,
    ApplyFill,
    MarkOrder,
    RecordCommission,
    RecordExternalFill,
)
from .state import TERMINAL, VenueExecution

__all__ = ["AppliedFill", "FillApplier"]

QTY_EPS = 1e-9


@dataclasses.dataclass(slots=True)
class AppliedFill:
    """A fill applied in this process: enough to replace its commission when the venue reports it."""

    exec_id: str
    order: Any  # the Order object (None: the order belongs to a previous run)
    bit: Any  # its OrderExecutionBit (None without an Order object)
    closed: float
    opened: float
    comm: float  # commission charged so far (the estimate, or the venue's)


def _set_expired(order: Order, reason: str) -> None:
    order.status = order.Expired


def _set_unknown(order: Order, reason: str) -> None:
    order.cancel()
    order.info["reason"] = reason


def _set_completed(order: Order, reason: str) -> None:
    order.completed()
    if reason:
        order.info["reason"] = reason


# terminal status name -> how an Order object takes it
_TERMINAL_SETTERS = {
    "Canceled": lambda o, r: o.cancel(),
    "Expired": _set_expired,
    "Rejected": lambda o, r: o.reject(o.broker, reason=r or None),
    "Margin": lambda o, r: o.margin(reason=r or None),
    "Completed": _set_completed,
    "Unknown": _set_unknown,
}


class FillApplier:
    """Mixin of LiveBroker: fills, commissions, statuses and reconciliation effects in memory."""

    if TYPE_CHECKING:  # what it uses of LiveBroker
        p: Any
        cash: float
        journal: Any
        comminfo: dict[Any, Any]
        notifs: Any
        positions: defaultdict[Any, Position]
        unmapped: dict[str, Position]
        external_positions: dict[str, float]
        _open: dict[int, Any]
        _applied: dict[str, AppliedFill]

        def notify(self, order: Any) -> None: ...
        def store_message(self, msg: str) -> None: ...
        def data_for(self, instrument: str) -> Any: ...
        def getcommissioninfo(self, data: Any) -> Any: ...

    # -- instruments and datas ---------------------------------------------------------------------
    def _position_of(self, instrument: str, data: Any) -> Position:
        """The position a fill of ``instrument`` changes (a data's, or an unmapped instrument's)."""
        if data is not None:
            comp = getattr(data, "_compensate", None)
            return self.positions[comp if comp is not None else data]
        return self.unmapped.setdefault(instrument, Position())

    def _schemes_of(self, data: Any) -> tuple[Any, Any]:
        """(scheme of ``data``, scheme charging the commission), as the backtest broker picks them."""
        if data is None:
            ci = self.comminfo[None]
            return ci, ci
        ci = self.getcommissioninfo(data)
        comp = getattr(data, "_compensate", None)
        return ci, (ci if comp is None else self.getcommissioninfo(comp))

    # -- fills -------------------------------------------------------------------------------------
    def _apply_fill(self, client_id: str, ex: VenueExecution, order: Any) -> AppliedFill:
        """Settle one journaled fill: cash, position, the Order's execution bits; notify."""
        data = order.data if order is not None else self.data_for(ex.instrument)
        comminfo, cinfocomp = self._schemes_of(data)
        position = self._position_of(ex.instrument, data)
        s = settle(comminfo, cinfocomp, position, ex.size, ex.price, self.cash, self.p.shortcash,
                   check_cash=False)
        commission = ex.commission if ex.commission is not None else self.journal.commission(ex.exec_id)
        closedcomm, openedcomm, cash = s.closedcomm, s.openedcomm, s.cash
        if commission is not None:  # the venue's figure replaces the scheme's estimate
            cash += closedcomm + openedcomm - commission
            closedcomm, openedcomm = _split(commission, s.closed, s.opened)
        self.cash = cash
        comminfo.confirmexec(ex.size, ex.price)
        position.update(ex.size, ex.price, _when(data, ex))
        applied = AppliedFill(ex.exec_id, order, None, s.closed, s.opened, closedcomm + openedcomm)
        self._applied[ex.exec_id] = applied
        if order is None:
            self.store_message(f"fill {ex.exec_id} of order {client_id} (sent by a previous run): "
                               f"{ex.size:g} {ex.instrument} at {ex.price:g}; position updated")
            return applied
        dt = data.datetime[0] if len(data) else _epoch_num(ex.time)
        order.execute(dt, ex.size, ex.price, s.closed, s.closedvalue, closedcomm, s.opened,
                      s.openedvalue, openedcomm, comminfo.margin, s.pnl, s.psize, s.pprice)
        order.addcomminfo(comminfo)
        applied.bit = order.executed.exbits[-1]
        if not order.alive():
            self._open.pop(order.ref, None)
        return applied

    def _fill_status(self, client_id: str) -> None:
        """Journal Partial/Completed from the journaled fills (before the strategy hears of it)."""
        state = self.journal.registry.state(client_id)
        if state.status in TERMINAL and state.status != "Unknown":
            return
        done = abs(state.filled) >= abs(state.size) - QTY_EPS
        status = "Completed" if done else "Partial"
        if status != state.status:
            self.journal.record_status(client_id, status)

    def _external_fill(self, client_id: str, ex: VenueExecution) -> None:
        """A fill of an order this strategy did not place: counted apart and reported."""
        self.external_positions[ex.instrument] = self.external_positions.get(ex.instrument, 0.0) + ex.size
        self.store_message(f"external fill {ex.exec_id} ({client_id}): {ex.size:g} {ex.instrument} at "
                           f"{ex.price:g}; not this strategy's, its position is unchanged")

    # -- commissions -------------------------------------------------------------------------------
    def _replace_commission(self, applied: AppliedFill, commission: float) -> None:
        """The venue's commission replaces what the fill was charged: cash, order and trades follow."""
        delta = commission - applied.comm
        applied.comm = commission
        if not delta:
            return
        self.cash -= delta
        bit, order = applied.bit, applied.order
        if bit is None:
            return
        dclosed, dopened = _split(delta, applied.closed, applied.opened)
        bit.closedcomm += dclosed
        bit.openedcomm += dopened
        bit.comm += delta
        order.executed.comm += delta
        if not self._notification_pending(order, bit):
            _adjust_trades(order, bit, dclosed, dopened)

    def _notification_pending(self, order: Any, bit: Any) -> bool:
        """Whether a queued snapshot still carries ``bit`` (its trades then see the new figure)."""
        for queued in self.notifs:
            if queued.ref == order.ref and any(b is bit for b in queued.executed.iterpending()):
                return True
        return False

    # -- statuses ----------------------------------------------------------------------------------
    def _show_status(self, order: Any, status: str, reason: str = "", code: Any = None) -> bool:
        """Put a status on an Order object (with the venue's code/text); True if it changed."""
        if code is not None:
            order.info["venue_code"] = code
        if reason:
            order.info["venue_text"] = reason
        if status == "Submitted":
            if order.status != Order.Created:
                return False
            order.submit(self)
        elif status in ("Accepted", "Partial"):
            if order.status not in (Order.Created, Order.Submitted):
                return False
            order.accept(self)
        elif status in _TERMINAL_SETTERS:
            if not order.alive():
                return False
            text = f"{code}: {reason}" if code is not None and reason else reason
            _TERMINAL_SETTERS[status](order, text)
            self._open.pop(order.ref, None)
        else:
            raise ValueError(f"venue status {status!r} of order {order.ref} is not an order status")
        self.notify(order)
        return True

    # -- reconciliation effects --------------------------------------------------------------------
    def _apply_effects(self, done: list[Action]) -> None:
        """Apply what ``journal.commit`` recorded to Order objects, positions and cash."""
        registry = self.journal.registry
        for action in done:
            if isinstance(action, ApplyFill):
                order = registry.order(action.client_id)
                self._apply_fill(action.client_id, action.execution, order)
                if order is not None:
                    self.notify(order)
            elif isinstance(action, RecordExternalFill):
                self._external_fill(action.client_id, action.execution)
            elif isinstance(action, RecordCommission):
                applied = self._applied.get(action.exec_id)
                if applied is not None:
                    self._replace_commission(applied, action.commission)
            elif isinstance(action, MarkOrder):
                order = registry.order(action.client_id)
                if order is not None:
                    self._show_status(order, action.status, action.reason)


def _split(amount: float, closed: float, opened: float) -> tuple[float, float]:
    """``amount`` shared between a fill's closed and opened parts by size."""
    total = abs(closed) + abs(opened)
    if not total:
        return 0.0, amount
    part = amount * abs(closed) / total
    return part, amount - part


def _adjust_trades(order: Any, bit: Any, dclosed: float, dopened: float) -> None:
    """Move a late commission change into the trades the strategy already holds."""
    book = getattr(order.owner, "_tradebook", None)
    if book is None:
        return
    data = order.data._compensate if getattr(order.data, "_compensate", None) is not None else order.data
    trades = book.get(data, order.tradeid)
    if not trades:
        return
    if bit.opened:
        _charge(trades[-1], dopened)
    if bit.closed:  # the trade it closed is the one before a trade the same fill opened
        _charge(trades[-2] if bit.opened and len(trades) > 1 else trades[-1], dclosed)


def _charge(trade: Any, delta: float) -> None:
    trade.commission += delta
    trade.pnlcomm = trade.pnl - trade.commission


def _when(data: Any, ex: VenueExecution) -> Any:
    """The time a position update is stamped with: the data's bar, else None."""
    if data is not None and len(data):
        return data.datetime.datetime()
    return None


def _epoch_num(epoch: float | None) -> float:
    """Date number of a venue epoch time (0.0 when the venue gave none)."""
    if epoch is None:
        return 0.0
    return date2num(_dt.datetime.fromtimestamp(epoch, _dt.UTC).replace(tzinfo=None))
