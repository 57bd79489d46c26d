"""IBStore: one connection to TWS / IB Gateway through ib_async, run on its own asyncio thread.

Everything runs in one asyncio loop on the store's thread (one async core); the few sync
methods are one-line wrappers that submit a coroutine with ``run_coroutine_threadsafe``.
Whatever TWS says reaches the engine thread only through the inbox (``attach_inbox``):
``notify_store`` messages (Kind.STORE), data statuses (Kind.DATA_STATUS) and, after every
connect and reconnect, a ``VenueSnapshot`` for the broker (Kind.CONNECTION) built from the
open orders, completed orders, executions with their commission reports, positions and cash.

Errors are classified with :mod:`.errors`: 502 (cannot connect) and 326 (clientId in use)
raise at start with a message naming host, port and what to check; 1100 makes the datas
``CONNBROKEN``; 1101/1102 reconcile, then the datas go ``LIVE`` again. A dropped socket is
reconnected with exponential backoff and jitter (``tradebridge.live.backoff``), every data is
resubscribed and the broker reconciles.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as _dt
import logging
import random
import time
from typing import Any

from ...live import Backoff, Kind, RetriesExhaustedError, retry
from ...live.state import VenueSnapshot
from ...stores.loopthread import LoopThreadStore
from .errors import IBConnectError, IBError, classify, make_error
from .history import Pacer
from .mapping import account_values, instrument_name, venue_snapshot

__all__ = ["IBStore"]

log = logging.getLogger(__name__)

_CLIENT_ID_IN_USE = 326
_RESTORED = (1101, 1102)
_LOST = 1100
_MAX_RANDOM_CLIENT_ID = 2**16 - 1
_DRAIN_SECONDS = 5.0  # at stop: how long requests held back by ib_async's rate limit may take to go out


class _Fatal(Exception):
    """Carries an error that must not be retried through ``retry`` (which retries ConnectionError)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _random_client_id() -> int:
    return random.randint(1, _MAX_RANDOM_CLIENT_ID)


class IBStore(LoopThreadStore):
    """Interactive Brokers store (backtrader's params); hands out IBBroker and IBData."""

    params = (
        ("host", "127.0.0.1"), ("port", 7496), ("clientId", None), ("notifyall", False),
        ("_debug", False), ("reconnect", 3), ("timeout", 3.0), ("timeoffset", True),
        ("timerefresh", 60.0), ("indcash", True), ("readonly", False), ("account", ""),
        ("journal", None), ("backoff_initial", 0.5), ("backoff_max", 30.0), ("histcache", None),
    )
    identity = ("host", "port", "clientId")
    venue = "IB"
    data_class, broker_class = "feed:IBData", "broker:IBBroker"

    def __init__(self, **kwargs: Any) -> None:
        fresh = not self.__dict__.get("_initialized")
        super().__init__(**kwargs)
        if fresh:
            self._setup()

    def _setup(self) -> None:
        p = self.p
        if not isinstance(p.port, int) or not 0 < p.port < 65536:
            raise ValueError(f"IBStore port must be an integer 1..65535, got {p.port!r}")
        if p.clientId is not None and (not isinstance(p.clientId, int) or p.clientId < 0):
            raise ValueError(f"IBStore clientId must be an integer >= 0 or None (random), got {p.clientId!r}")
        self.policy = Backoff(reconnect=p.reconnect, initial=p.backoff_initial, maximum=p.backoff_max,
                              timeout=p.timeout)
        self.client_id: int = p.clientId if p.clientId is not None else _random_client_id()
        self.ib: Any = None
        self._init_loop()
        self.details: dict[str, Any] = {}  # instrument name -> ib_async ContractDetails
        self.syncing = False  # True while (re)connecting: the snapshot carries the venue's truth
        self.connected = False
        self._reconciled = False  # a snapshot went to the broker already (this run)
        self._closing = False
        self._offset = 0.0
        self.pacer = Pacer()  # historical requests of every data share IB's pacing limits

    # -- lifecycle ------------------------------------------------------------------------------
    def _thread_name(self) -> str:
        return f"ibstore-{self.p.host}:{self.p.port}/{self.client_id}"

    def _connect(self) -> None:
        """Connect (blocking the caller until TWS answered); raises IBConnectError with advice."""
        self._closing = False
        super()._connect()

    def _disconnect(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self._closing = True  # the socket's drop that follows is not a fault
        super()._disconnect()

    async def _open(self) -> None:
        from ib_async import IB

        if self.ib is None:
            self.ib = IB()
            self.ib.errorEvent += self._on_error
            self.ib.disconnectedEvent += self._on_disconnected
            if self.p._debug:
                logging.getLogger("ib_async").setLevel(logging.DEBUG)
        await self._connect_with_retry()
        self.connected = True
        if self.p.timeoffset:
            await self.refresh_time()
            if self.p.timerefresh:
                self.spawn(self._refresh_time_forever())
        self.notify(f"connected to {self._where()} as clientId {self.client_id}")
        await self.reconcile()

    async def _close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.ib is not None and self.ib.isConnected():
            await self._drain()
            self.ib.disconnect()
        self.connected = False

    async def _drain(self) -> None:
        """Let the requests ib_async holds back (at most 45 a second) go out before disconnecting:
        a cancel or an order asked for just before the stop must reach TWS, not be dropped."""
        queued = getattr(self.ib.client, "_msgQ", None)
        if queued is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _DRAIN_SECONDS
        while queued and self.ib.isConnected() and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if queued:
            self.notify(f"{len(queued)} request(s) held back by the message rate limit were not sent "
                        f"before disconnecting from {self._where()}; the next start reconciles them")

    def _where(self) -> str:
        return f"TWS/IB Gateway at {self.p.host}:{self.p.port}"

    # -- connecting -----------------------------------------------------------------------------
    async def _connect_with_retry(self) -> None:
        self.syncing = True
        try:
            await retry(self._attempt, self.policy, on_retry=self._on_retry)
        except _Fatal as fatal:
            raise fatal.error from None
        except RetriesExhaustedError as exc:
            cause = exc.__cause__ or exc
            text = (f"could not connect to {self._where()} with clientId {self.client_id} after "
                    f"{self.policy.reconnect + 1} attempt(s): {cause}")
            raise make_error(502, text) from cause
        finally:
            self.syncing = False

    def _on_retry(self, attempt: int, delay: float, error: BaseException) -> None:
        self.notify(f"IB connection attempt {attempt} to {self._where()} failed ({error}); "
                    f"retrying in {delay:.2f} s")

    async def _attempt(self) -> None:
        """One connect: ib_async's connect and start-up sync, cut short by error 326."""
        refused = asyncio.Event()

        def watch(req_id: int, code: int, text: str, contract: Any) -> None:
            if code == _CLIENT_ID_IN_USE:
                refused.set()

        from ib_async.ib import StartupFetch, StartupFetchALL

        self.ib.errorEvent += watch
        # account updates are asked after the account is checked (an unknown one would hang the sync)
        connect = asyncio.ensure_future(self.ib.connectAsync(
            self.p.host, self.p.port, clientId=self.client_id, timeout=self.p.timeout,
            readonly=self.p.readonly, account=self.p.account,
            fetchFields=StartupFetchALL & ~StartupFetch.ACCOUNT_UPDATES))
        waiter = asyncio.ensure_future(refused.wait())
        try:
            await asyncio.wait({connect, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if refused.is_set():
                connect.cancel()
                await asyncio.gather(connect, return_exceptions=True)
                self.ib.disconnect()
                self._client_id_in_use()
            await connect
            self._check_account()
            if self.account:
                await asyncio.wait_for(self.ib.reqAccountUpdatesAsync(self.account), self.p.timeout)
        finally:
            waiter.cancel()
            self.ib.errorEvent -= watch

    def _client_id_in_use(self) -> None:
        used = self.client_id
        if self.p.clientId is None:  # random: draw another and let retry try again
            self.client_id = _random_client_id()
            raise ConnectionError(f"random clientId {used} is in use; trying clientId {self.client_id}")
        text = f"clientId {used} is already connected to {self._where()}"
        raise _Fatal(make_error(_CLIENT_ID_IN_USE, text))

    def _check_account(self) -> None:
        accounts = self.ib.managedAccounts()
        if self.p.account and self.p.account not in accounts:
            self.ib.disconnect()
            managed = ", ".join(accounts) or "none"
            raise _Fatal(IBConnectError(321, f"account {self.p.account!r} is not managed by {self._where()} "
                                             f"(managed: {managed}); fix the account param"))

    @property
    def account(self) -> str:
        """The account orders and values are for (the only managed one when not given)."""
        if self.p.account:
            return str(self.p.account)
        accounts = self.ib.managedAccounts() if self.ib is not None else []
        return accounts[0] if len(accounts) == 1 else ""

    # -- what TWS says ----------------------------------------------------------------------------
    def _on_error(self, req_id: int, code: int, text: str, contract: Any) -> None:
        info = classify(code, text)
        if self.p._debug:
            log.debug("IB error %s reqId %s: %s", code, req_id, text)
        if code == _CLIENT_ID_IN_USE:
            return  # raised by the connect attempt
        if self.p.notifyall or info.severity != "info":
            self.notify(make_error(code, text, req_id))
        if code == _LOST:
            self.data_status("CONNBROKEN")
        elif code in _RESTORED and self.connected:
            self.spawn(self._restored(resubscribe=code == 1101))
        elif info.data_status and contract is not None and info.kind == "data":
            self.data_status(info.data_status, self._datas_of(contract))

    def _datas_of(self, contract: Any) -> list[Any]:
        # only datas already looked up: a failing lookup is reported by the data itself
        con_id = contract.conId
        return [d for d in self.subscribers if con_id and getattr(d, "con_id", None) == con_id]

    def _on_disconnected(self) -> None:
        was, self.connected = self.connected, False
        if self._closing or not was:
            return
        self.notify(make_error(504, f"the connection to {self._where()} dropped; reconnecting"))
        if self._broker_listens():
            self.put(Kind.CONNECTION, "lost", self.broker)
        self.data_status("CONNBROKEN")
        self.spawn(self._reconnect())

    async def _reconnect(self) -> None:
        try:
            await self._connect_with_retry()
        except (IBError, OSError) as exc:
            self.notify(exc)
            self.data_status("DISCONNECTED")
            return
        self.connected = True
        if self.p.timeoffset:
            await self.refresh_time()
        self.notify(f"reconnected to {self._where()} as clientId {self.client_id}")
        await self.reconcile()
        for data in list(self.subscribers):
            await data._ib_resume()

    async def _restored(self, resubscribe: bool) -> None:
        """After 1101/1102: ask TWS again what happened, reconcile, then the datas are LIVE."""
        self.syncing = True
        try:
            await self.ib.reqOpenOrdersAsync()
            await self.ib.reqCompletedOrdersAsync(False)
            await self.ib.reqExecutionsAsync()
        finally:
            self.syncing = False
        await self.reconcile()
        for data in list(self.subscribers):
            if resubscribe:
                await data._ib_resume()
            else:
                self.data_status("LIVE", [data])

    # -- reconciliation ---------------------------------------------------------------------------
    def snapshot(self) -> VenueSnapshot:
        """What TWS says now: open and completed orders, executions with commissions, positions, cash."""
        ib = self.ib
        closed = [t for t in ib.trades() if t.isDone()]
        cash = account_values(ib.accountValues(), self.account).get("cash")
        snap = venue_snapshot(ib.openTrades(), ib.fills(), ib.positions(), cash=cash,
                              closed_trades=closed, account=self.account)
        sent = getattr(self.broker, "sent", None)  # orders placed after this are in flight
        return snap if sent is None else dataclasses.replace(snap, sent=frozenset(sent))

    async def reconcile(self) -> None:
        """Send the broker a VenueSnapshot (a CONNECTION event): it reconciles on the engine thread."""
        if not self._broker_listens():
            return
        values = account_values(self.ib.accountValues(), self.account)
        first = not self._reconciled
        self._reconciled = True
        if first and values:  # the broker has no cash of its own yet: TWS's is the starting point
            self.put(Kind.ACCOUNT, values, self.broker)
        self.put(Kind.CONNECTION, self.snapshot(), self.broker)
        if not first and values:
            self.put(Kind.ACCOUNT, values, self.broker)

    # -- datas ----------------------------------------------------------------------------------
    def subscribe(self, data: Any) -> None:
        """Remember a data (resubscribed after reconnects) and start it on the loop."""
        if not any(d is data for d in self.subscribers):
            self.subscribers.append(data)
        self.submit(data._ib_start())

    def unsubscribe(self, data: Any) -> None:
        """Stop a data's subscriptions."""
        self.subscribers = [d for d in self.subscribers if d is not data]
        if self.loop is not None and not self.loop.is_closed():
            self.call_soon(data._ib_stop)

    async def contract_details(self, contract: Any) -> Any:
        """The one ContractDetails of ``contract`` (cached by instrument name); IB error 200 if none."""
        found = await self.ib.reqContractDetailsAsync(contract)
        if len(found) != 1:
            what = "no contract" if not found else f"{len(found)} contracts"
            raise make_error(200, f"{what} match {contract!r} at {self._where()}")
        details = found[0]
        self.details[instrument_name(details.contract)] = details
        return details

    # -- time -----------------------------------------------------------------------------------
    def timeoffset(self) -> _dt.timedelta:
        """TWS time minus local time (zero unless ``timeoffset``), as backtrader's store."""
        return _dt.timedelta(seconds=self._offset)

    def now(self) -> float:
        """TWS's time now as an epoch (local clock plus the measured offset)."""
        return time.time() + self._offset

    async def refresh_time(self) -> None:
        """Measure the offset between TWS's clock and ours (half the round trip is TWS's reply)."""
        sent = time.time()
        tws = await self.ib.reqCurrentTimeAsync()
        got = time.time()
        self._offset = tws.timestamp() - (sent + got) / 2

    async def _refresh_time_forever(self) -> None:
        while True:
            await asyncio.sleep(self.p.timerefresh)
            if self.ib.isConnected():
                await self.refresh_time()
