"""The IB sandbox server: a TWS API endpoint on loopback for tests and paper trading.

``SandboxServer`` accepts many clients at once (each a ``Session``), keeps the venue state in
one ``Exchange`` while clients come and go, and drives it with bars from ``MarketData``.
Time is the sandbox's own: each ``step()`` produces one 5-second bar per instrument, so tests
decide when bars happen; with ``bar_interval`` set, a background task steps on its own (5.0 is
real time, smaller is faster). ``faults`` arms fault injection (see ``faults.py``).

    async with SandboxServer(port=0) as srv:
        ib.connectAsync(srv.host, srv.port, clientId=1)
        await srv.step(3)

``start_in_thread()`` hosts a server on its own event loop thread for synchronous callers.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import logging
import threading
import time
import zlib
from collections.abc import Coroutine, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from ..protocol import MAX_VERSION, MIN_VERSION
from ..protocol.responses import TICK
from .events import UNSET_DOUBLE, AccountValue, Bar, Contract, ExecutionEvent, OpenOrder, OrderStatus
from .faults import CONNECTIVITY_TEXT, PACING_TEXT, DropPoint, FaultPlan
from .feeds import (
    RT_BAR_SECONDS,
    DataError,
    MarketData,
    Tape,
    bar_seconds,
    load_csv,
    parse_duration,
)
from .instruments import Instrument, default_instruments
from .listener import Listener
from .messages import (
    contract_details,
    event_message,
    exec_filter,
    ib_time,
    order_request,
    parse_ib_time,
)
from .session import Session

__all__ = ["SandboxServer", "ThreadedSandbox", "start_in_thread", "instrument_named"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_HISTORY_ERROR = 162
_NO_SECURITY = 200
_WHATS = {"TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST"}


def instrument_named(name: str) -> Instrument:
    """An instrument for a data name (a file's stem): ``EUR.USD`` is forex (IDEALPRO), others stock."""
    stem = name.upper()
    con_id = zlib.crc32(stem.encode()) % 90_000_000 + 10_000_000
    if "." in stem:
        base, quote = stem.split(".", 1)
        return Instrument(Contract(con_id=con_id, symbol=base, sec_type="CASH", exchange="IDEALPRO",
                                   currency=quote, local_symbol=stem, trading_class=stem),
                          min_tick=0.00005, session_end=_dt.time(17, 0))
    return Instrument(Contract(con_id=con_id, symbol=stem, sec_type="STK", exchange="SMART",
                               currency="USD", primary_exchange="NASDAQ", local_symbol=stem,
                               trading_class="NMS"))


class SandboxServer:
    """A TWS API server on loopback with an exchange, market data and fault injection."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 account: str = "DU000001",
                 data: Iterable[str | Path] | Mapping[str, pd.DataFrame] = (),
                 start: _dt.datetime | float | None = None, bar_interval: float | None = None,
                 exchange: Any = None, cash: float = 1_000_000.0, liquidity: Any = None,
                 versions: tuple[int, int] = (MIN_VERSION, MAX_VERSION)) -> None:
        self._host, self._port = host, port
        if not MIN_VERSION <= versions[0] <= versions[1] <= MAX_VERSION:
            raise ValueError(f"versions {versions} must lie within {MIN_VERSION}..{MAX_VERSION}")
        self.versions = versions
        if not account or not account.isalnum():
            raise ValueError(f"account id must be letters and digits, got {account!r}")
        self.accounts = [account]
        t0 = start.timestamp() if isinstance(start, _dt.datetime) else start
        frames, self.instruments = self._load_data(data)
        self.market = MarketData(int(t0 if t0 is not None else time.time()), frames)
        for inst in self.instruments.values():
            self.market.ensure(inst.symbol, inst.contract.sec_type)
        self.steps = 0
        self.bar_interval = bar_interval
        self.faults = FaultPlan()
        self.exchange = (exchange if exchange is not None
                         else self._make_exchange(account, cash, liquidity))
        self._prime()
        self.sessions: dict[int, Session] = {}
        self._all_sessions: set[Session] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._listener = Listener(self._accept)
        self._stopping = False

    # --- set-up ---------------------------------------------------------------------------
    @staticmethod
    def _load_data(data: Iterable[str | Path] | Mapping[str, pd.DataFrame]
                   ) -> tuple[dict[str, pd.DataFrame], dict[str, Instrument]]:
        instruments = {inst.symbol: inst for inst in default_instruments()}
        frames: dict[str, pd.DataFrame] = {}
        items = (data.items() if isinstance(data, Mapping)
                 else ((Path(p).stem, load_csv(p)) for p in data))
        for name, frame in items:
            inst = instrument_named(name)
            inst = instruments.setdefault(inst.symbol, inst)
            frames[inst.symbol] = frame
        return frames, instruments

    def _make_exchange(self, account: str, cash: float, liquidity: Any) -> Any:
        from .exchange import Exchange

        return Exchange(list(self.instruments.values()), account=account, cash=cash,
                        liquidity=liquidity, epoch=int(time.time()))

    def _prime(self) -> None:
        """Show the exchange each instrument's opening price as a bar ending at the start time,
        so orders placed before the first step know the time and price."""
        t0 = _dt.datetime.fromtimestamp(self.market.t0, _dt.UTC)
        for symbol, tape in self.market.tapes.items():
            p = tape.price
            self.exchange.on_bar(symbol, Bar(t0, p, p, p, p, 0.0))

    @property
    def account(self) -> str:
        """The account id the sandbox manages."""
        return self.accounts[0]

    @property
    def host(self) -> str:
        """The address the server listens on."""
        return self._host

    @property
    def port(self) -> int:
        """The port it listens on (the real one when constructed with port 0)."""
        return self._port

    async def start(self) -> SandboxServer:
        """Start listening (and the bar clock when ``bar_interval`` is set)."""
        self._listener, self._stopping = Listener(self._accept), False
        self._port = await self._listener.start(self._host, self._port)
        if self.bar_interval:
            self._ticker = asyncio.create_task(self._tick_forever(self.bar_interval))
        log.info("IB sandbox listening on %s:%d", self._host, self._port)
        return self

    async def stop(self) -> None:
        """Stop listening first (a client reconnecting meanwhile is refused), then close every
        connection; no socket or session task is left when this returns."""
        if self._ticker is not None:
            self._ticker.cancel()
        self._stopping = True
        await self._listener.stop_listening()
        for session in list(self._all_sessions):
            session.drop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._listener.close()

    async def stop_listening(self) -> None:
        """Refuse new connections (reconnects fail) while the connected clients stay connected."""
        await self._listener.stop_listening()

    async def __aenter__(self) -> SandboxServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def serve_forever(self) -> None:
        """Run until cancelled (then stop)."""
        if not self._listener.listening:
            await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session(self, reader, writer)
        self._all_sessions.add(session)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await session.run()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]

    def _client_in_use(self, client_id: int) -> bool:
        return client_id in self.sessions and not self.sessions[client_id].closed

    def _register(self, session: Session) -> None:
        assert session.client_id is not None
        self.sessions[session.client_id] = session
        self.exchange.connect(session.client_id)

    def _forget(self, session: Session) -> None:
        self._all_sessions.discard(session)
        if session.client_id is not None and self.sessions.get(session.client_id) is session:
            del self.sessions[session.client_id]
            self.exchange.disconnect(session.client_id)

    # --- time -----------------------------------------------------------------------------
    def now(self) -> _dt.datetime:
        """Sandbox time: the end of the last bar produced."""
        return _dt.datetime.fromtimestamp(self.market.t0 + RT_BAR_SECONDS * self.steps, _dt.UTC)

    def conn_time(self) -> str:
        """The connection time the handshake reports."""
        return f"{self.now():%Y%m%d %H:%M:%S} UTC"

    async def _tick_forever(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.step()
            except Exception:  # one bad bar must not stop the clock of a running sandbox
                log.exception("sandbox: step %d failed", self.steps)

    async def step(self, n: int = 1) -> None:
        """Produce ``n`` 5-second bars per instrument, feeding the exchange and subscribers."""
        for _ in range(n):
            self.steps += 1
            for symbol, tape in self.market.tapes.items():
                bar = tape.advance()
                if bar is None:
                    continue
                # clients see bars stamped with their start (IB's real-time bars), the exchange
                # with their end, as backtrader stamps intraday bars (MOC fills on 16:00:00)
                ended = Bar(bar.time + _dt.timedelta(seconds=RT_BAR_SECONDS), bar.open, bar.high,
                            bar.low, bar.close, bar.volume)
                self.dispatch(self.exchange.on_bar(symbol, ended))
                self._stream(symbol, tape, bar)
        await self.flush()

    async def until(self, predicate: Any, timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` is true (a request has arrived, a client connected, ...)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"sandbox: condition not met within {timeout} s")
            await asyncio.sleep(0.005)

    async def flush(self) -> None:
        """Wait until every connected client has been sent what is queued for it."""
        await asyncio.gather(*(s.flush() for s in list(self._all_sessions)))

    def _stream(self, symbol: str, tape: Tape, bar: Bar) -> None:
        inst = self.instruments.get(symbol)
        for session in list(self.sessions.values()):
            for req_id, sym in list(session.rt_bars.items()):
                if sym == symbol:
                    wap = round((bar.high + bar.low + bar.close) / 3, 6)
                    session.send("realtimeBar", reqId=req_id, time=int(bar.time.timestamp()),
                                 open=bar.open, high=bar.high, low=bar.low, close=bar.close,
                                 volume=bar.volume, wap=wap, count=max(1, int(bar.volume // 100)))
            if inst is not None:
                for req_id, sym in list(session.mkt_data.items()):
                    if sym == symbol:
                        self.send_quote(session, req_id, inst)
                for req_id, (sym, secs) in list(session.history_live.items()):
                    if sym == symbol:
                        self._history_update(session, req_id, inst, tape, secs)

    # --- contracts ------------------------------------------------------------------------
    def find_instruments(self, v: Mapping[str, Any]) -> list[Instrument]:
        """Listed instruments matching a request's contract fields."""
        out = []
        for inst in self.instruments.values():
            c = inst.contract
            if v.get("conId"):
                if v["conId"] == c.con_id:
                    out.append(inst)
                continue
            local = v.get("localSymbol") or ""
            if local and local.upper() != c.local_symbol.upper():
                continue
            if not local and (v.get("symbol") or "").upper() != c.symbol.upper():
                continue
            if v.get("secType") and v["secType"] != c.sec_type:
                continue
            if v.get("currency") and v["currency"].upper() != c.currency.upper():
                continue
            out.append(inst)
        return out

    def resolve(self, session: Session, req_id: int, v: Mapping[str, Any]) -> Instrument | None:
        """The one instrument a request names, or None after sending error 200."""
        found = self.find_instruments(v)
        if len(found) != 1:
            text = ("No security definition has been found for the request" if not found else
                    "The contract description specified is ambiguous")
            session.error(req_id, _NO_SECURITY, text)
            return None
        return found[0]

    def details_values(self, req_id: int, inst: Instrument) -> dict[str, Any]:
        """contractDetails values of ``inst``."""
        return contract_details(req_id, inst.contract, inst.min_tick, inst.tz, self.now().date())

    # --- market data ----------------------------------------------------------------------
    def send_quote(self, session: Session, req_id: int, inst: Instrument, first: bool = False) -> None:
        """Ticks for ``inst`` around its last price: bid/ask (and last for non-forex)."""
        tape = self.market.tapes[inst.symbol]
        price = tape.last_price
        tick = inst.min_tick
        size = 100.0 if inst.contract.sec_type == "STK" else 1_000_000.0
        digits = 2 if tick >= 0.01 else 5
        if first:
            session.send("tickReqParams", reqId=req_id, minTick=tick, bboExchange="9c0001",
                         snapshotPermissions=3)
            session.send("marketDataType", reqId=req_id, marketDataType=1)
        session.send("tickPrice", reqId=req_id, tickType=TICK["BID"], price=round(price - tick, digits),
                     size=size, attrMask=0)
        session.send("tickPrice", reqId=req_id, tickType=TICK["ASK"], price=round(price + tick, digits),
                     size=size, attrMask=0)
        if inst.contract.sec_type != "CASH":
            last = tape.live[-1] if tape.live else None
            session.send("tickPrice", reqId=req_id, tickType=TICK["LAST"], price=price,
                         size=last.volume if last else size, attrMask=0)
            stamp = int((last.time.timestamp() + RT_BAR_SECONDS) if last else tape.t0)
            session.send("tickString", reqId=req_id, tickType=TICK["LAST_TIMESTAMP"], value=str(stamp))
            session.send("tickSize", reqId=req_id, tickType=TICK["VOLUME"], size=tape.volume)
            if last is not None and req_id in session.rt_volume:
                wap = round((last.high + last.low + last.close) / 3, 6)
                session.send("tickString", reqId=req_id, tickType=TICK["RT_VOLUME"],
                             value=f"{price};{last.volume:g};{stamp * 1000};{tape.volume:g};{wap};false")
        if first:
            session.send("tickPrice", reqId=req_id, tickType=TICK["CLOSE"], price=tape.price,
                         size=0.0, attrMask=0)

    def _history_bars(self, inst: Instrument, v: Mapping[str, Any]) -> tuple[list[Bar], int, _dt.datetime]:
        what = (v.get("whatToShow") or "TRADES").upper()
        if what not in _WHATS:
            raise DataError(f"whatToShow {what!r} is not served (served: {', '.join(sorted(_WHATS))})")
        if what == "TRADES" and inst.contract.sec_type == "CASH":
            raise DataError(f"No historical market data for {inst.contract.symbol}/CASH@IDEALPRO "
                            "TRADES (forex has no trades: use MIDPOINT, BID or ASK)")
        seconds = bar_seconds(v.get("barSizeSetting") or "")
        duration = parse_duration(v.get("durationStr") or "")
        end = _parse_end(v.get("endDateTime") or "", self.now())
        return self.market.tapes[inst.symbol].history(end, duration, seconds), seconds, end

    def serve_history(self, session: Session, v: Mapping[str, Any]) -> None:
        """Answer reqHistoricalData (error 162 on a pacing fault or data the sandbox lacks)."""
        req_id = v["reqId"]
        if self.faults.take_pacing():
            session.error(req_id, _HISTORY_ERROR, PACING_TEXT)
            return
        inst = self.resolve(session, req_id, v)
        if inst is None:
            return
        try:
            bars, seconds, end = self._history_bars(inst, v)
        except DataError as exc:
            session.error(req_id, _HISTORY_ERROR, f"Historical Market Data Service error message:{exc}")
            return
        fmt = v.get("formatDate") or 1
        start = bars[0].time if bars else end
        session.send("historicalData", reqId=req_id, startDateStr=_bar_date(start, 0, fmt, inst.tz),
                     endDateStr=_bar_date(end, 0, fmt, inst.tz),
                     bars=[_bar_values(b, seconds, fmt, inst.tz) for b in bars])
        if v.get("keepUpToDate"):
            session.history_live[req_id] = (inst.symbol, seconds)

    def _history_update(self, session: Session, req_id: int, inst: Instrument, tape: Tape,
                        seconds: int) -> None:
        last = tape.live[-1]
        bucket = int(last.time.timestamp()) // seconds * seconds
        bars = tape.history(last.time + _dt.timedelta(seconds=RT_BAR_SECONDS),
                            int(last.time.timestamp()) + RT_BAR_SECONDS - bucket, seconds)
        if bars:
            b = _bar_values(bars[-1], seconds, 1, inst.tz)
            session.send("historicalDataUpdate", reqId=req_id, barCount=b["barCount"], date=b["date"],
                         open=b["open"], close=b["close"], high=b["high"], low=b["low"],
                         wap=b["wap"], volume=b["volume"])

    def serve_head_timestamp(self, session: Session, v: Mapping[str, Any]) -> None:
        """Answer reqHeadTimeStamp: the first bar the sandbox can serve."""
        inst = self.resolve(session, v["reqId"], v)
        if inst is None:
            return
        tape = self.market.tapes[inst.symbol]
        first = (tape.frame.index[0].to_pydatetime() if tape.frame is not None
                 else _dt.datetime.fromtimestamp(tape.t0, _dt.UTC) - _dt.timedelta(days=365 * 20))
        session.send("headTimestamp", reqId=v["reqId"],
                     headTimestamp=_bar_date(first, 0, v.get("formatDate") or 1, inst.tz))

    # --- orders ---------------------------------------------------------------------------
    def next_order_id(self, client_id: int) -> int:
        """The next order id a client may use (above every id it used before)."""
        return int(self.exchange.next_valid_id(client_id))

    def place_order(self, session: Session, v: Mapping[str, Any]) -> None:
        """placeOrder: hand the order to the exchange and send the events it produces."""
        client_id = session.client_id or 0
        order_id = v["orderId"]
        found = self.find_instruments(v)
        if len(found) != 1:
            session.error(order_id, _NO_SECURITY, "No security definition has been found for the request")
            return
        request = order_request(v)
        if v.get("whatIf"):
            session.emit(self._what_if(session.client_id or 0, order_id, found[0], request))
            return
        reason = self.faults.take_reject()
        if reason is not None:
            self.exchange.reject_next(reason)
        events = self.exchange.place(client_id, order_id, found[0].contract, request)
        if self.faults.take_drop(DropPoint.BEFORE_ACK, client_id):
            session.drop_after_queued()
        self.dispatch(events)

    def _what_if(self, client_id: int, order_id: int, inst: Instrument,
                 request: Any) -> tuple[str, dict[str, Any]]:
        """A what-if order's answer: an openOrder with the margin and commission it would take;
        nothing is placed. Margin is the order's value (a cash account)."""
        price = request.lmt_price or request.aux_price or self.market.tapes[inst.symbol].last_price
        value = request.total_quantity * price * inst.multiplier
        plan = self.exchange.plans.get(inst.contract.sec_type)
        commission = (plan.due(plan.scheme.getcommission(request.total_quantity, price), value)
                      if plan else None)
        account = {ev.key: float(ev.value) for ev in self.exchange.account_snapshot(client_id)
                   if isinstance(ev, AccountValue) and ev.currency == inst.contract.currency
                   and ev.key in ("NetLiquidation", "InitMarginReq", "MaintMarginReq")}
        equity = account.get("NetLiquidation", 0.0)
        init, maint = account.get("InitMarginReq", 0.0), account.get("MaintMarginReq", 0.0)
        event = OpenOrder(order_id, client_id, 0, inst.contract, request, "PreSubmitted", 0.0,
                          request.total_quantity, commission=commission if commission is not None
                          else UNSET_DOUBLE, commission_currency=inst.contract.currency)
        name, values = event_message(event)
        fmt = "{:.2f}".format
        values.update(whatIf=True, initMarginBefore=fmt(init), maintMarginBefore=fmt(maint),
                      equityWithLoanBefore=fmt(equity), initMarginChange=fmt(value),
                      maintMarginChange=fmt(value), equityWithLoanChange=fmt(-(commission or 0.0)),
                      initMarginAfter=fmt(init + value), maintMarginAfter=fmt(maint + value),
                      equityWithLoanAfter=fmt(equity - (commission or 0.0)))
        return name, values

    def cancel_order(self, session: Session, order_id: int) -> None:
        """cancelOrder."""
        self.dispatch(self.exchange.cancel(session.client_id or 0, order_id))

    def global_cancel(self, session: Session) -> None:
        """reqGlobalCancel: cancel every open order of every client."""
        self.dispatch(self.exchange.cancel_all())

    def send_open_orders(self, session: Session, all_clients: bool) -> None:
        """reqOpenOrders / reqAllOpenOrders: openOrder + orderStatus each, then openOrderEnd."""
        for event in self.exchange.open_orders(session.client_id or 0, all_clients):
            session.emit(event_message(event))
        session.send("openOrderEnd")

    def send_completed_orders(self, session: Session, api_only: bool) -> None:
        """reqCompletedOrders: completedOrder each, then completedOrdersEnd."""
        for event in self.exchange.completed_orders(session.client_id or 0):
            session.emit(event_message(event))
        session.send("completedOrdersEnd")

    def send_executions(self, session: Session, v: Mapping[str, Any]) -> None:
        """reqExecutions: execDetails + commissionReport each, then execDetailsEnd."""
        req_id = v["reqId"]
        for event in self.exchange.executions_for(session.client_id or 0, req_id, exec_filter(v)):
            session.emit(event_message(event))
        session.send("execDetailsEnd", reqId=req_id)

    def send_positions(self, session: Session, on: bool) -> None:
        """reqPositions (position each, then positionEnd, then updates) / cancelPositions."""
        for event in self.exchange.subscribe_positions(session.client_id or 0, on):
            session.emit(event_message(event))
        if on:
            session.send("positionEnd")

    def send_account(self, session: Session, account: str, on: bool) -> None:
        """reqAccountUpdates: values and portfolio, then accountDownloadEnd, then updates."""
        if on and account not in self.accounts:
            session.error(-1, 321, f"Error validating request: account {account!r} is not managed "
                                   f"here (accounts: {', '.join(self.accounts)})")
            return
        for event in self.exchange.subscribe_account(session.client_id or 0, on):
            session.emit(event_message(event))
        if on:
            session.send("updateAccountTime", timeStamp=f"{self.now():%H:%M}")
            session.send("accountDownloadEnd", accountName=account)

    def _account_values(self, session: Session) -> list[dict[str, Any]]:
        out = []
        for event in self.exchange.account_snapshot(session.client_id or 0):
            name, values = event_message(event)
            if name == "updateAccountValue":
                out.append(values)
        return out

    def send_account_summary(self, session: Session, req_id: int, tags: str) -> None:
        """reqAccountSummary: the requested tags of every account, then accountSummaryEnd."""
        wanted = {t.strip() for t in tags.split(",") if t.strip()}
        for values in self._account_values(session):
            if not wanted or values["key"] in wanted:
                session.send("accountSummary", reqId=req_id, account=values["accountName"],
                             tag=values["key"], value=values["val"], currency=values["currency"])
        session.send("accountSummaryEnd", reqId=req_id)

    def send_account_multi(self, session: Session, req_id: int, account: str) -> None:
        """reqAccountUpdatesMulti: accountUpdateMulti per value, then accountUpdateMultiEnd."""
        for values in self._account_values(session):
            if account in ("", "All", values["accountName"]):
                session.send("accountUpdateMulti", reqId=req_id, account=values["accountName"],
                             modelCode="", key=values["key"], value=values["val"],
                             currency=values["currency"])
        session.send("accountUpdateMultiEnd", reqId=req_id)

    def dispatch(self, events: Iterable[Any]) -> None:
        """Send exchange events to their target clients, honouring armed drop faults."""
        for event in events:
            name, values = event_message(event)
            for session in self._targets(event, name):
                cid = session.client_id or 0
                session.send(name, **values)
                if isinstance(event, ExecutionEvent) and self.faults.take_drop(
                        DropPoint.BEFORE_COMMISSION, cid):
                    session.drop_after_queued()
                elif (isinstance(event, OrderStatus) and event.filled > 0 and event.remaining > 0
                      and self.faults.take_drop(DropPoint.MID_PARTIAL, cid)):
                    session.drop_after_queued()

    def _targets(self, event: Any, name: str) -> list[Session]:
        """The connected sessions an event names (the exchange tracks who subscribed)."""
        targets: frozenset[int] = getattr(event, "targets", frozenset())
        return [s for cid, s in self.sessions.items() if cid in targets and not s.closed]

    # --- fault injection ------------------------------------------------------------------
    def drop(self, client_id: int | None = None) -> None:
        """Drop ``client_id``'s socket now (every client's when None)."""
        for session in list(self._all_sessions):
            if client_id is None or session.client_id == client_id:
                session.drop()

    def drop_before_ack(self, client_id: int | None = None) -> None:
        """Drop the socket right after the next placeOrder reaches the exchange."""
        self.faults.arm_drop(DropPoint.BEFORE_ACK, client_id)

    def drop_before_commission(self, client_id: int | None = None) -> None:
        """Drop the socket after the next execDetails, before its commissionReport."""
        self.faults.arm_drop(DropPoint.BEFORE_COMMISSION, client_id)

    def drop_mid_partial(self, client_id: int | None = None) -> None:
        """Drop the socket after the next partial-fill orderStatus."""
        self.faults.arm_drop(DropPoint.MID_PARTIAL, client_id)

    def send_error(self, code: int, text: str | None = None, client_id: int | None = None,
                   req_id: int = -1) -> None:
        """Send error ``code`` (1100/1101/1102 get TWS's text) to one client or all."""
        message = text if text is not None else CONNECTIVITY_TEXT.get(code, f"sandbox error {code}")
        for session in list(self.sessions.values()):
            if client_id is None or session.client_id == client_id:
                session.error(req_id, code, message)

    def pace_next_history(self, count: int = 1) -> None:
        """Answer the next ``count`` history requests with pacing error 162."""
        self.faults.arm_pacing(count)

    def reject_next_order(self, reason: str) -> None:
        """Reject the next placed order: error 201 "Order rejected - reason:<reason>"."""
        self.faults.arm_reject(reason)

    def delay_messages(self, seconds: float, client_id: int | None = None) -> None:
        """Hold each outgoing message ``seconds`` (0 ends the delay)."""
        self.faults.set_delay(seconds, client_id)

    def reorder_next(self, count: int, client_id: int | None = None) -> None:
        """Send the next ``count`` messages to a client in reverse order."""
        self.faults.arm_reorder(count, client_id)


def _parse_end(text: str, now: _dt.datetime) -> _dt.datetime:
    """The endDateTime of a history request ('' is now)."""
    if not text.strip():
        return now
    try:
        return parse_ib_time(text)
    except ValueError as exc:
        raise DataError(f"endDateTime: {exc}") from exc


def _bar_date(when: _dt.datetime, seconds: int, fmt: int, tz: str) -> str:
    """A bar's date as TWS writes it: YYYYMMDD for daily bars, else local time or epoch."""
    if seconds >= 86_400:
        return f"{when:%Y%m%d}"
    if fmt == 2:
        return str(int(when.timestamp()))
    return ib_time(when, tz)


def _bar_values(bar: Bar, seconds: int, fmt: int, tz: str) -> dict[str, Any]:
    return {"date": _bar_date(bar.time, seconds, fmt, tz), "open": bar.open, "high": bar.high,
            "low": bar.low, "close": bar.close, "volume": bar.volume,
            "wap": round((bar.high + bar.low + bar.close) / 3, 6),
            "barCount": max(1, int(bar.volume // 100))}


class ThreadedSandbox:
    """A SandboxServer running on its own event-loop thread, for synchronous callers."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="ib-sandbox", daemon=True)
        self._thread.start()
        self.call(server.start())

    @property
    def host(self) -> str:
        """The server's address."""
        return self.server.host

    @property
    def port(self) -> int:
        """The server's port."""
        return self.server.port

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run ``coro`` on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def run(self, fn: Any, *args: Any) -> Any:
        """Call ``fn(*args)`` on the server's loop (for fault injection) and return its result."""
        async def _call() -> Any:
            return fn(*args)
        return self.call(_call())

    def step(self, n: int = 1) -> None:
        """Produce ``n`` bars (see ``SandboxServer.step``)."""
        self.call(self.server.step(n))

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self.loop.is_closed():
            return
        self.call(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()

    def __enter__(self) -> ThreadedSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(**kwargs: Any) -> ThreadedSandbox:
    """A SandboxServer(**kwargs) started on a background thread; ``.stop()`` ends it."""
    return ThreadedSandbox(SandboxServer(**kwargs))
