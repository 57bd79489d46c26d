"""The v20 sandbox server: state, streams, the clock, and how to run it (in a loop or a thread).

``async with OandaSandbox(port=0) as sb:`` serves on loopback; ``sb.step()`` replays the next bar
(prices, candles, matching, streams), ``sb.faults`` injects faults. :class:`ThreadedOandaSandbox`
runs the same server on its own thread for synchronous code (OANDA's ``v20`` client).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from .account import Account
from .book import amount, render
from .data import BUNDLED, Series, bundled_series
from .faults import Faults, RateLimit
from .http import DROP, Request, Response, StreamResponse, serve_connection
from .pricing import TIME_FORMAT, Market
from .routes import dispatch

__all__ = ["DEFAULT_ACCOUNT", "OandaSandbox", "SandboxState", "ThreadedOandaSandbox"]

log = logging.getLogger(__name__)

DEFAULT_ACCOUNT = "101-001-0000001-001"
_MALFORMED = b'{"type":"PRICE","instrument":"EUR_USD","bids":[{"price":\n'


class SandboxState:
    """Everything the endpoints read and change; it outlives client connections."""

    def __init__(
        self,
        series: Mapping[str, Series] | None = None,
        *,
        account_id: str = DEFAULT_ACCOUNT,
        balance: float = 100_000.0,
        token: str | None = None,
        commission: float = 0.0,
        start: float | None = None,
        heartbeat: float = 5.0,
        transaction_heartbeat: float | None = None,
        rate_limit: float | None = None,
    ) -> None:
        self.market = Market(series or {n: bundled_series(n) for n in BUNDLED}, start)
        self.account = Account(self.market, account_id, balance, commission=commission)
        self.token = token
        self.faults = Faults()
        self.rate_limit = RateLimit(rate_limit) if rate_limit else None
        self.heartbeat = heartbeat
        self.transaction_heartbeat = heartbeat if transaction_heartbeat is None else transaction_heartbeat
        self._price_queues: set[asyncio.Queue[Any]] = set()
        self._txn_queues: set[asyncio.Queue[Any]] = set()
        self.account.listeners.append(self._on_transaction)

    def __repr__(self) -> str:
        guarded = "a token" if self.token else "any token"
        return f"<SandboxState account={self.account.id} accepts {guarded}>"

    def step(self, n: int = 1) -> int:
        """Replay the next ``n`` bars; how many were replayed (fewer once the data ends)."""
        done = 0
        for _ in range(n):
            updated = self.market.step()
            if not updated:
                break
            self.account.on_step(updated)
            self.faults.on_step()
            for queue in list(self._price_queues):
                queue.put_nowait(updated)
            done += 1
        return done

    def _on_transaction(self, txn: dict[str, Any]) -> None:
        for queue in list(self._txn_queues):
            queue.put_nowait(txn)

    def home_conversions(self) -> list[dict[str, str]]:
        currencies = sorted({c for n in self.account.specs for c in n.split("_")})
        out = []
        for cur in currencies:
            rate = self.market.to_home(cur, self.account.currency)
            out.append(
                {
                    "currency": cur,
                    "accountGain": f"{rate:.8f}",
                    "accountLoss": f"{rate:.8f}",
                    "positionValue": f"{rate:.8f}",
                }
            )
        return out

    def changes(self, since: int) -> dict[str, Any]:
        """The ``changes`` and ``state`` of GET /changes since transaction ``since``."""
        acct = self.account
        newer = [t for t in acct.txns[since:]]

        def after(value: Any) -> bool:
            return value is not None and int(value) > since

        orders = list(acct.orders.values())
        trades = list(acct.trades.values())
        touched = {t["instrument"] for t in newer if "instrument" in t}
        changes = {
            "ordersCreated": [acct.order_json(o) for o in orders if after(o.id)],
            "ordersCancelled": [
                acct.order_json(o) for o in orders if after(o.result.get("cancellingTransactionID"))
            ],
            "ordersFilled": [
                acct.order_json(o) for o in orders if after(o.result.get("fillingTransactionID"))
            ],
            "ordersTriggered": [],
            "tradesOpened": [acct.trade_json(t, summary=True) for t in trades if after(t.id)],
            "tradesReduced": [
                acct.trade_json(t, summary=True)
                for t in trades
                if t.state == "OPEN" and any(after(i) for i in t.closing_ids)
            ],
            "tradesClosed": [
                acct.trade_json(t, summary=True)
                for t in trades
                if t.state == "CLOSED" and after(t.closing_ids[-1] if t.closing_ids else None)
            ],
            "positions": [acct.position_json(n) for n in sorted(touched)],
            "transactions": [render(t) for t in newer],
        }
        summary = acct.summary()
        state_keys = (
            "unrealizedPL",
            "NAV",
            "marginUsed",
            "marginAvailable",
            "positionValue",
            "marginCloseoutUnrealizedPL",
            "marginCloseoutNAV",
            "marginCloseoutMarginUsed",
            "marginCloseoutPercent",
            "marginCloseoutPositionValue",
            "withdrawalLimit",
            "marginCallMarginUsed",
            "marginCallPercent",
        )
        state = {k: summary[k] for k in state_keys}
        state.update(self._dynamic_state())
        return {"changes": changes, "state": state}

    def _dynamic_state(self) -> dict[str, Any]:
        """Price-dependent state of trailing stops, open trades and positions (``AccountChangesState``)."""
        acct = self.account
        orders = [
            {"id": o.id, "trailingStopValue": acct.order_json(o)["trailingStopValue"]}
            for o in acct.pending()
            if o.type == "TRAILING_STOP_LOSS"
        ]
        trades = [
            {
                "id": t.id,
                "unrealizedPL": amount(acct.unrealized(t)),
                "marginUsed": amount(acct.margin(t.instrument, t.current_units)),
            }
            for t in acct.open_trades()
        ]
        positions = []
        for name in sorted({t.instrument for t in acct.open_trades()}):
            pos = acct.position_json(name)
            positions.append(
                {
                    "instrument": name,
                    "netUnrealizedPL": pos["unrealizedPL"],
                    "longUnrealizedPL": pos["long"]["unrealizedPL"],
                    "shortUnrealizedPL": pos["short"]["unrealizedPL"],
                    "marginUsed": pos["marginUsed"],
                }
            )
        return {"orders": orders, "trades": trades, "positions": positions}

    # -- streams --------------------------------------------------------------------------

    def _line(self, kind: str, payload: dict[str, Any]) -> bytes:
        if self.faults.take_malformed(kind):
            return _MALFORMED
        return json.dumps(payload, separators=(",", ":")).encode() + b"\n"

    async def pricing_lines(self, names: list[str]) -> AsyncIterator[bytes]:
        """The pricing stream: current prices, then each replayed price, heartbeats in between."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._price_queues.add(queue)
        try:
            for name in names:
                yield self._line("pricing", self.market.client_price(name, self.account.currency))
            while True:
                try:
                    updated = await asyncio.wait_for(queue.get(), self.heartbeat)
                except TimeoutError:
                    yield self._line(
                        "pricing", {"type": "HEARTBEAT", "time": render({"time": self.market.clock})["time"]}
                    )
                    continue
                for name in names:
                    if name in updated:
                        yield self._line("pricing", self.market.client_price(name, self.account.currency))
        finally:
            self._price_queues.discard(queue)

    async def transaction_lines(self) -> AsyncIterator[bytes]:
        """The transaction stream: each new transaction, heartbeats (with lastTransactionID) between."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._txn_queues.add(queue)
        try:
            while True:
                try:
                    txn = await asyncio.wait_for(queue.get(), self.transaction_heartbeat)
                except TimeoutError:
                    yield self._line(
                        "transactions",
                        {
                            "type": "HEARTBEAT",
                            "lastTransactionID": self.account.last_id,
                            "time": render({"time": self.market.clock})["time"],
                        },
                    )
                    continue
                yield self._line("transactions", render(txn))
        finally:
            self._txn_queues.discard(queue)

    # -- HTTP -----------------------------------------------------------------------------

    async def handle(self, req: Request) -> Response | StreamResponse:
        """One request: the rate limit and faults first (error answer, delay), then the endpoint."""
        wait = self.rate_limit.check(time.monotonic()) if self.rate_limit else None
        if wait is not None:
            return Response(
                429, {"errorMessage": "Requests are being rate limited"}, {"Retry-After": f"{wait:.3f}"}
            )
        injected = self.faults.error_for(req.path)
        if injected is not None:
            status, headers, body = injected
            return Response(status, body, headers)
        delay = self.faults.delay_for(req.path)
        if delay:
            await asyncio.sleep(delay)
        fmt = "UNIX" if req.headers.get("accept-datetime-format", "").upper() == "UNIX" else "RFC3339"
        token = TIME_FORMAT.set(fmt)
        try:
            resp = dispatch(self, req)
        except Exception as exc:  # noqa: BLE001 - a sandbox bug answers 500 instead of dropping the client
            resp = Response(500, {"errorMessage": f"sandbox internal error: {type(exc).__name__}: {exc}"})
        finally:
            TIME_FORMAT.reset(token)
        if isinstance(resp, StreamResponse):
            resp.lines = _with_format(resp.lines, fmt)
        elif self.faults.drop_for(req.path):
            return Response(DROP, None)
        return resp


async def _with_format(lines: AsyncIterator[bytes], fmt: str) -> AsyncIterator[bytes]:
    """Run a stream's generator with the request's time format."""
    TIME_FORMAT.set(fmt)
    try:
        async for line in lines:
            yield line
    finally:
        aclose = getattr(lines, "aclose", None)
        if aclose is not None:
            await aclose()


class OandaSandbox:
    """The sandbox on loopback in the running event loop: ``async with OandaSandbox(port=0) as sb``."""

    def __init__(
        self,
        series: Mapping[str, Series] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        **options: Any,
    ) -> None:
        self.state = SandboxState(series, **options)
        self.host, self.port = host, port
        self._server: asyncio.base_events.Server | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    def __repr__(self) -> str:
        return f"<OandaSandbox {self.url} account={self.account_id}>"

    @property
    def url(self) -> str:
        """Base URL of the REST and stream endpoints (the sandbox serves both on one port)."""
        return f"http://{self.host}:{self.port}"

    @property
    def account_id(self) -> str:
        return self.state.account.id

    @property
    def faults(self) -> Faults:
        return self.state.faults

    def step(self, n: int = 1) -> int:
        """Replay ``n`` bars (call from the loop the sandbox runs in)."""
        return self.state.step(n)

    async def start(self) -> OandaSandbox:
        self._server = await asyncio.start_server(self._client, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._conns.add(writer)
        if task is not None:
            self._tasks.add(task)
        try:
            await serve_connection(reader, writer, self.state.handle, self.state.faults.register)
        finally:
            self._conns.discard(writer)
            self._tasks.discard(task)  # type: ignore[arg-type]

    async def stop(self) -> None:
        """Close the listener and every connection."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._conns):
                writer.transport.abort()  # the connection's reads end; its task finishes by itself
            if self._tasks:
                await asyncio.wait(list(self._tasks), timeout=5)
            await self._server.wait_closed()
            self._server = None

    async def serve(self, pace: float | None = None) -> None:
        """Run until cancelled; with ``pace`` seconds, replay one bar every ``pace`` seconds (when the
        data ends, prices stay where they are and streams go on with heartbeats)."""
        ended = False
        while True:
            await asyncio.sleep(pace or 3600.0)
            if pace and not self.step() and not ended:
                ended = True
                log.warning("OANDA sandbox: the replayed data ended; prices stay at the last bar")

    async def __aenter__(self) -> OandaSandbox:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


class ThreadedOandaSandbox:
    """The sandbox on its own thread and event loop, for synchronous clients and tests."""

    def __init__(self, series: Mapping[str, Series] | None = None, **options: Any) -> None:
        self._sandbox = OandaSandbox(series, **options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="oanda-sandbox", daemon=True)

    def __repr__(self) -> str:
        return f"<ThreadedOandaSandbox {self.url}>"

    def start(self) -> ThreadedOandaSandbox:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._sandbox.start(), self._loop).result(10)
        return self

    @property
    def url(self) -> str:
        return self._sandbox.url

    @property
    def urls(self) -> tuple[str, str]:
        """(REST base URL, stream base URL)."""
        return self.url, self.url

    @property
    def port(self) -> int:
        return self._sandbox.port

    @property
    def account_id(self) -> str:
        return self._sandbox.account_id

    @property
    def state(self) -> SandboxState:
        return self._sandbox.state

    def call(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` on the sandbox's loop and return its result."""

        async def run() -> Any:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def step(self, n: int = 1) -> int:
        return self.call(self._sandbox.step, n)

    def faults(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``Faults.<method>`` on the sandbox's loop (e.g. ``faults('throttle', count=2)``)."""
        return self.call(lambda: getattr(self._sandbox.faults, method)(*args, **kwargs))

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._sandbox.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> ThreadedOandaSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def iter_series(paths: Iterable[str]) -> dict[str, Series]:
    """Series from CSV files (see :func:`.data.load_csv`), keyed by instrument."""
    from .data import load_csv

    out = {}
    for path in paths:
        series = load_csv(path)
        out[series.spec.name] = series
    return out
