"""Order, trade and position requests on an :class:`~.account.Account`: each returns
``(HTTP status, v20 response body)`` as OANDA answers it, including the reject bodies
(``*RejectTransaction``, ``errorCode``, ``errorMessage``)."""

from __future__ import annotations

import re
from typing import Any

from .account import Account
from .book import SbOrder, SbTrade, render
from .orders import TRADE_TYPES, Reject, check_extensions, check_request
from .pricing import CandleError, parse_time

__all__ = [
    "modify_order_extensions",
    "modify_trade_extensions",
    "cancel_order",
    "close_position",
    "close_trade",
    "create_order",
    "find_order",
    "find_trade",
    "replace_order",
    "set_trade_orders",
]

Reply = tuple[int, dict[str, Any]]
_DECIMAL = re.compile(r"-?\d+(\.\d+)?\Z")
_DECIMAL_FIELDS = {"units", "price", "priceBound", "distance"}
_TRADE_ORDER_KEYS = {
    "takeProfit": "TAKE_PROFIT",
    "stopLoss": "STOP_LOSS",
    "trailingStopLoss": "TRAILING_STOP_LOSS",
}


def _time(text: Any) -> float:
    try:
        return parse_time(str(text), "gtdTime")
    except CandleError:
        raise Reject("TIME_IN_FORCE_GTD_TIMESTAMP_MISSING", f"gtdTime {text!r} is not a time") from None


def _done(acct: Account, out: dict[str, Any], status: int = 201) -> Reply:
    ids = sorted({int(v["id"]) for v in out.values() if isinstance(v, dict) and "id" in v})
    body = render(out)
    body["relatedTransactionIDs"] = [str(i) for i in ids]
    body["lastTransactionID"] = acct.last_id
    return status, body


def _reject(
    acct: Account,
    err: Reject,
    kind: str,
    raw: Any,
    key: str = "orderRejectTransaction",
    status: int | None = None,
) -> Reply:
    """The error reply; a ``<kind>_REJECT`` transaction unless the request was malformed."""
    if not err.reason:
        return 400, {"errorMessage": err.message}
    echo = (
        {
            k: (v if isinstance(v, dict | list) else str(v))
            for k, v in (raw or {}).items()
            if k not in ("type", "id", "gtdTime") and v is not None
        }
        if isinstance(raw, dict)
        else {}
    )
    for field in _DECIMAL_FIELDS & echo.keys():
        value = echo[field]
        if not isinstance(value, str) or not _DECIMAL.match(value):
            del echo[field]  # the transaction records only well-formed numbers
    txn = acct.txn(f"{kind}_REJECT", rejectReason=err.reason, **echo)
    body = _done(acct, {key: txn}, status or err.status)[1]
    body.update(errorCode=err.reason, errorMessage=err.message)
    return status or err.status, body


def find_order(acct: Account, spec: str) -> SbOrder | None:
    """An order by id or ``@clientID``."""
    if spec.startswith("@"):
        # the newest order with that client id (a replaced order and its replacement may share it)
        return next((o for o in reversed(acct.orders.values()) if o.client_id == spec[1:]), None)
    return acct.orders.get(spec)


def find_trade(acct: Account, spec: str) -> SbTrade | None:
    """A trade by id or ``@clientTradeID``."""
    if spec.startswith("@"):
        return next((t for t in acct.trades.values() if (t.client_ext or {}).get("id") == spec[1:]), None)
    return acct.trades.get(spec)


def _validate(acct: Account, raw: Any, replacing: SbOrder | None = None) -> dict[str, Any]:
    """Validate an order request against the account (trade links, unique client ids)."""
    trade_spec = None
    if isinstance(raw, dict) and raw.get("type") in TRADE_TYPES:
        trade = find_trade(acct, str(raw["tradeID"])) if raw.get("tradeID") else None
        if trade is None and raw.get("clientTradeID"):
            trade = find_trade(acct, "@" + str(raw["clientTradeID"]))
        if trade is None and not raw.get("tradeID") and not raw.get("clientTradeID"):
            raise Reject("TRADE_ID_UNSPECIFIED", f"{raw['type']} orders need a 'tradeID'")
        if trade is None or trade.state != "OPEN":
            raise Reject(
                "TRADE_DOESNT_EXIST", f"trade {raw.get('tradeID') or raw.get('clientTradeID')} is not open"
            )
        existing = trade.orders.get(raw["type"])
        if existing is not None and (replacing is None or existing != replacing.id):
            raise Reject(
                f"{raw['type']}_ORDER_ALREADY_EXISTS", f"trade {trade.id} already has a {raw['type']} order"
            )
        raw = dict(raw, tradeID=trade.id)
        trade_spec = acct.specs[trade.instrument]
    fields = check_request(raw, acct.specs, acct.market.clock, _time, trade_spec)
    client = (fields.get("clientExtensions") or {}).get("id")
    if client is not None:
        other = find_order(acct, "@" + client)
        if other is not None and other is not replacing and other.state == "PENDING":
            raise Reject(
                "CLIENT_ORDER_ID_ALREADY_EXISTS", f"a pending order already has client id {client!r}"
            )
    return fields


def create_order(acct: Account, body: Any) -> Reply:
    """POST /orders."""
    acct.begin()
    raw = body.get("order") if isinstance(body, dict) else None
    kind = raw.get("type", "MARKET") if isinstance(raw, dict) else "MARKET"
    try:
        fields = _validate(acct, raw)
    except Reject as err:
        return _reject(acct, err, f"{kind}_ORDER", raw)
    order, txn = acct.add_order(fields, "CLIENT_ORDER")
    out: dict[str, Any] = {"orderCreateTransaction": txn}
    acct.activate(order, out)
    return _done(acct, out)


def cancel_order(acct: Account, spec: str) -> Reply:
    """PUT /orders/{orderSpecifier}/cancel."""
    acct.begin()
    order = find_order(acct, spec)
    if order is None or order.state != "PENDING":
        err = Reject("ORDER_DOESNT_EXIST", f"order {spec} does not exist or is not pending", 404)
        named = {"clientOrderID": spec[1:]} if spec.startswith("@") else {}
        if order is not None or spec.isdigit():
            named["orderID"] = order.id if order is not None else spec
        return _reject(acct, err, "ORDER_CANCEL", named, "orderCancelRejectTransaction")
    return _done(acct, {"orderCancelTransaction": acct.cancel(order, "CLIENT_REQUEST")}, 200)


def replace_order(acct: Account, spec: str, body: Any) -> Reply:
    """PUT /orders/{orderSpecifier}: cancel the order and create its replacement."""
    acct.begin()
    old = find_order(acct, spec)
    raw = body.get("order") if isinstance(body, dict) else None
    kind = raw.get("type", "MARKET") if isinstance(raw, dict) else "MARKET"
    if old is None or old.state != "PENDING":
        err = Reject("ORDER_DOESNT_EXIST", f"order {spec} does not exist or is not pending", 404)
        return _reject(acct, err, f"{kind}_ORDER", raw)
    try:
        if isinstance(raw, dict) and old.trade_id is not None:
            raw = dict(raw, tradeID=raw.get("tradeID", old.trade_id))
        fields = _validate(acct, raw, replacing=old)
    except Reject as err:
        return _reject(acct, err, f"{kind}_ORDER", raw)
    out: dict[str, Any] = {
        "orderCancelTransaction": acct.cancel(
            old, "CLIENT_REQUEST_REPLACED", replaced_by=str(len(acct.txns) + 2)
        )
    }
    order, txn = acct.add_order(fields, "REPLACEMENT", replacesOrderID=old.id)
    out["orderCreateTransaction"] = txn
    acct.activate(order, out)
    return _done(acct, out)


def close_trade(acct: Account, spec: str, body: Any) -> Reply:
    """PUT /trades/{tradeSpecifier}/close: a market order closing ALL or some of its units."""
    acct.begin()
    trade = find_trade(acct, spec)
    units = (body or {}).get("units", "ALL") if isinstance(body, dict) else "ALL"
    try:
        if trade is None or trade.state != "OPEN":
            raise Reject("TRADE_DOESNT_EXIST", f"trade {spec} does not exist or is closed", 404)
        size = abs(trade.current_units)
        if units != "ALL":
            size = abs(
                float(
                    check_request(
                        {"type": "MARKET", "instrument": trade.instrument, "units": units},
                        acct.specs,
                        acct.market.clock,
                        _time,
                    )["units"]
                )
            )
            if size > abs(trade.current_units):
                raise Reject(
                    "CLOSE_TRADE_UNITS_EXCEED_TRADE_SIZE",
                    f"units {units} exceed the {abs(trade.current_units):.0f} units of trade {trade.id}",
                )
    except Reject as err:
        return _reject(acct, err, "MARKET_ORDER", {"tradeClose": {"tradeID": spec, "units": str(units)}})
    signed = -size if trade.current_units > 0 else size
    fields = {
        "type": "MARKET",
        "instrument": trade.instrument,
        "units": str(int(signed)),
        "timeInForce": "FOK",
        "positionFill": "REDUCE_ONLY",
        "tradeClose": {"tradeID": trade.id, "units": str(units)},
    }
    order, txn = acct.add_order(fields, "TRADE_CLOSE")
    out: dict[str, Any] = {"orderCreateTransaction": txn}
    acct.activate(order, out)
    return _done(acct, out, 200)


def close_position(acct: Account, name: str, body: Any) -> Reply:
    """PUT /positions/{instrument}/close: market orders closing the long and/or short side."""
    acct.begin()
    body = body if isinstance(body, dict) else {}
    out: dict[str, Any] = {}
    try:
        if name not in acct.specs:
            raise Reject("INSTRUMENT_UNKNOWN", f"instrument {name!r} is not traded by this account")
        for side, sign in (("long", 1), ("short", -1)):
            want = body.get(f"{side}Units", "ALL" if f"{side}Units" not in body and not body else "NONE")
            if want == "NONE":
                continue
            have = sum(t.current_units for t in acct.open_trades(name) if t.current_units * sign > 0)
            if not have:
                if f"{side}Units" in body:
                    raise Reject("CLOSEOUT_POSITION_DOESNT_EXIST", f"there is no {side} {name} position")
                continue
            size = abs(have) if want == "ALL" else abs(float(want))
            if size > abs(have):
                raise Reject(
                    "CLOSEOUT_POSITION_UNITS_EXCEED_POSITION_SIZE",
                    f"{side}Units {want} exceed {abs(have):.0f}",
                )
            fields = {
                "type": "MARKET",
                "instrument": name,
                "units": str(int(-sign * size)),
                "timeInForce": "FOK",
                "positionFill": "REDUCE_ONLY",
                f"{side}PositionCloseout": {"instrument": name, "units": str(want)},
            }
            order, txn = acct.add_order(fields, "POSITION_CLOSEOUT")
            out[f"{side}OrderCreateTransaction"] = txn
            acct.activate(order, out, f"{side}Order")
        if not out:
            raise Reject("CLOSEOUT_POSITION_DOESNT_EXIST", f"there is no open {name} position")
    except (Reject, ValueError) as err:
        err = err if isinstance(err, Reject) else Reject("CLOSEOUT_POSITION_REJECT", str(err))
        return _reject(acct, err, "MARKET_ORDER", {"instrument": name}, "longOrderRejectTransaction")
    return _done(acct, out, 200)


def set_trade_orders(acct: Account, spec: str, body: Any) -> Reply:
    """PUT /trades/{tradeSpecifier}/orders: create, replace or cancel a trade's TP/SL/TSL."""
    acct.begin()
    trade = find_trade(acct, spec)
    body = body if isinstance(body, dict) else {}
    if trade is None or trade.state != "OPEN":
        err = Reject("TRADE_DOESNT_EXIST", f"trade {spec} does not exist or is closed", 404)
        return _reject(acct, err, "TAKE_PROFIT_ORDER", {"tradeID": spec}, "takeProfitOrderRejectTransaction")
    plans = []
    for key, kind in _TRADE_ORDER_KEYS.items():
        if key not in body:
            continue
        old = acct.orders.get(trade.orders.get(kind, ""))
        fields = None
        if body[key] is not None:
            try:
                fields = _validate(acct, dict(body[key], type=kind, tradeID=trade.id), replacing=old)
            except Reject as err:
                return _reject(acct, err, f"{kind}_ORDER", body[key], f"{key}OrderRejectTransaction")
        plans.append((key, old, fields))
    out: dict[str, Any] = {}
    for key, old, fields in plans:
        if old is not None:
            nxt = str(len(acct.txns) + 2) if fields else None
            out[f"{key}OrderCancelTransaction"] = acct.cancel(
                old, "CLIENT_REQUEST_REPLACED" if fields else "CLIENT_REQUEST", replaced_by=nxt
            )
        if fields:
            extra = {"replacesOrderID": old.id} if old is not None else {}
            order, txn = acct.add_order(fields, "REPLACEMENT" if old is not None else "CLIENT_ORDER", **extra)
            out[f"{key}OrderTransaction"] = txn
            acct.activate(order, out, f"{key}Order")
    return _done(acct, out, 200)


def modify_order_extensions(acct: Account, spec: str, body: Any) -> Reply:
    """PUT /orders/{orderSpecifier}/clientExtensions: replace a pending order's client extensions."""
    acct.begin()
    body = body if isinstance(body, dict) else {}
    order = find_order(acct, spec)
    try:
        if order is None or order.state != "PENDING":
            raise Reject("ORDER_DOESNT_EXIST", f"order {spec} does not exist or is not pending", 404)
        ext = check_extensions(body.get("clientExtensions"))
        trade_ext = check_extensions(body.get("tradeClientExtensions"), "CLIENT_TRADE_")
        if not ext and not trade_ext:
            raise Reject(
                "CLIENT_EXTENSIONS_DATA_MISSING", "give clientExtensions and/or tradeClientExtensions"
            )
        cid = ext.get("id") if ext else None
        other = find_order(acct, "@" + cid) if cid else None
        if other is not None and other is not order and other.state == "PENDING":
            raise Reject("CLIENT_ORDER_ID_ALREADY_EXISTS", f"a pending order already has client id {cid!r}")
    except Reject as err:
        named = {"orderID": order.id} if order is not None else {}
        return _reject(
            acct, err, "ORDER_CLIENT_EXTENSIONS_MODIFY", named, "orderClientExtensionsModifyRejectTransaction"
        )
    fields: dict[str, Any] = {"orderID": order.id}
    if ext:
        order.fields["clientExtensions"] = ext
        fields["clientExtensionsModify"] = ext
    if trade_ext:
        order.fields["tradeClientExtensions"] = trade_ext
        fields["tradeClientExtensionsModify"] = trade_ext
    if order.client_id:
        fields["clientOrderID"] = order.client_id
    txn = acct.txn("ORDER_CLIENT_EXTENSIONS_MODIFY", **fields)
    return _done(acct, {"orderClientExtensionsModifyTransaction": txn}, 200)


def modify_trade_extensions(acct: Account, spec: str, body: Any) -> Reply:
    """PUT /trades/{tradeSpecifier}/clientExtensions: replace an open trade's client extensions."""
    acct.begin()
    body = body if isinstance(body, dict) else {}
    trade = find_trade(acct, spec)
    try:
        if trade is None or trade.state != "OPEN":
            raise Reject("TRADE_DOESNT_EXIST", f"trade {spec} does not exist or is closed", 404)
        ext = check_extensions(body.get("clientExtensions"), "CLIENT_TRADE_")
        if not ext:
            raise Reject("CLIENT_EXTENSIONS_DATA_MISSING", "give clientExtensions")
    except Reject as err:
        named = {"tradeID": trade.id} if trade is not None else {}
        return _reject(
            acct, err, "TRADE_CLIENT_EXTENSIONS_MODIFY", named, "tradeClientExtensionsModifyRejectTransaction"
        )
    trade.client_ext = ext
    fields: dict[str, Any] = {"tradeID": trade.id, "tradeClientExtensionsModify": ext}
    if "id" in ext:
        fields["clientTradeID"] = ext["id"]
    txn = acct.txn("TRADE_CLIENT_EXTENSIONS_MODIFY", **fields)
    return _done(acct, {"tradeClientExtensionsModifyTransaction": txn}, 200)
