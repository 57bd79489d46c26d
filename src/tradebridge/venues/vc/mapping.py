"""Visual Chart orders, order events and balances <-> tradebridge, as tables and pure functions.

Order records are the dicts of :data:`~tradebridge.venues.vc.seam.ORDER_FIELDS` (enum fields by
name). tradebridge's client order id travels in ``ExtendedInfo``. Time and market data
(timeframes, symbols, OLE dates, time zones) are in :mod:`.marketdata`.

Visual Chart reports no execution ids. A fill is named ``vc-<OrderId>-<filled after it>``,
which is the same every time the same fill is reported (after a reconnect too), so the
journal applies it once. Following the only public reading of these events (backtrader's),
``Volume`` and ``Price`` of a partial-execution event are the fill's size and price; a total
execution fills whatever the order still had open.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tradebridge.live.state import VenueExecution, VenueOrder, VenueSnapshot
from tradebridge.orders.order import Order
from tradebridge.utils.dates import num2date

from .seam import VCError

__all__ = [
    "EXEC_TYPES",
    "FILL_EVENTS",
    "ORDER_EVENT_STATUS",
    "SIDES",
    "VCOrderError",
    "OrderUpdate",
    "account_values",
    "exec_id",
    "order_fields",
    "order_update",
    "positions",
    "select_account",
    "snapshot",
    "time_restriction",
]

# tradebridge exec type -> (Visual Chart order type, time restriction it forces or None)
EXEC_TYPES: Mapping[int, tuple[str, str | None]] = {
    Order.Market: ("OT_Market", None),
    Order.Close: ("OT_Market", "TR_CloseAuction"),
    Order.Limit: ("OT_Limit", None),
    Order.Stop: ("OT_StopMarket", None),
    Order.StopLimit: ("OT_StopLimit", None),
}
SIDES: Mapping[bool, str] = {True: "OS_Buy", False: "OS_Sell"}  # isbuy -> side
_SIGN: Mapping[str, int] = {"OS_Buy": 1, "OS_Sell": -1}

# Visual Chart order event -> the order status it reports
ORDER_EVENT_STATUS: Mapping[str, str] = {
    "OnNewOrderLocation": "Submitted",
    "OnOrderInMarket": "Accepted",
    "OnModifiedOrder": "Accepted",
    "OnPartialExecutedOrder": "Partial",
    "OnTotalExecutedOrder": "Completed",
    "OnCancelledOrder": "Canceled",
}
FILL_EVENTS = frozenset({"OnPartialExecutedOrder", "OnTotalExecutedOrder"})


class VCOrderError(VCError, ValueError):
    """An order Visual Chart cannot take, or an order report tradebridge cannot read; names the field."""


def time_restriction(exectype: int, valid: Any, now: _dt.datetime) -> tuple[str, _dt.datetime | None]:
    """``(TimeRestriction, ValidDate)`` for an order's raw ``valid`` (as passed to buy/sell).

    None: no restriction; ``Order.DAY`` or 0: the session; a date, datetime, non-zero timedelta
    (from ``now``) or date number: until that date. A Close order is always a close auction.
    Visual Chart keeps only the date of ``ValidDate``.
    """
    if exectype == Order.Close:
        return "TR_CloseAuction", None
    if valid is None:
        return "TR_NoRestriction", None
    if isinstance(valid, _dt.timedelta):
        return ("TR_Session", None) if valid == Order.DAY else ("TR_Date", now + valid)
    if isinstance(valid, _dt.datetime):
        return "TR_Date", valid
    if isinstance(valid, _dt.date):
        return "TR_Date", _dt.datetime.combine(valid, _dt.time())
    number = isinstance(valid, (int, float)) and not isinstance(valid, bool)
    if number and math.isfinite(valid) and valid >= 0:
        return ("TR_Session", None) if valid == 0 else ("TR_Date", num2date(valid))
    raise VCOrderError(f"valid {valid!r} is not None, DAY, a date, a datetime, a timedelta or a date number")


def _prices(exectype: int, price: float | None, pricelimit: float | None) -> tuple[float, float]:
    """``(Price, StopPrice)``: a limit's price (or plimit), a stop's trigger, both for a StopLimit."""
    name = Order.ExecTypes[exectype]
    if exectype == Order.Limit:
        limit = price or pricelimit
        if not limit:
            raise VCOrderError("price is required for a Limit order")
        return float(limit), 0.0
    if exectype == Order.Stop:
        if not price:
            raise VCOrderError("price (the stop) is required for a Stop order")
        return 0.0, float(price)
    if exectype == Order.StopLimit:
        if not price or not pricelimit:
            raise VCOrderError(f"price (the stop) and plimit are required for a {name} order")
        return float(pricelimit), float(price)
    return 0.0, 0.0


def order_fields(*, account: str, symbol: str, exectype: int | None, isbuy: bool, size: float,
                 price: float | None = None, pricelimit: float | None = None, valid: Any = None,
                 client_id: str, now: _dt.datetime) -> dict[str, Any]:
    """The order record to send for a tradebridge order (``size`` may be signed; its size is sent)."""
    exectype = Order.Market if exectype is None else exectype
    if exectype not in EXEC_TYPES:
        supported = ", ".join(Order.ExecTypes[e] for e in EXEC_TYPES)
        known = 0 <= exectype < len(Order.ExecTypes) if isinstance(exectype, int) else False
        name = Order.ExecTypes[exectype] if known else repr(exectype)
        raise VCOrderError(f"exectype: Visual Chart has no {name} orders (supported: {supported})")
    if not isinstance(size, (int, float)) or not math.isfinite(size) or size == 0:
        raise VCOrderError(f"size must be a finite non-zero number, got {size!r}")
    if not client_id:
        raise VCOrderError("client_id is required (sent in ExtendedInfo)")
    if not account or not symbol:
        raise VCOrderError("account and symbol are required")
    order_type, forced = EXEC_TYPES[exectype]
    restriction, valid_date = time_restriction(exectype, valid, now)
    limit, stop = _prices(exectype, price, pricelimit)
    return {
        "Account": account, "SymbolCode": symbol, "OrderType": order_type, "OrderSide": SIDES[isbuy],
        "Volume": abs(float(size)), "Price": limit, "StopPrice": stop,
        "TimeRestriction": forced or restriction, "ValidDate": valid_date,
        "VolumeRestriction": "VR_NoRestriction", "HideVolume": 0, "MinVolume": 0,
        "UserOrderId": "", "ExtendedInfo": client_id,
    }


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """What one order event says: the order as the venue now has it and, for executions, the fill."""

    order: VenueOrder
    execution: VenueExecution | None = None


def _field(event: str, fields: Mapping[str, Any], name: str) -> Any:
    """A required field of an order report; :class:`VCOrderError` naming event and field if absent."""
    value = fields.get(name)
    if value is None or value == "":
        raise VCOrderError(f"Visual Chart {event} report lacks {name}: {dict(fields)!r}")
    return value


def exec_id(order_id: str, filled_after: float) -> str:
    """A fill's id: the order's id and its filled size after the fill (stable across re-reports)."""
    return f"vc-{order_id}-{abs(filled_after):.10g}"


def order_update(event: str, fields: Mapping[str, Any], size: float | None = None,
                 filled: float = 0.0, time: float | None = None) -> OrderUpdate:
    """Translate an order event; ``size``/``filled`` are the signed order size and fills known before it."""
    status = ORDER_EVENT_STATUS.get(event)
    if status is None:
        known = ", ".join(ORDER_EVENT_STATUS)
        raise VCOrderError(f"{event} is not a Visual Chart order event (one of {known})")
    order_id = str(_field(event, fields, "OrderId"))
    side = str(_field(event, fields, "OrderSide"))
    if side not in _SIGN:
        raise VCOrderError(f"Visual Chart {event} report has OrderSide {side!r} (OS_Buy or OS_Sell)")
    sign = _SIGN[side]
    symbol = str(_field(event, fields, "SymbolCode"))
    volume = float(fields.get("Volume") or 0.0)
    if size is None:
        size = sign * volume
    client_id = str(fields.get("ExtendedInfo") or "").strip() or None
    ids = {"OrderId": order_id}
    execution = None
    if event in FILL_EVENTS:
        remaining = abs(size) - abs(filled)
        qty = volume if event == "OnPartialExecutedOrder" else remaining
        if qty > remaining + 1e-9:
            raise VCOrderError(f"Visual Chart {event} of order {order_id} reports Volume {volume:g} but only "
                               f"{remaining:g} of {abs(size):g} remain")
        if qty > 0:
            filled += sign * qty
            price = float(_field(event, fields, "Price"))
            execution = VenueExecution(exec_id(order_id, filled), symbol, sign * qty, price,
                                       client_id=client_id, venue_ids=ids, time=time)
    venue_order = VenueOrder(symbol, size, filled=filled, status=status, client_id=client_id, venue_ids=ids)
    return OrderUpdate(venue_order, execution)


def select_account(accounts: Iterable[Mapping[str, Any]], wanted: str | None) -> Mapping[str, Any]:
    """The account record to trade: ``wanted`` by name, or the first when None; an error lists the others."""
    records = list(accounts)
    if not records:
        raise VCError("Visual Chart reports no trading account (is a broker connected in Visual Chart?)")
    if wanted is None:
        return records[0]
    for record in records:
        if record.get("Account") == wanted:
            return record
    names = ", ".join(str(r.get("Account")) for r in records)
    raise VCError(f"account {wanted!r} is not among Visual Chart's accounts ({names})")


def account_values(balance: Mapping[str, Any]) -> dict[str, Any]:
    """A balance record as the live core's ACCOUNT payload: cash, value (net worth) and account."""
    return {"cash": float(balance["Cash"]), "value": float(balance["NetWorth"]),
            "account": balance.get("Account")}


def positions(records: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Open positions by symbol, signed by side; Visual Chart lists no flat positions, so absent means 0."""
    out: dict[str, float] = {}
    for record in records:
        side = str(record.get("Side"))
        if side not in _SIGN:
            raise VCOrderError(f"Visual Chart position report has Side {record.get('Side')!r} "
                               "(OS_Buy or OS_Sell)")
        symbol = str(record["SymbolCode"])
        out[symbol] = out.get(symbol, 0.0) + _SIGN[side] * float(record["Volume"])
    return out


def snapshot(open_orders: Iterable[Mapping[str, Any]], position_records: Iterable[Mapping[str, Any]],
             balance: Mapping[str, Any] | None = None) -> VenueSnapshot:
    """What Visual Chart says after (re)connecting, for reconciliation: its open orders, positions, cash.

    Visual Chart lists no executions and no ended orders, so fills missed while disconnected reach
    the broker as order events (or show as a position difference).
    """
    orders = tuple(order_update("OnOrderInMarket", record).order for record in open_orders)
    cash = None if balance is None else float(balance["Cash"])
    return VenueSnapshot(open_orders=orders, positions=positions(position_records), cash=cash)
