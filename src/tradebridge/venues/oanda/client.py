"""A thin async client for OANDA's v20 REST and streaming API, on httpx.

One ``OandaClient`` per token: keep-alive HTTPS connections with certificate verification to the
practice or live hosts (or a base-URL override, e.g. the sandbox), at most 100 requests per
second (:class:`.ratelimit.RateLimiter`), retries with backoff and full jitter
(:class:`tradebridge.live.backoff.Backoff`) on 429 (honouring ``Retry-After``) and on 502/503/504,
and on 500 or a lost answer only where repeating is harmless (GET). Writes whose answer was lost
raise :class:`.errors.OandaConnectionError` ("outcome unknown"): the broker reconciles them by
client order id instead of sending them twice. Answers are parsed into :mod:`.models`; errors
map to :mod:`.errors`. The token is held by an auth object and appears in no repr, log or error.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from tradebridge.live.backoff import Backoff

from . import models as m
from .errors import OandaConnectionError, OandaError, OandaProtocolError, error_for
from .granularity import MAX_CANDLES, pages
from .granularity import granularity as to_granularity
from .models import rfc3339
from .ratelimit import RateLimiter, retry_after
from .stream import Stream

__all__ = ["CANCEL", "HOSTS", "OandaClient", "rfc3339"]

log = logging.getLogger(__name__)

# practice? -> (REST host, stream host)
HOSTS: dict[bool, tuple[str, str]] = {
    True: ("https://api-fxpractice.oanda.com", "https://stream-fxpractice.oanda.com"),
    False: ("https://api-fxtrade.oanda.com", "https://stream-fxtrade.oanda.com"),
}

RETRY_STATUSES = frozenset({429, 502, 503, 504})  # the request was not processed: any method may repeat
RETRY_IF_IDEMPOTENT = frozenset({500})
IDEMPOTENT = frozenset({"GET", "HEAD"})
DEFAULT_RETRY = Backoff(reconnect=4, initial=0.25, maximum=8.0, timeout=None)


class _Cancel:
    """Marker: remove a trade's dependent order (``set_trade_orders(take_profit=CANCEL)``)."""

    def __repr__(self) -> str:
        return "CANCEL"


CANCEL = _Cancel()


class _BearerAuth(httpx.Auth):
    """Adds the bearer token to each request; the only holder of the token."""

    def __init__(self, token: str) -> None:
        self.__token = token

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self.__token}"
        yield request

    def __repr__(self) -> str:
        return "<bearer token ***>"


def _seg(value: str) -> str:
    return quote(str(value), safe="@_-.:")


class OandaClient:
    """Async v20 client; use ``async with OandaClient(token, account, practice=True) as client``."""

    def __init__(self, token: str, account: str = "", *, practice: bool = False, base_url: str | None = None,
                 stream_url: str | None = None, rate_limit: int = 100, rate_period: float = 1.0,
                 retry: Backoff = DEFAULT_RETRY,
                 timeout: float = 10.0, heartbeat_timeout: float = 10.0, verify: bool = True,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        if not token:
            raise ValueError("OANDA access token is empty (pass token= or set OANDA_TOKEN)")
        rest, stream = HOSTS[bool(practice)]
        self.rest_url = (base_url or rest).rstrip("/")
        self.stream_url = (stream_url or base_url or stream).rstrip("/")
        self.account = account
        self.retry = retry
        self.heartbeat_timeout = heartbeat_timeout
        self.limiter = RateLimiter(rate_limit, rate_period, sleep=sleep)
        self._sleep = sleep
        auth = _BearerAuth(token)
        headers = {"Accept-Datetime-Format": "RFC3339", "User-Agent": "tradebridge-oanda"}
        limits = httpx.Limits(max_keepalive_connections=10, keepalive_expiry=30.0)
        self._http = httpx.AsyncClient(base_url=self.rest_url, auth=auth, headers=headers, verify=verify,
                                       timeout=timeout, limits=limits)
        self._streams = httpx.AsyncClient(base_url=self.stream_url, auth=auth, headers=headers, verify=verify,
                                          timeout=httpx.Timeout(timeout, read=None), limits=limits)

    def __repr__(self) -> str:
        return f"OandaClient(account={self.account!r}, rest={self.rest_url!r}, token=***)"

    async def __aenter__(self) -> OandaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the keep-alive connections."""
        await self._http.aclose()
        await self._streams.aclose()

    # -- the one request path ------------------------------------------------------------------

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      body: Any = None) -> dict[str, Any]:
        """One REST call under the rate limit and retry policy; the decoded JSON answer or an OandaError."""
        method = method.upper()
        endpoint = f"{method} {path}"
        delays = self.retry.delays()
        attempt = 0
        while True:
            attempt += 1
            await self.limiter.acquire()
            try:
                response = await self._http.request(method, path, params=params, json=body)
            except httpx.HTTPError as exc:
                wait = self._transport_retry(exc, method, endpoint, attempt, delays)
            else:
                if response.status_code < 400:
                    return self._decode(response, endpoint)
                wait = self._status_retry(response, method, endpoint, attempt, delays)
            log.warning("%s: retry %d in %.2f s", endpoint, attempt, wait)
            await self._sleep(wait)

    def _transport_retry(self, exc: httpx.HTTPError, method: str, endpoint: str, attempt: int,
                         delays: Any) -> float:
        safe = method in IDEMPOTENT or isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
        reason = type(exc).__name__
        if not safe:
            raise OandaConnectionError(
                f"{endpoint}: connection lost before the answer ({reason}); outcome unknown, "
                f"reconcile by client id before sending again", endpoint) from exc
        wait = None if _tls_failure(exc) else next(delays, None)  # a bad certificate stays bad
        if wait is None:
            detail = f"{reason}: {exc}" if str(exc) else reason
            raise OandaConnectionError(
                f"{endpoint}: venue unreachable ({detail}) after {attempt} attempts", endpoint) from exc
        return float(wait)

    def _status_retry(self, response: httpx.Response, method: str, endpoint: str, attempt: int,
                      delays: Any) -> float:
        status = response.status_code
        retryable = status in RETRY_STATUSES or (status in RETRY_IF_IDEMPOTENT and method in IDEMPOTENT)
        wait = next(delays, None) if retryable else None
        if wait is None:
            raise error_for(endpoint, status, self._json_or_none(response), attempt)
        hinted = retry_after(response.headers.get("Retry-After")) if status in (429, 503) else None
        return hinted if hinted is not None else float(wait)

    @staticmethod
    def _json_or_none(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    @staticmethod
    def _decode(response: httpx.Response, endpoint: str) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            snippet = response.text[:120]
            raise OandaProtocolError(f"{endpoint}: answer is not JSON: {snippet!r}", endpoint) from None
        if not isinstance(data, dict):
            raise OandaProtocolError(f"{endpoint}: answer is not a JSON object", endpoint)
        return data

    def _parse(self, model: Callable[[Any], Any], data: Any, endpoint: str) -> Any:
        try:
            return model(data)
        except m.ModelError as err:
            raise OandaProtocolError(f"{endpoint}: {err}", endpoint) from None

    def _acct(self, account: str | None) -> str:
        acct = account or self.account
        if not acct:
            raise ValueError("no OANDA account: pass account= to the client or the call")
        return f"/v3/accounts/{_seg(acct)}"

    async def _get(self, path: str, key: str | None, model: Callable[[Any], Any],
                   params: Mapping[str, Any] | None = None) -> Any:
        data = await self.request("GET", path, params=params)
        return self._parse(model, data[key] if key is not None and key in data else data, f"GET {path}")

    async def _write(self, method: str, path: str, body: Any = None) -> m.WriteResponse:
        data = await self.request(method, path, body=body)
        return self._parse(m.WriteResponse.from_json, data, f"{method} {path}")  # type: ignore[no-any-return]

    @staticmethod
    def _many(model: Callable[[Any], Any], key: str) -> Callable[[Any], list[Any]]:
        def parse(items: Any) -> list[Any]:
            if not isinstance(items, list):
                raise m.ModelError("answer", key, f"expected a list, got {type(items).__name__}")
            return [model(x) for x in items]
        return parse

    # -- accounts -------------------------------------------------------------------------------

    async def accounts(self) -> list[m.AccountProperties]:
        """The accounts the token may use."""
        parse = self._many(m.AccountProperties.from_json, "accounts")
        return await self._get("/v3/accounts", "accounts", parse)  # type: ignore[no-any-return]

    async def account_details(self, account: str | None = None) -> m.Account:
        """The full account: figures, open trades, positions, pending orders."""
        return await self._get(self._acct(account), "account", m.Account.from_json)  # type: ignore[no-any-return]

    async def account_summary(self, account: str | None = None) -> m.AccountSummary:
        """The account's figures (balance, NAV, margin available, last transaction id)."""
        return await self._get(f"{self._acct(account)}/summary", "account",  # type: ignore[no-any-return]
                               m.AccountSummary.from_json)

    async def account_changes(self, since_transaction_id: str, account: str | None = None,
                              ) -> m.AccountChangesResponse:
        """What changed since a transaction id, and the price-dependent state now."""
        params = {"sinceTransactionID": since_transaction_id}
        return await self._get(f"{self._acct(account)}/changes", None,  # type: ignore[no-any-return]
                               m.AccountChangesResponse.from_json, params)

    # -- prices and candles ---------------------------------------------------------------------

    async def pricing(self, instruments: Iterable[str], account: str | None = None) -> m.PricingResponse:
        """Current prices of some instruments."""
        params = {"instruments": ",".join(instruments)}
        return await self._get(f"{self._acct(account)}/pricing", None,  # type: ignore[no-any-return]
                               m.PricingResponse.from_json, params)

    async def candles(self, instrument: str, granularity: str | tuple[int, int] = "M1", *,
                      start: datetime | None = None, end: datetime | None = None, count: int | None = None,
                      price: str = "M", include_first: bool | None = None) -> list[m.Candlestick]:
        """Candles of an instrument, paged within v20's 5000-per-request limit.

        ``granularity`` is a v20 name or a backtrader (timeframe, compression). With ``start`` and
        ``end`` the range is split into windows; with ``start`` and ``count`` pages follow one
        another; with ``count`` alone (or with ``end``) at most 5000 candles can be asked for.
        """
        gran = granularity if isinstance(granularity, str) else to_granularity(*granularity)
        path = f"/v3/instruments/{_seg(instrument)}/candles"
        base: dict[str, Any] = {"granularity": gran, "price": price}
        if start is not None and end is not None:
            out: list[m.Candlestick] = []
            for first, (a, b) in enumerate(pages(start, end, gran)):
                params = {**base, "from": rfc3339(a), "to": rfc3339(b)}
                if first == 0 and include_first is not None:
                    params["includeFirst"] = str(include_first).lower()
                out.extend(await self._candle_page(path, params))
            return _unique_by_time(out)
        if start is not None:
            return await self._candles_forward(path, base, start, count or MAX_CANDLES, include_first)
        wanted = MAX_CANDLES if count is None else count
        if not 1 <= wanted <= MAX_CANDLES:
            raise ValueError(f"count must be 1..{MAX_CANDLES} without start (got {count}); "
                             "give start to page")
        params = {**base, "count": wanted}
        if end is not None:
            params["to"] = rfc3339(end)
        return await self._candle_page(path, params)

    async def _candles_forward(self, path: str, base: dict[str, Any], start: datetime, count: int,
                               include_first: bool | None) -> list[m.Candlestick]:
        out: list[m.Candlestick] = []
        cursor, include = rfc3339(start), include_first
        while len(out) < count:
            params = {**base, "from": cursor, "count": min(MAX_CANDLES, count - len(out))}
            if include is not None:
                params["includeFirst"] = str(include).lower()
            page = await self._candle_page(path, params)
            out.extend(page)
            if len(page) < params["count"]:
                break
            cursor, include = page[-1].time, False
        return _unique_by_time(out)

    async def _candle_page(self, path: str, params: Mapping[str, Any]) -> list[m.Candlestick]:
        answer = await self._get(path, None, m.CandlesResponse.from_json, params)
        return list(answer.candles)

    # -- transactions ---------------------------------------------------------------------------

    async def transactions_since(self, transaction_id: str, account: str | None = None,
                                 ) -> m.TransactionsResponse:
        """Every transaction after ``transaction_id`` (the replay after a reconnect or restart)."""
        return await self._get(f"{self._acct(account)}/transactions/sinceid", None,  # type: ignore[no-any-return]
                               m.TransactionsResponse.from_json, {"id": transaction_id})

    # -- orders ---------------------------------------------------------------------------------

    async def create_order(self, order: m.OrderRequest, account: str | None = None) -> m.WriteResponse:
        """Send an order; a refusal raises OandaRejectError with OANDA's rejectReason."""
        return await self._write("POST", f"{self._acct(account)}/orders", {"order": order.to_json()})

    async def replace_order(self, order_specifier: str, order: m.OrderRequest,
                            account: str | None = None) -> m.WriteResponse:
        """Replace a pending order (v20 cancels it and creates the new one)."""
        path = f"{self._acct(account)}/orders/{_seg(order_specifier)}"
        return await self._write("PUT", path, {"order": order.to_json()})

    async def cancel_order(self, order_specifier: str, account: str | None = None) -> m.WriteResponse:
        """Cancel a pending order (by id, or ``@clientID``)."""
        return await self._write("PUT", f"{self._acct(account)}/orders/{_seg(order_specifier)}/cancel")

    async def orders(self, *, state: str | None = None, instrument: str | None = None,
                     ids: Iterable[str] | None = None, account: str | None = None) -> list[m.Order]:
        """Orders of the account (pending by default, as v20 does)."""
        params = {k: v for k, v in (("state", state), ("instrument", instrument),
                                    ("ids", ",".join(ids) if ids is not None else None)) if v}
        return await self._get(f"{self._acct(account)}/orders", "orders",  # type: ignore[no-any-return]
                               self._many(m.Order.from_json, "orders"), params)

    async def pending_orders_at(self, account: str | None = None) -> tuple[list[m.Order], str | None]:
        """The pending orders and the id of the newest transaction they reflect (a consistent cut)."""
        return await self._listing(f"{self._acct(account)}/orders", "orders", m.Order.from_json,
                                   {"state": "PENDING"})

    async def open_positions_at(self, account: str | None = None) -> tuple[list[m.Position], str | None]:
        """The open positions and the id of the newest transaction they reflect."""
        return await self._listing(f"{self._acct(account)}/openPositions", "positions", m.Position.from_json)

    async def _listing(self, path: str, key: str, model: Callable[[Any], Any],
                       params: Mapping[str, Any] | None = None) -> tuple[list[Any], str | None]:
        data = await self.request("GET", path, params=params)
        items = self._parse(self._many(model, key), data.get(key) if isinstance(data, dict) else data,
                            f"GET {path}")
        last = data.get("lastTransactionID") if isinstance(data, dict) else None
        return items, (str(last) if last is not None else None)

    async def order(self, order_specifier: str, account: str | None = None) -> m.Order:
        """One order by id or ``@clientID``."""
        return await self._get(f"{self._acct(account)}/orders/{_seg(order_specifier)}", "order",  # type: ignore[no-any-return]
                               m.Order.from_json)

    # -- trades ---------------------------------------------------------------------------------

    async def trades(self, *, state: str | None = None, instrument: str | None = None,
                     account: str | None = None) -> list[m.Trade]:
        """Trades of the account (open by default, as v20 does)."""
        params = {k: v for k, v in (("state", state), ("instrument", instrument)) if v}
        return await self._get(f"{self._acct(account)}/trades", "trades",  # type: ignore[no-any-return]
                               self._many(m.Trade.from_json, "trades"), params)

    async def close_trade(self, trade_specifier: str, units: str = "ALL",
                          account: str | None = None) -> m.WriteResponse:
        """Close a trade, all of it or ``units`` of it."""
        path = f"{self._acct(account)}/trades/{_seg(trade_specifier)}/close"
        return await self._write("PUT", path, {"units": units})

    async def set_trade_orders(self, trade_specifier: str, *, take_profit: Any = None, stop_loss: Any = None,
                               trailing_stop_loss: Any = None, account: str | None = None) -> m.WriteResponse:
        """Create, replace (a details model) or cancel (``CANCEL``) a trade's TP, SL and trailing SL."""
        body: dict[str, Any] = {}
        for key, value in (("takeProfit", take_profit), ("stopLoss", stop_loss),
                           ("trailingStopLoss", trailing_stop_loss)):
            if value is CANCEL:
                body[key] = None
            elif value is not None:
                body[key] = value.to_json()
        if not body:
            raise ValueError("set_trade_orders: give take_profit, stop_loss or trailing_stop_loss")
        return await self._write("PUT", f"{self._acct(account)}/trades/{_seg(trade_specifier)}/orders", body)

    # -- positions ------------------------------------------------------------------------------

    async def positions(self, *, open_only: bool = False, account: str | None = None) -> list[m.Position]:
        """Positions of the account (every instrument ever traded, or open ones only)."""
        path = f"{self._acct(account)}/{'openPositions' if open_only else 'positions'}"
        return await self._get(path, "positions", self._many(m.Position.from_json, "positions"))  # type: ignore[no-any-return]

    async def position(self, instrument: str, account: str | None = None) -> m.Position:
        """The position in one instrument."""
        return await self._get(f"{self._acct(account)}/positions/{_seg(instrument)}", "position",  # type: ignore[no-any-return]
                               m.Position.from_json)

    async def close_position(self, instrument: str, *, long_units: str | None = None,
                             short_units: str | None = None, account: str | None = None) -> m.WriteResponse:
        """Close the long and/or short side of a position ("ALL" or a number of units)."""
        body = {k: v for k, v in (("longUnits", long_units), ("shortUnits", short_units)) if v is not None}
        if not body:
            raise ValueError("close_position: give long_units and/or short_units ('ALL' or units)")
        return await self._write("PUT", f"{self._acct(account)}/positions/{_seg(instrument)}/close", body)

    # -- streams --------------------------------------------------------------------------------

    def pricing_stream(self, instruments: Iterable[str], *, snapshot: bool = True, heartbeats: bool = False,
                       account: str | None = None, **options: Any) -> Stream:
        """Prices as they change (ClientPrice; heartbeats too if asked), reopened when it dies."""
        path = f"{self._acct(account)}/pricing/stream"
        params = {"instruments": ",".join(instruments), "snapshot": str(snapshot).lower()}
        return self._stream(path, params, heartbeats, options)

    def transaction_stream(self, *, heartbeats: bool = False, account: str | None = None,
                           **options: Any) -> Stream:
        """Transactions as they happen, reopened when it dies (replay the gap with transactions_since)."""
        return self._stream(f"{self._acct(account)}/transactions/stream", {}, heartbeats, options)

    def _stream(self, path: str, params: dict[str, Any], heartbeats: bool, options: dict[str, Any]) -> Stream:
        options.setdefault("heartbeat_timeout", self.heartbeat_timeout)
        options.setdefault("retry", self.retry)
        options.setdefault("sleep", self._sleep)
        return Stream(self._streams, path, params, heartbeats=heartbeats, **options)


def _tls_failure(exc: BaseException) -> bool:
    """Whether a transport error comes from TLS (certificate or handshake), which retrying cannot fix."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _unique_by_time(candles: list[m.Candlestick]) -> list[m.Candlestick]:
    seen: set[str] = set()
    out = []
    for candle in candles:
        if candle.time not in seen:
            seen.add(candle.time)
            out.append(candle)
    return out


__all__ += ["OandaError"]
