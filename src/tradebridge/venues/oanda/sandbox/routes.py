"""The v20 endpoint table: (method, path pattern) -> handler over the sandbox's state.

Handlers are plain functions ``(sandbox, request, **path_params) -> Response`` (streams return a
:class:`~.http.StreamResponse`); :func:`dispatch` checks the token and the account id first.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import actions
from .book import render
from .http import Request, Response, StreamResponse
from .pricing import CandleError

if TYPE_CHECKING:
    from .server import SandboxState

__all__ = ["ROUTES", "dispatch"]

_AUTH_ERROR = {"errorMessage": "Insufficient authorization to perform request."}
_ORDER_STATES = ("PENDING", "FILLED", "TRIGGERED", "CANCELLED", "ALL")


def _err(status: int, message: str) -> Response:
    return Response(status, {"errorMessage": message})


def _last(sb: SandboxState, **body: Any) -> Response:
    return Response(200, dict(body, lastTransactionID=sb.account.last_id))


def _missing(sb: SandboxState, what: str, spec: str) -> Response:
    """OANDA's 404 for an order or trade id it does not know."""
    return Response(404, {"errorCode": f"{what.upper()}_DOESNT_EXIST",
                          "errorMessage": f"The {what} {spec} does not exist",
                          "lastTransactionID": sb.account.last_id})


def _reply(result: tuple[int, dict[str, Any]]) -> Response:
    return Response(*result)


def _count(req: Request, default: int, limit: int) -> int:
    try:
        count = int(req.query.get("count", default))
    except ValueError:
        raise CandleError("Invalid value specified for 'count'") from None
    if not 1 <= count <= limit:
        raise CandleError(f"Invalid value specified for 'count': 1..{limit}")
    return count


def _instruments(sb: SandboxState, req: Request) -> list[str]:
    names = [n for n in req.query.get("instruments", "").split(",") if n]
    if not names:
        raise CandleError("Invalid value specified for 'instruments'")
    unknown = [n for n in names if n not in sb.account.specs]
    if unknown:
        raise CandleError(f"Invalid value specified for 'instruments': {', '.join(unknown)}")
    return names


# -- accounts ---------------------------------------------------------------------------


def accounts(sb: SandboxState, req: Request) -> Response:
    return Response(200, {"accounts": [{"id": sb.account.id, "tags": []}]})


def account(sb: SandboxState, req: Request) -> Response:
    return _last(sb, account=sb.account.details())


def summary(sb: SandboxState, req: Request) -> Response:
    return _last(sb, account=sb.account.summary())


def instruments(sb: SandboxState, req: Request) -> Response:
    wanted = [n for n in req.query.get("instruments", "").split(",") if n] or list(sb.account.specs)
    return _last(sb, instruments=[sb.account.specs[n].to_json() for n in wanted if n in sb.account.specs])


def changes(sb: SandboxState, req: Request) -> Response:
    try:
        since = int(req.query.get("sinceTransactionID", ""))
    except ValueError:
        return _err(400, "Invalid value specified for 'sinceTransactionID'")
    return _last(sb, **sb.changes(since))


# -- prices -----------------------------------------------------------------------------


def candles(sb: SandboxState, req: Request, instrument: str) -> Response:
    if instrument not in sb.account.specs:
        return _err(400, f"Invalid value specified for 'instrument': {instrument}")
    gran = req.query.get("granularity", "S5")
    rows = sb.market.candles(instrument, req.query)
    return Response(200, {"instrument": instrument, "granularity": gran, "candles": rows})


def pricing(sb: SandboxState, req: Request) -> Response:
    names = _instruments(sb, req)
    body: dict[str, Any] = {
        "prices": [sb.market.client_price(n, sb.account.currency) for n in names],
        "time": render({"time": sb.market.clock})["time"],
    }
    if req.query.get("includeHomeConversions", "false").lower() == "true":
        body["homeConversions"] = sb.home_conversions()
    return Response(200, body)


def pricing_stream(sb: SandboxState, req: Request) -> StreamResponse:
    return StreamResponse("pricing", sb.pricing_lines(_instruments(sb, req)))


def transaction_stream(sb: SandboxState, req: Request) -> StreamResponse:
    return StreamResponse("transactions", sb.transaction_lines())


# -- transactions -------------------------------------------------------------------------


def _txn_id(sb: SandboxState, text: str, field: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise CandleError(f"Invalid value specified for '{field}'") from None
    if value < 0:
        raise CandleError(f"Invalid value specified for '{field}'")
    return value


def transactions(sb: SandboxState, req: Request) -> Response:
    last = int(sb.account.last_id)
    start = _txn_id(sb, req.query.get("from", "1"), "from")
    end = min(_txn_id(sb, req.query.get("to", str(last)), "to"), last)
    size = _count(
        Request(req.method, req.path, {"count": req.query.get("pageSize", "100")}, {}, b""), 100, 1000
    )
    host = req.headers.get("host", "127.0.0.1")
    base = f"http://{host}/v3/accounts/{sb.account.id}/transactions/idrange"
    pages = [f"{base}?from={a}&to={min(a + size - 1, end)}" for a in range(max(start, 1), end + 1, size)]
    return _last(
        sb,
        **{
            "from": render({"time": sb.account.created})["time"],
            "to": render({"time": sb.market.clock})["time"],
            "pageSize": size,
            "count": max(0, end - max(start, 1) + 1),
            "pages": pages,
        },
    )


def transaction(sb: SandboxState, req: Request, txn: str) -> Response:
    tid = _txn_id(sb, txn, "transactionID")
    if not 1 <= tid <= len(sb.account.txns):
        return _err(404, f"The transaction {txn} does not exist")
    return _last(sb, transaction=render(sb.account.txns[tid - 1]))


def idrange(sb: SandboxState, req: Request) -> Response:
    start = _txn_id(sb, req.query.get("from", ""), "from")
    end = _txn_id(sb, req.query.get("to", ""), "to")
    wanted = set(req.query.get("type", "").split(",")) - {""}
    rows = [
        t for t in sb.account.since(start - 1) if int(t["id"]) <= end and (not wanted or t["type"] in wanted)
    ]
    return _last(sb, transactions=rows)


def sinceid(sb: SandboxState, req: Request) -> Response:
    since = _txn_id(sb, req.query.get("id", ""), "id")
    if since > int(sb.account.last_id):
        return _err(
            400,
            f"Invalid value specified for 'id': {since} is after the last transaction {sb.account.last_id}",
        )
    return _last(sb, transactions=sb.account.since(since))


# -- orders, trades, positions ------------------------------------------------------------


def create_order(sb: SandboxState, req: Request) -> Response:
    return _reply(actions.create_order(sb.account, req.json()))


def list_orders(sb: SandboxState, req: Request, pending: bool = False) -> Response:
    state = "PENDING" if pending else req.query.get("state", "PENDING")
    if state not in _ORDER_STATES:
        return _err(400, "Invalid value specified for 'state'")
    acct = sb.account
    ids = set(req.query.get("ids", "").split(",")) - {""}
    name = req.query.get("instrument")
    rows = [
        o
        for o in acct.orders.values()
        if (state == "ALL" or o.state == state)
        and (not ids or o.id in ids)
        and (name is None or acct.instrument_of(o) == name)
    ]
    rows.sort(key=lambda o: -int(o.id))
    return _last(sb, orders=[acct.order_json(o) for o in rows[: _count(req, 50, 500)]])


def pending_orders(sb: SandboxState, req: Request) -> Response:
    return list_orders(sb, req, pending=True)


def get_order(sb: SandboxState, req: Request, spec: str) -> Response:
    order = actions.find_order(sb.account, spec)
    if order is None:
        return _missing(sb, "order", spec)
    return _last(sb, order=sb.account.order_json(order))


def replace_order(sb: SandboxState, req: Request, spec: str) -> Response:
    return _reply(actions.replace_order(sb.account, spec, req.json()))


def cancel_order(sb: SandboxState, req: Request, spec: str) -> Response:
    return _reply(actions.cancel_order(sb.account, spec))


def order_extensions(sb: SandboxState, req: Request, spec: str) -> Response:
    return _reply(actions.modify_order_extensions(sb.account, spec, req.json()))


def trade_extensions(sb: SandboxState, req: Request, spec: str) -> Response:
    return _reply(actions.modify_trade_extensions(sb.account, spec, req.json()))


def list_trades(sb: SandboxState, req: Request, only_open: bool = False) -> Response:
    state = "OPEN" if only_open else req.query.get("state", "OPEN")
    acct = sb.account
    rows = [t for t in acct.trades.values() if state == "ALL" or t.state == state]
    name = req.query.get("instrument")
    rows = [t for t in rows if name is None or t.instrument == name]
    rows.sort(key=lambda t: -int(t.id))
    return _last(sb, trades=[acct.trade_json(t) for t in rows[: _count(req, 50, 500)]])


def open_trades(sb: SandboxState, req: Request) -> Response:
    return list_trades(sb, req, only_open=True)


def get_trade(sb: SandboxState, req: Request, spec: str) -> Response:
    trade = actions.find_trade(sb.account, spec)
    if trade is None:
        return _missing(sb, "trade", spec)
    return _last(sb, trade=sb.account.trade_json(trade))


def close_trade(sb: SandboxState, req: Request, spec: str) -> Response:
    return _reply(actions.close_trade(sb.account, spec, req.json()))


def trade_orders(sb: SandboxState, req: Request, spec: str) -> Response:
    return _reply(actions.set_trade_orders(sb.account, spec, req.json()))


def positions(sb: SandboxState, req: Request) -> Response:
    acct = sb.account
    return _last(sb, positions=[acct.position_json(n) for n in acct.traded_instruments()])


def open_positions(sb: SandboxState, req: Request) -> Response:
    acct = sb.account
    names = sorted({t.instrument for t in acct.open_trades()})
    return _last(sb, positions=[acct.position_json(n) for n in names])


def position(sb: SandboxState, req: Request, instrument: str) -> Response:
    if instrument not in sb.account.specs:
        return _err(400, f"Invalid value specified for 'instrument': {instrument}")
    return _last(sb, position=sb.account.position_json(instrument))


def close_position(sb: SandboxState, req: Request, instrument: str) -> Response:
    return _reply(actions.close_position(sb.account, instrument, req.json()))


_A = r"/v3/accounts/(?P<account>[^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
    (m, re.compile(p + r"\Z"), h)
    for m, p, h in (
        ("GET", r"/v3/accounts", accounts),
        ("GET", _A, account),
        ("GET", _A + r"/summary", summary),
        ("GET", _A + r"/instruments", instruments),
        ("GET", _A + r"/changes", changes),
        ("GET", r"/v3/instruments/(?P<instrument>[A-Z0-9_]+)/candles", candles),
        ("GET", _A + r"/instruments/(?P<instrument>[A-Z0-9_]+)/candles", candles),
        ("GET", _A + r"/pricing", pricing),
        ("GET", _A + r"/pricing/stream", pricing_stream),
        ("GET", _A + r"/transactions/stream", transaction_stream),
        ("GET", _A + r"/transactions", transactions),
        ("GET", _A + r"/transactions/idrange", idrange),
        ("GET", _A + r"/transactions/sinceid", sinceid),
        ("GET", _A + r"/transactions/(?P<txn>[^/]+)", transaction),
        ("POST", _A + r"/orders", create_order),
        ("GET", _A + r"/orders", list_orders),
        ("GET", _A + r"/pendingOrders", pending_orders),
        ("GET", _A + r"/orders/(?P<spec>[^/]+)", get_order),
        ("PUT", _A + r"/orders/(?P<spec>[^/]+)", replace_order),
        ("PUT", _A + r"/orders/(?P<spec>[^/]+)/cancel", cancel_order),
        ("PUT", _A + r"/orders/(?P<spec>[^/]+)/clientExtensions", order_extensions),
        ("GET", _A + r"/trades", list_trades),
        ("GET", _A + r"/openTrades", open_trades),
        ("GET", _A + r"/trades/(?P<spec>[^/]+)", get_trade),
        ("PUT", _A + r"/trades/(?P<spec>[^/]+)/close", close_trade),
        ("PUT", _A + r"/trades/(?P<spec>[^/]+)/orders", trade_orders),
        ("PUT", _A + r"/trades/(?P<spec>[^/]+)/clientExtensions", trade_extensions),
        ("GET", _A + r"/positions", positions),
        ("GET", _A + r"/openPositions", open_positions),
        ("GET", _A + r"/positions/(?P<instrument>[A-Z0-9_]+)", position),
        ("PUT", _A + r"/positions/(?P<instrument>[A-Z0-9_]+)/close", close_position),
    )
]


def _authorized(sb: SandboxState, req: Request) -> bool:
    scheme, _, token = req.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return sb.token is None or hmac.compare_digest(token.strip().encode(), sb.token.encode())


def dispatch(sb: SandboxState, req: Request) -> Response | StreamResponse:
    """Route ``req``: 401 without an acceptable bearer token, 404/405 for unknown paths."""
    if not _authorized(sb, req):
        return Response(401, _AUTH_ERROR)
    allowed = []
    for method, pattern, handler in ROUTES:
        found = pattern.match(req.path)
        if found is None:
            continue
        if method != req.method:
            allowed.append(method)
            continue
        params = found.groupdict()
        account_id = params.pop("account", None)
        if account_id is not None and account_id != sb.account.id:
            return _err(400, f"Invalid value specified for 'accountID': {account_id}")
        try:
            return handler(sb, req, **params)
        except CandleError as exc:
            return _err(400, str(exc))
        except ValueError as exc:
            return _err(400, str(exc))
    if allowed:
        return _err(405, f"{req.method} is not allowed on {req.path} (allowed: {', '.join(allowed)})")
    return _err(404, f"No such endpoint: {req.method} {req.path}")
