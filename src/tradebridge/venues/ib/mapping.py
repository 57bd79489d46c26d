"""Pure translation between tradebridge and IB: orders out, statuses/executions/positions back in.

Orders become a dict of ib_async ``Order`` field names (:func:`order_fields`), built into an
``Order`` only by :func:`to_ib_order`, so everything here is testable without a connection.
ib_async objects coming back become the live core's plain data (:mod:`tradebridge.live.state`).
ib_async itself is imported only inside the functions that build its objects.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ...live.state import VenueExecution, VenueOrder, VenueSnapshot
from ...live.validity import validity
from ...orders.comminfo import CommInfoBase
from ...orders.order import Order
from ...utils.dates import as_utc
from ...utils.timeframe import TimeFrame
from .contracts import DERIVATIVES
from .errors import classify

__all__ = [
    "BAR_SIZES",
    "IBMappingError",
    "ORDER_TYPES",
    "STATUS",
    "account_values",
    "bar_size",
    "comminfo_from_details",
    "comminfo_params",
    "commission",
    "ib_utc",
    "instrument_name",
    "last_error",
    "order_fields",
    "order_status",
    "to_ib_order",
    "venue_execution",
    "venue_order",
    "venue_snapshot",
    "RT_WHATS",
    "WHATS",
    "what_to_show",
]


class IBMappingError(ValueError):
    """Something tradebridge cannot express to IB (an order type, a bar size, a 'what')."""


ORDER_TYPES: dict[int, str] = {
    Order.Market: "MKT", Order.Close: "MOC", Order.Limit: "LMT", Order.Stop: "STP",
    Order.StopLimit: "STP LMT", Order.StopTrail: "TRAIL", Order.StopTrailLimit: "TRAIL LIMIT",
}

# IB order status -> our status name; None: no change (a cancel in flight, an API update).
STATUS: dict[str, str | None] = {
    "PendingSubmit": "Submitted", "ApiPending": "Submitted", "PreSubmitted": "Accepted",
    "Submitted": "Accepted", "PendingCancel": None, "ApiUpdate": None, "ApiCancelled": "Canceled",
    "Cancelled": "Canceled", "Filled": "Completed", "Inactive": "Rejected", "ValidationError": "Rejected",
}

OCA_CANCEL_WITH_BLOCK = 1  # IB ocaType: cancel the others when one fills, overfill protected


def ib_utc(when: _dt.datetime) -> str:
    """A time in the explicit-UTC form IB requires (goodTillDate, endDateTime): ``YYYYMMDD HH:MM:SS UTC``."""
    return as_utc(when).strftime("%Y%m%d %H:%M:%S UTC")


def _time_in_force(order: Any) -> dict[str, str]:
    """``valid`` (as the user gave it) -> tif: None GTC, DAY/0 DAY, else GTD at ``order.valid`` (UTC)."""
    tif, until = validity(order)
    return {"tif": tif} if until is None else {"tif": tif, "goodTillDate": ib_utc(until)}


def _start_price(order: Any) -> float:
    """The price a trailing stop starts from: the order's price, else the close it was created at."""
    return float(order.price if order.price is not None else order.created.pclose)


def _trail(order: Any) -> dict[str, float]:
    """TRAIL: a percent (IB wants percent, backtrader a fraction) or an amount, from a start price."""
    fields = ({"trailingPercent": float(order.trailpercent) * 100.0} if order.trailpercent
              else {"auxPrice": float(order.trailamount)})
    if order.price is not None:
        fields["trailStopPrice"] = float(order.price)
    return fields


def _trail_limit(order: Any) -> dict[str, float]:
    """TRAIL LIMIT: the trail plus the limit's distance from the stop (``lmtPriceOffset``)."""
    return {**_trail(order), "lmtPriceOffset": abs(_start_price(order) - float(order.pricelimit))}


# exectype -> IB price fields (IB: lmtPrice is the limit, auxPrice the stop price or trail amount).
_PRICES: dict[int, Callable[[Any], dict[str, float]]] = {
    Order.Market: lambda o: {}, Order.Close: lambda o: {},
    Order.Limit: lambda o: {"lmtPrice": float(o.price)},
    Order.Stop: lambda o: {"auxPrice": float(o.price)},
    Order.StopLimit: lambda o: {"auxPrice": float(o.price), "lmtPrice": float(o.pricelimit)},
    Order.StopTrail: _trail, Order.StopTrailLimit: _trail_limit,
}


def order_fields(order: Any, client_id: str, order_id: int = 0, *, parent_id: int = 0,
                 oca_group: str = "", account: str = "") -> dict[str, Any]:
    """The ib_async ``Order`` fields for a tradebridge order (``orderRef`` = our client id).

    ``parent_id`` is the IB orderId of a bracket's parent; ``oca_group`` names an OCO group
    (the adapter uses the first order's client id). ``transmit`` follows the order (in a
    bracket only the last child transmits, which sends the whole group).
    """
    if order.exectype not in ORDER_TYPES:
        raise IBMappingError(f"order ref {order.ref} ({client_id}): exectype "
                             f"{Order.ExecTypes[order.exectype]!r} has no IB order type")
    fields: dict[str, Any] = {
        "orderId": order_id, "action": "BUY" if order.isbuy() else "SELL",
        "totalQuantity": abs(float(order.size)), "orderType": ORDER_TYPES[order.exectype],
        "orderRef": client_id, "transmit": bool(order.transmit),
    }
    fields.update(_PRICES[order.exectype](order))
    fields.update(_time_in_force(order))
    if parent_id:
        fields["parentId"] = parent_id
    if oca_group:
        fields.update(ocaGroup=oca_group, ocaType=OCA_CANCEL_WITH_BLOCK)
    if account:
        fields["account"] = account
    return fields


def to_ib_order(fields: Mapping[str, Any]) -> Any:
    """An ib_async ``Order`` from :func:`order_fields` (imports ib_async here)."""
    from ib_async import Order as IBOrder

    return IBOrder(**fields)


def order_status(ib_status: str, filled: float = 0.0) -> str | None:
    """Our status for an IB status (``Partial`` for a working order with fills); None: no change."""
    if ib_status not in STATUS:
        raise IBMappingError(f"unknown IB order status {ib_status!r}; known: {', '.join(STATUS)}")
    status = STATUS[ib_status]
    return "Partial" if status == "Accepted" and filled else status


def instrument_name(contract: Any) -> str:
    """A contract's instrument name: ``EUR.USD`` for forex, ``localSymbol`` for derivatives, else symbol."""
    if contract.secType == "CASH":
        return f"{contract.symbol}.{contract.currency}"
    if contract.secType in DERIVATIVES and contract.localSymbol:
        return str(contract.localSymbol)
    return str(contract.symbol)


def _sign(action: str) -> int:
    if action in ("BUY", "BOT"):
        return 1
    if action in ("SELL", "SLD", "SSHORT"):
        return -1
    raise IBMappingError(f"unknown IB side {action!r}: expected BUY/SELL or BOT/SLD")


def _ids(obj: Any) -> dict[str, Any]:
    return {"orderId": obj.orderId or None, "permId": obj.permId or None}


def last_error(trade: Any) -> tuple[int, str] | None:
    """IB's last error code and text for a trade (what ``order.info`` gets on a rejection)."""
    errors = [entry for entry in trade.log if entry.errorCode]
    if not errors:
        return None
    return errors[-1].errorCode, _LOG_PREFIX.sub("", errors[-1].message)


# ib_async logs an order error as "Error 201, reqId 7: <IB's text>"; IB's text is what matters
_LOG_PREFIX = re.compile(r"^(?:Error|Warning) -?\d+, reqId -?\d+: ")


_CANCELLED = 202  # "Order Canceled - reason: ...": a cancel, not a rejection


def _is_rejection(code: int) -> bool:
    """Whether an order error means TWS refused the order (rather than cancelled it)."""
    return code != _CANCELLED and classify(code).kind in ("order", "request")


def venue_order(trade: Any, name: Callable[[Any], str] = instrument_name) -> VenueOrder:
    """A ``VenueOrder`` from an ib_async ``Trade`` (sizes signed; reason from IB's last error)."""
    order, state = trade.order, trade.orderStatus
    sign = _sign(order.action)
    # no status yet: placed, not acknowledged; a cancel in flight: still working
    status = order_status(state.status or "PendingSubmit", state.filled)
    if status is None:
        status = "Partial" if state.filled else "Accepted"
    error = last_error(trade) if status not in ("Accepted", "Partial") else None
    if status == "Canceled" and error and not state.filled and _is_rejection(error[0]):
        status = "Rejected"  # ib_async marks an order TWS refused (error 201...) as Cancelled
    reason, code = (error[1], error[0]) if error else ("", None)
    ids = _ids(order)
    ids["permId"] = ids["permId"] or state.permId or None
    return VenueOrder(
        instrument=name(trade.contract), size=sign * float(order.totalQuantity),
        filled=sign * float(state.filled), status=status, client_id=order.orderRef or None,
        venue_ids=ids, reason=reason, code=code,
    )


def _commission(report: Any, exec_id: str) -> float | None:
    """The commission if the report belongs to this execution and IB has filled it in."""
    if report is None or report.execId != exec_id:
        return None
    value = float(report.commission)
    return value if math.isfinite(value) and value < 1e300 else None


def commission(report: Any) -> tuple[str, float] | None:
    """``(exec_id, commission)`` from an ib_async ``CommissionReport`` (None while IB has no figure)."""
    value = _commission(report, report.execId)
    return (report.execId, value) if value is not None and report.execId else None


def venue_execution(fill: Any, name: Callable[[Any], str] = instrument_name) -> VenueExecution:
    """A ``VenueExecution`` from an ib_async ``Fill`` (signed size from BOT/SLD, UTC epoch time)."""
    ex = fill.execution
    when = ex.time if ex.time.tzinfo else ex.time.replace(tzinfo=_dt.UTC)
    return VenueExecution(
        exec_id=ex.execId, instrument=name(fill.contract), size=_sign(ex.side) * float(ex.shares),
        price=float(ex.price), client_id=ex.orderRef or None, venue_ids=_ids(ex),
        commission=_commission(fill.commissionReport, ex.execId), time=when.timestamp(),
    )


# Account value tag -> our key; IB sends TotalCashBalance per currency, 'BASE' is the sum.
_ACCOUNT_TAGS: dict[tuple[str, str], str] = {
    ("TotalCashBalance", "BASE"): "cash", ("NetLiquidation", ""): "value",
    ("AvailableFunds", ""): "available", ("BuyingPower", ""): "buying_power",
    ("UnrealizedPnL", "BASE"): "unrealized", ("RealizedPnL", "BASE"): "realized",
}


def account_values(values: Iterable[Any], account: str = "") -> dict[str, float]:
    """cash/value/... from ib_async ``AccountValue`` items (one account when ``account`` is given)."""
    out: dict[str, float] = {}
    for item in values:
        if account and item.account != account:
            continue
        key = _ACCOUNT_TAGS.get((item.tag, item.currency)) or _ACCOUNT_TAGS.get((item.tag, ""))
        if key is None:
            continue
        try:
            out[key] = float(item.value)
        except ValueError:
            continue  # IB sends '' for values it has not computed yet
    return out


def venue_snapshot(open_trades: Iterable[Any], fills: Iterable[Any], positions: Iterable[Any], *,
                   cash: float | None = None, closed_trades: Iterable[Any] = (), account: str = "",
                   name: Callable[[Any], str] = instrument_name) -> VenueSnapshot:
    """A ``VenueSnapshot`` from ib_async open trades, fills, positions (and completed trades)."""
    executions = sorted((venue_execution(f, name) for f in fills), key=lambda e: (e.time or 0.0, e.exec_id))
    held: dict[str, float] = {}
    for pos in positions:
        if not account or pos.account == account:
            key = name(pos.contract)
            held[key] = held.get(key, 0.0) + float(pos.position)
    return VenueSnapshot(
        open_orders=tuple(venue_order(t, name) for t in open_trades),
        executions=tuple(executions), positions=held, cash=cash,
        closed_orders=tuple(venue_order(t, name) for t in closed_trades),
        cursor=executions[-1].exec_id if executions else None,
    )


# (timeframe, compression) -> IB barSizeSetting, and the bar's length in seconds.
_BAR_SPECS: tuple[tuple[int, int, str], ...] = tuple(
    [(TimeFrame.Seconds, n, f"{n} secs") for n in (1, 5, 10, 15, 30)]
    + [(TimeFrame.Minutes, n, "1 min" if n == 1 else f"{n} mins") for n in (1, 2, 3, 5, 10, 15, 20, 30)]
    + [(TimeFrame.Minutes, 60 * n, "1 hour" if n == 1 else f"{n} hours") for n in (1, 2, 3, 4, 8)]
    + [(TimeFrame.Days, 1, "1 day"), (TimeFrame.Weeks, 1, "1 week"), (TimeFrame.Months, 1, "1 month")]
)
BAR_SIZES: dict[tuple[int, int], str] = {(tf, n): size for tf, n, size in _BAR_SPECS}
_UNIT_SECONDS = {TimeFrame.Seconds: 1, TimeFrame.Minutes: 60, TimeFrame.Days: 86400,
                 TimeFrame.Weeks: 7 * 86400, TimeFrame.Months: 30 * 86400}
BAR_SECONDS: dict[str, int] = {size: _UNIT_SECONDS[tf] * n for tf, n, size in _BAR_SPECS}


def bar_size(timeframe: int, compression: int = 1, exact: bool = False) -> str:
    """IB's barSizeSetting for a timeframe/compression; unless ``exact``, the largest IB size that
    divides it (the rest is resampled), as backtrader does."""
    if (timeframe, compression) in BAR_SIZES:
        return BAR_SIZES[(timeframe, compression)]
    if not exact:
        fits = [n for (tf, n) in BAR_SIZES if tf == timeframe and compression % n == 0]
        if fits:
            return BAR_SIZES[(timeframe, max(fits))]
        if timeframe == TimeFrame.Years:
            return BAR_SIZES[(TimeFrame.Months, 1)]
    name = TimeFrame.getname(timeframe, compression) if 0 < timeframe < len(TimeFrame.Names) else timeframe
    raise IBMappingError(f"IB has no bar size for timeframe {name!r} compression {compression}; "
                         f"IB sizes: {', '.join(BAR_SIZES.values())}")


WHATS = frozenset({"TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST",
                   "HISTORICAL_VOLATILITY", "OPTION_IMPLIED_VOLATILITY"})
# Instruments without trade prints: IB has no TRADES for them (backtrader uses MIDPOINT for CASH).
_DEFAULT_WHAT = {"CASH": "MIDPOINT", "CMDTY": "MIDPOINT", "CFD": "MIDPOINT"}


RT_WHATS = frozenset({"TRADES", "MIDPOINT", "BID", "ASK"})  # what reqRealTimeBars accepts


def what_to_show(sectype: str, what: str | None = None, realtime: bool = False) -> str:
    """IB's whatToShow: the user's ``what``, else the instrument type's default (TRADES or MIDPOINT).

    ``realtime``: for reqRealTimeBars, which accepts fewer values than historical requests.
    """
    if what is None:
        return _DEFAULT_WHAT.get(sectype, "TRADES")
    allowed = RT_WHATS if realtime else WHATS
    if what.upper() not in allowed:
        kind = "real-time bars" if realtime else "historical data"
        raise IBMappingError(f"what={what!r} is not a whatToShow IB {kind} accept; "
                             f"use one of {', '.join(sorted(allowed))}")
    return what.upper()


# Futures-like instruments settle daily (margin, mark to market); the rest pay the full price.
_FUTURES_LIKE = frozenset({"FUT", "FOP"})


def comminfo_params(sectype: str, multiplier: str | float | None = "") -> dict[str, Any]:
    """``CommInfoBase`` params for a contract: multiplier and stock-like vs futures-like.

    Commission itself is 0: IB's commission reports give each fill's real commission.
    """
    try:
        mult = float(multiplier) if multiplier not in ("", None) else 1.0
    except (TypeError, ValueError):
        raise IBMappingError(f"contract multiplier {multiplier!r} is not a number") from None
    if not (math.isfinite(mult) and mult > 0):
        raise IBMappingError(f"contract multiplier {multiplier!r} must be a positive number")
    stocklike = sectype not in _FUTURES_LIKE
    return {"commission": 0.0, "mult": mult, "stocklike": stocklike, "commtype": CommInfoBase.COMM_FIXED,
            "margin": None if stocklike else 1.0}


def comminfo_from_details(details: Any) -> dict[str, Any]:
    """:func:`comminfo_params` from an ib_async ``ContractDetails`` (its contract's type and multiplier)."""
    contract = details.contract
    if contract is None:
        raise IBMappingError("contract details without a contract: cannot derive commission info")
    return comminfo_params(contract.secType, contract.multiplier)
