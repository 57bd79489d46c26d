"""Sans-IO translation between backtrader orders and OANDA v20: order requests out, transactions in.

Out: :func:`order_request` turns an Order (and the children of its bracket) into the JSON of a
v20 order request: ``Market`` -> MARKET, ``Limit`` -> LIMIT, ``Stop`` -> STOP, ``StopLimit`` ->
STOP with ``priceBound``; a bracket's children become ``takeProfitOnFill``/``stopLossOnFill``/
``trailingStopLossOnFill`` carrying their own client ids; ``valid`` -> GTC/GTD/GFD.

In: :class:`TransactionMapper` turns each v20 transaction into the live core's plain data
(VenueOrder, VenueExecution, account values), and :func:`venue_snapshot` builds the
VenueSnapshot of a (re)connect from pending orders, positions and transactions since the cursor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ...live.inbox import Kind
from ...live.state import VenueExecution, VenueOrder, VenueSnapshot
from ...live.validity import validity
from ...orders.order import Order
from . import models as m
from .models import parse_time, rfc3339

__all__ = ["OandaMappingError", "TransactionMapper", "client_ids_in", "order_request", "time_in_force",
           "venue_snapshot"]

ENTRY_TYPES: dict[int, str] = {
    Order.Market: "MARKET",
    Order.Limit: "LIMIT",
    Order.Stop: "STOP",
    Order.StopLimit: "STOP",
}
# exectype -> why v20 cannot take it as an order of its own
REFUSED: dict[int, str] = {
    Order.StopTrail: "OANDA v20 has trailing stops only on an open trade (TRAILING_STOP_LOSS): use "
    "StopTrail as the stop of a bracket (buy_bracket(stopexec=bt.Order.StopTrail, "
    "trailamount=...)); a stand-alone StopTrail order cannot be sent",
    Order.StopTrailLimit: "OANDA v20 has no trailing stop-limit orders",
    Order.Close: "OANDA v20 has no market-on-close orders",
    Order.Historical: "Historical orders cannot be sent to a venue",
}
# v20 ORDER_CANCEL reason -> the core's status (other reasons: Canceled)
CANCEL_STATUS: dict[str, str] = {
    "TIME_IN_FORCE_EXPIRED": "Expired",
    "INSUFFICIENT_MARGIN": "Margin",
    "INSUFFICIENT_LIQUIDITY": "Canceled",
    "BOUNDS_VIOLATION": "Canceled",
}
_ON_FILL = (
    ("take_profit_on_fill", "TAKE_PROFIT"),
    ("stop_loss_on_fill", "STOP_LOSS"),
    ("trailing_stop_loss_on_fill", "TRAILING_STOP_LOSS"),
)


class OandaMappingError(ValueError):
    """An order OANDA v20 cannot take as given; the message says which field and what to do."""


# -- out: orders ----------------------------------------------------------------------------------


def price_text(value: float, precision: int) -> str:
    """A price rounded to the instrument's display precision, as v20 wants it (a decimal string)."""
    quantum = Decimal(1).scaleb(-precision)
    return format(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_EVEN), "f")


def units_text(size: float, ref: Any = "") -> str:
    """Signed whole units (v20 trades currency units); a fractional size is refused."""
    if size != int(size):
        raise OandaMappingError(
            f"order {ref}: size {size:g} is not a whole number of units "
            "(OANDA trades whole units of the base currency)"
        )
    if not size:
        raise OandaMappingError(f"order {ref}: size must not be zero")
    return str(int(size))


def time_in_force(order: Any) -> dict[str, str]:
    """``valid`` -> v20 time in force: None GTC, DAY/0 GFD, else GTD at ``order.valid`` (UTC)."""
    tif, until = validity(order)
    if until is None:
        return {"timeInForce": "GFD" if tif == "DAY" else tif}
    return {"timeInForce": tif, "gtdTime": rfc3339(until)}


def _stop_details(child: Any, cid: str, precision: int) -> tuple[str, dict[str, Any]]:
    """A bracket's stop child as stopLossOnFill (price) or trailingStopLossOnFill (distance)."""
    ext = {"clientExtensions": {"id": cid}}
    if child.exectype == Order.StopTrail:
        if child.trailamount:
            distance = float(child.trailamount)
        elif child.trailpercent:
            distance = float(child.trailpercent) * float(child.created.pclose)
        else:
            raise OandaMappingError(f"order {child.ref}: a StopTrail needs trailamount or trailpercent")
        return "trailingStopLossOnFill", {"distance": price_text(distance, precision), **ext}
    if child.exectype not in (Order.Stop, Order.StopLimit) or child.price is None:
        raise OandaMappingError(
            f"order {child.ref}: a bracket's stop must be a Stop or StopTrail with a "
            "price (v20 stopLossOnFill)"
        )
    return "stopLossOnFill", {"price": price_text(child.price, precision), **ext}


def _limit_details(child: Any, cid: str, precision: int) -> tuple[str, dict[str, Any]]:
    if child.exectype != Order.Limit or child.price is None:
        raise OandaMappingError(
            f"order {child.ref}: a bracket's take-profit must be a Limit with a price (v20 takeProfitOnFill)"
        )
    return "takeProfitOnFill", {"price": price_text(child.price, precision), "clientExtensions": {"id": cid}}


def order_request(
    order: Any, cid: str, instrument: str, precision: int, children: Iterable[tuple[Any, str]] = ()
) -> dict[str, Any]:
    """The v20 order request (JSON) for ``order`` sent as ``cid`` with its bracket ``children``."""
    kind = ENTRY_TYPES.get(order.exectype)
    if kind is None:
        raise OandaMappingError(f"order {order.ref}: " + REFUSED.get(order.exectype, "unknown exectype"))
    body: dict[str, Any] = {
        "type": kind,
        "instrument": instrument,
        "units": units_text(order.size, order.ref),
        "positionFill": "DEFAULT",
        "clientExtensions": {"id": cid},
    }
    if kind != "MARKET":
        if order.price is None:
            raise OandaMappingError(f"order {order.ref}: a {order.getordername()} order needs a price")
        body["price"] = price_text(order.price, precision)
        body.update(time_in_force(order))
    if order.exectype == Order.StopLimit:
        if order.pricelimit is None:
            raise OandaMappingError(f"order {order.ref}: a StopLimit needs plimit (sent as v20 priceBound)")
        body["priceBound"] = price_text(order.pricelimit, precision)
    for child, child_cid in children:
        is_stop = child.exectype in (Order.Stop, Order.StopLimit, Order.StopTrail)
        key, details = (_stop_details if is_stop else _limit_details)(child, child_cid, precision)
        if key in body or (
            key != "takeProfitOnFill" and ("stopLossOnFill" in body or "trailingStopLossOnFill" in body)
        ):
            raise OandaMappingError(f"order {child.ref}: a bracket has one take-profit and one stop only")
        body[key] = details
    m.OrderRequest.from_json(body)  # the model checks the type has what it needs
    return body


# -- in: transactions -----------------------------------------------------------------------------


def _epoch(text: str | None) -> float | None:
    return None if not text else parse_time(text).timestamp()


def _f(value: Decimal | None) -> float:
    return 0.0 if value is None else float(value)


@dataclasses.dataclass
class TransactionMapper:
    """Transactions -> inbox (kind, payload) pairs; remembers order ids, bracket children and trades."""

    client_of: dict[str, str] = dataclasses.field(default_factory=dict)  # order id -> client id
    children: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # entry order id -> child cids
    instrument_of: dict[str, str] = dataclasses.field(default_factory=dict)  # trade/order id -> instrument

    def learn_order(self, order: m.Order) -> None:
        """Remember a pending order (after a (re)connect): its client id, children, instrument."""
        self._learn(order.id, order, order.instrument or self.instrument_of.get(order.trade_id or ""))

    def _learn(self, order_id: str, fields: Any, instrument: str | None) -> str | None:
        ext = fields.client_extensions
        cid = ext.id if ext is not None else None
        if cid:
            self.client_of[order_id] = cid
        if instrument:
            self.instrument_of[order_id] = instrument
        kids = [
            d.client_extensions.id
            for d in (getattr(fields, a) for a, _ in _ON_FILL)
            if d is not None and d.client_extensions is not None and d.client_extensions.id
        ]
        if kids:
            self.children[order_id] = kids
        return cid

    def events(self, txn: m.Transaction) -> list[tuple[Kind, Any]]:
        """What one transaction means to the broker (empty for the ones it does not care about)."""
        if isinstance(txn, m.OrderTransaction):
            return self._order_txn(txn)
        if isinstance(txn, m.OrderFillTransaction):
            return [(Kind.EXECUTION, self.execution(txn))]
        if isinstance(txn, m.OrderCancelTransaction):
            return [(Kind.ORDER, vo) for vo in self._cancelled(txn)]
        if isinstance(txn, m.OrderCancelRejectTransaction):
            cid = txn.client_order_id or self.client_of.get(txn.order_id or "", "")
            return [(Kind.STORE, f"OANDA refused to cancel order {cid or txn.order_id}: {txn.reject_reason}")]
        if isinstance(txn, m.DailyFinancingTransaction):
            return [(Kind.ACCOUNT, {"last_financing": _f(txn.financing), "balance": _f(txn.account_balance)})]
        return []

    def _order_txn(self, txn: m.OrderTransaction) -> list[tuple[Kind, Any]]:
        rejected = txn.type.endswith("_REJECT")
        instrument = txn.instrument or self.instrument_of.get(txn.trade_id or "", "")
        if not rejected:
            cid = self._learn(txn.id, txn, instrument)
            ids = {"orderID": txn.id}
        else:
            cid = txn.client_extensions.id if txn.client_extensions is not None else None
            ids = {}
        status = "Rejected" if rejected else "Accepted"
        reason = _reject_text(txn.reject_reason) if rejected else ""
        out = [
            VenueOrder(
                instrument,
                _f(txn.units),
                status=status,
                client_id=cid,
                venue_ids=ids,
                reason=reason,
                code=txn.reject_reason if rejected else None,
            )
        ]
        kids = [
            d.client_extensions.id
            for d in (getattr(txn, a) for a, _ in _ON_FILL)
            if d is not None and d.client_extensions is not None and d.client_extensions.id
        ]
        for kid in kids:
            text = f"its bracket parent was rejected: {reason}" if rejected else ""
            out.append(
                VenueOrder(
                    instrument,
                    -_f(txn.units),
                    status=status,
                    client_id=kid,
                    reason=text,
                    code=txn.reject_reason if rejected else None,
                )
            )
        return [(Kind.ORDER, vo) for vo in out]

    def execution(self, txn: m.OrderFillTransaction) -> VenueExecution:
        """An ORDER_FILL as the core's execution, named by the transaction id."""
        order_id = txn.order_id or ""
        cid = txn.client_order_id or self.client_of.get(order_id)
        if txn.trade_opened is not None and txn.instrument:
            self.instrument_of[txn.trade_opened.trade_id] = txn.instrument
        return VenueExecution(
            txn.id,
            txn.instrument or "",
            _f(txn.units),
            _f(txn.price),
            client_id=cid,
            venue_ids={"orderID": order_id} if order_id else {},
            commission=_f(txn.commission),
            time=_epoch(txn.time),
        )

    def _cancelled(self, txn: m.OrderCancelTransaction) -> list[VenueOrder]:
        order_id = txn.order_id or ""
        cid = txn.client_order_id or self.client_of.get(order_id)
        reason = txn.reason or ""
        status = CANCEL_STATUS.get(reason, "Canceled")
        instrument = self.instrument_of.get(order_id, "")
        out = [
            VenueOrder(
                instrument,
                0.0,
                status=status,
                client_id=cid,
                venue_ids={"orderID": order_id} if order_id else {},
                reason=reason,
                code=reason or None,
            )
        ]
        if txn.replaced_by_order_id is None:  # the on-fill children of a cancelled entry die with it
            for kid in self.children.pop(order_id, []):
                out.append(
                    VenueOrder(
                        instrument,
                        0.0,
                        status="Canceled",
                        client_id=kid,
                        reason=f"its bracket parent was cancelled: {reason}",
                        code=reason or None,
                    )
                )
        return out


def _reject_text(reason: str | None) -> str:
    return f"OANDA rejected the order: {reason}" if reason else "OANDA rejected the order"


def account_values(summary: m.AccountSummary) -> dict[str, Any]:
    """The ACCOUNT payload of an account summary: cash is marginAvailable, value the NAV."""
    return {
        "cash": _f(summary.margin_available),
        "value": _f(summary.nav),
        "balance": _f(summary.balance),
        "financing": _f(summary.financing),
        "last_transaction_id": summary.last_transaction_id,
    }


def venue_snapshot(
    mapper: TransactionMapper,
    pending: Iterable[m.Order],
    positions: Iterable[m.Position],
    transactions: Iterable[m.Transaction],
    summary: m.AccountSummary,
    cursor: str | None = None,
) -> VenueSnapshot:
    """The snapshot of a (re)connect: pending orders (and the bracket children riding on them),
    fills and ends since the cursor, net positions, marginAvailable as cash, and the cursor: the
    id the answers reflect (default the newest transaction given, else the summary's)."""
    txns = sorted(transactions, key=lambda t: int(t.id))
    positions = list(positions)
    for position in positions:
        for side in (position.long, position.short):
            for trade_id in (side.trade_ids or ()) if side is not None else ():
                mapper.instrument_of[trade_id] = position.instrument
    for txn in txns:  # learn before mapping: a cancel may follow its order in the same batch
        if isinstance(txn, m.OrderTransaction) and not txn.type.endswith("_REJECT"):
            mapper._learn(txn.id, txn, txn.instrument)
    open_orders: list[VenueOrder] = []
    for order in pending:
        mapper.learn_order(order)
        instrument = mapper.instrument_of.get(order.id, "")
        cid = order.client_extensions.id if order.client_extensions is not None else None
        open_orders.append(
            VenueOrder(
                instrument, _f(order.units), status="Accepted", client_id=cid, venue_ids={"orderID": order.id}
            )
        )
        open_orders.extend(
            VenueOrder(instrument, -_f(order.units), status="Accepted", client_id=kid)
            for kid in mapper.children.get(order.id, ())
        )
    executions, closed = [], []
    for txn in txns:
        for kind, payload in mapper.events(txn):
            if kind is Kind.EXECUTION:
                executions.append(payload)
            elif kind is Kind.ORDER and payload.status != "Accepted":
                closed.append(payload)
    if cursor is None:
        cursor = txns[-1].id if txns else summary.last_transaction_id
    return VenueSnapshot(
        open_orders=tuple(open_orders),
        executions=tuple(executions),
        positions=net_positions(positions),
        cash=_f(summary.margin_available),
        closed_orders=tuple(closed),
        cursor=cursor,
    )


def client_ids_in(pending: Iterable[m.Order], transactions: Iterable[m.Transaction]) -> set[str]:
    """Every client order id the venue's answers name (orders, their on-fill children, transactions)."""
    out: set[str] = set()
    for item in [*pending, *transactions]:
        ext = getattr(item, "client_extensions", None)
        for cid in (ext.id if ext is not None else None, getattr(item, "client_order_id", None)):
            if cid:
                out.add(cid)
        for attr, _ in _ON_FILL:
            details = getattr(item, attr, None)
            if details is not None and details.client_extensions is not None and details.client_extensions.id:
                out.add(details.client_extensions.id)
    return out


def net_positions(positions: Iterable[m.Position]) -> Mapping[str, float]:
    """Instrument -> net units of the positions that are open."""
    return {p.instrument: float(p.net_units) for p in positions if p.net_units}


def position_prices(positions: Iterable[m.Position]) -> dict[str, tuple[float, float]]:
    """Instrument -> (net units, average price) of the open positions (``use_positions``)."""
    out = {}
    for p in positions:
        units = float(p.net_units)
        side = p.long if units > 0 else p.short
        if units and side is not None:
            out[p.instrument] = (units, _f(side.average_price))
    return out
