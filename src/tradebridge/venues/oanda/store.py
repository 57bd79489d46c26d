"""OandaStore: one OANDA v20 account through the async client, run on the store's own asyncio thread.

Everything runs in one asyncio loop on the store's thread; the engine thread only submits
coroutines (``run``/``submit``/``call_soon``) and receives inbox events. Two streams feed the
inbox: pricing (ticks for the datas) and transactions (order events, fills, financing for the
broker). Transactions are applied strictly in id order: a gap in the stream, a write's answer or
a stream reopened after a cut is filled from ``/transactions/sinceid`` first, so every
transaction reaches the broker once and in order; after each one an ACCOUNT event carries its id
as the cursor the broker journals. After the first connect and after every stream reconnect the
broker gets a ``VenueSnapshot`` (pending orders, positions, transactions since its cursor,
account summary) as a CONNECTION event and reconciles.

The access token (``token`` or ``OANDA_TOKEN``) is kept as a value whose repr is ``'***'`` and is
handed to the journal as a secret; it never appears in logs, reprs, errors or files.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

from ...live import Backoff, Kind
from ...stores.loopthread import LoopThreadStore
from . import models as m
from .errors import OandaError, OandaNotFoundError
from .ledger import Ledger
from .mapping import TransactionMapper, account_values, client_ids_in, position_prices, venue_snapshot

__all__ = ["OandaStore"]

log = logging.getLogger(__name__)

_CUT_TRIES = 5  # reads of a (re)connect snapshot until orders, positions and summary agree


class _Secret(str):
    """A string that never shows itself in a repr (the token in ``store.p``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


class OandaStore(LoopThreadStore):
    """OANDA v20 store (backtrader's params plus ``base_url`` for the sandbox and ``journal``)."""

    params: Any = (
        ("token", ""),
        ("account", ""),
        ("practice", False),
        ("account_tmout", 10.0),
        ("base_url", None),
        ("stream_url", None),
        ("journal", None),
        ("verify", True),
        ("timeout", 10.0),
        ("heartbeat_timeout", 10.0),
        ("retries", 4),
        ("stream_retries", -1),
        ("backoff_initial", 0.5),
        ("backoff_max", 30.0),
        ("restart_grace", 10.0),
    )
    identity = ("account", "practice", "base_url")
    secret_params = ("token",)
    venue = "OANDA"
    data_class, broker_class = "feed:OandaData", "broker:OandaBroker"
    log_tracebacks = False

    def __init__(self, **kwargs: Any) -> None:
        fresh = not self.__dict__.get("_initialized")
        super().__init__(**kwargs)
        if fresh:
            self._setup()

    def _setup(self) -> None:
        p = self.p
        p.token = _Secret(p.token or os.environ.get("OANDA_TOKEN", ""))
        if not p.token:
            raise ValueError(
                "OandaStore needs an access token: pass token=... or set OANDA_TOKEN "
                "(create one in OANDA's web platform under 'Manage API Access')"
            )
        if not isinstance(p.account_tmout, int | float) or p.account_tmout <= 0:
            raise ValueError(
                f"OandaStore account_tmout must be a positive number of seconds, got {p.account_tmout!r}"
            )
        if not isinstance(p.stream_retries, int) or p.stream_retries < -1:
            raise ValueError(f"OandaStore stream_retries must be -1 (forever) or a count >= 0, "
                             f"got {p.stream_retries!r}")
        self._stream_policy = self._backoff(p.stream_retries)
        self.client: Any = None
        self._init_loop()
        self.instruments: dict[str, dict[str, Any]] = {}  # name -> v20 Instrument JSON
        self.mapper = TransactionMapper()
        self.upto: int | None = None  # the newest transaction id handed to the broker, in order
        self.synced = False
        self.connected = False
        self._txn_lock: asyncio.Lock | None = None
        self._price_task: asyncio.Task[Any] | None = None
        self._account_dirty: asyncio.Event | None = None
        self.last_summary: m.AccountSummary | None = None
        self.ledger = Ledger()  # the balance the applied transactions explain (the cash check)
        self._writes: set[str] = set()  # client ids of order writes sent or about to be (any thread)
        self._writes_lock = threading.Lock()
        self.answered: set[str] = set()  # client ids whose write was answered (the snapshot's ``sent``)

    def __repr__(self) -> str:
        where = self.p.base_url or ("practice" if self.p.practice else "live")
        return f"<OandaStore account={self.p.account!r} {where} token=***>"

    # -- to the engine --------------------------------------------------------------------------
    def _to_broker(self, kind: Kind, payload: Any) -> None:
        if kind is Kind.STORE:
            self.notify(payload)
        elif self._broker_listens():
            self.put(kind, payload, self.broker)

    # -- lifecycle ------------------------------------------------------------------------------
    def _backoff(self, reconnect: int) -> Backoff:
        """The store's backoff (``backoff_initial`` .. ``backoff_max``) over ``reconnect`` retries."""
        return Backoff(reconnect=reconnect, initial=self.p.backoff_initial, maximum=self.p.backoff_max,
                       timeout=None)

    def _where(self) -> str:
        where = self.p.base_url or ("fxTrade Practice" if self.p.practice else "fxTrade (live)")
        return f"OANDA {where}"

    def _new_client(self) -> Any:
        from .client import OandaClient

        p = self.p
        policy = self._backoff(p.retries)
        return OandaClient(
            str(p.token),
            p.account,
            practice=p.practice,
            base_url=p.base_url,
            stream_url=p.stream_url,
            verify=p.verify,
            timeout=p.timeout,
            heartbeat_timeout=p.heartbeat_timeout,
            retry=policy,
        )

    async def _open(self) -> None:
        self._txn_lock = asyncio.Lock()
        self._account_dirty = asyncio.Event()
        self.client = self._new_client()
        try:
            await self._pick_account()
            self.last_summary = await self.client.account_summary()
            answer = await self.client.request("GET", f"/v3/accounts/{self.p.account}/instruments")
        except (OandaError, ValueError):
            await self.client.aclose()
            raise
        self.instruments = {i["name"]: i for i in answer.get("instruments", ())}
        self.connected = True
        self.notify(f"connected to {self._where()}, account {self.p.account}")
        self.spawn(self._transactions_forever())
        self.spawn(self._account_forever())

    async def _pick_account(self) -> None:
        if self.p.account:
            return
        accounts = [a.id for a in await self.client.accounts()]
        if len(accounts) != 1:
            raise ValueError(
                f"the OANDA token gives access to {len(accounts)} accounts "
                f"({', '.join(accounts) or 'none'}): choose one with account=..."
            )
        self.p.account = self.client.account = accounts[0]

    async def _close(self) -> None:
        self.connected = False
        for _ in range(20):  # a cancel that races a completing wait_for can be lost (3.11): ask again
            if not self._tasks:
                break
            for task in list(self._tasks):
                task.cancel()
            await asyncio.wait(list(self._tasks), timeout=0.25)
        if self.client is not None:
            await self.client.aclose()
        self.connected = False

    def precision(self, instrument: str) -> int:
        """The number of decimals v20 accepts in prices of ``instrument``."""
        info = self.instruments.get(instrument)
        if info is None:
            raise OandaNotFoundError(f"GET /v3/accounts/{self.p.account}/instruments", 404, None)
        return int(info.get("displayPrecision", 5))

    def margin_rate(self, instrument: str) -> float:
        """OANDA's margin rate of ``instrument`` (0.02 = 50:1), 1.0 when unknown."""
        return float(self.instruments.get(instrument, {}).get("marginRate", 1.0))

    # -- transactions, in order -----------------------------------------------------------------
    async def _transactions_forever(self) -> None:
        """Follow the transaction stream; without it orders and fills go unseen, so it is reopened
        ``stream_retries`` times in a row (forever by default) and a give-up is told to the broker."""
        stream = self.client.transaction_stream(heartbeats=True, retry=self._stream_policy,
                                                on_event=self._on_txn_stream)
        try:
            async with stream:
                async for item in stream:
                    if isinstance(item, m.TransactionHeartbeat):
                        newest = item.last_transaction_id
                        if self.synced and newest and self.upto is not None and int(newest) > self.upto:
                            await self.catch_up()
                    elif isinstance(item, m.Transaction):
                        await self._deliver([item])
        except OandaError as exc:
            self.notify(f"{self._where()}: transaction stream given up: {exc}; orders and fills are "
                        f"no longer followed")
            self._lose_sync()

    def _lose_sync(self) -> None:
        """Transactions are no longer followed: the broker hears the connection is lost (once)."""
        if self.synced:
            self.synced = False
            self._to_broker(Kind.CONNECTION, "lost")

    def _on_txn_stream(self, kind: str, detail: str) -> None:
        if kind in ("cut", "dead") and self.synced:
            self.notify(f"{self._where()}: the transaction stream was {kind} ({detail}); reconnecting")
            self._lose_sync()
        elif kind == "open" and not self.synced and self.upto is not None:
            self.spawn(self._resync())
        elif kind == "malformed":
            self.notify(f"{self._where()}: malformed transaction line skipped: {detail}")

    async def _deliver(self, txns: list[m.Transaction]) -> None:
        """Hand transactions to the broker in id order, fetching any the stream skipped."""
        assert self._txn_lock is not None
        async with self._txn_lock:
            if not self.synced or self.upto is None:
                return  # the coming snapshot carries them
            for txn in sorted(txns, key=lambda t: int(t.id)):
                if int(txn.id) <= self.upto:
                    continue
                if int(txn.id) > self.upto + 1:
                    await self._fetch_since()
                    if int(txn.id) <= self.upto:
                        continue
                self._apply(txn)

    async def catch_up(self) -> None:
        """Fetch and hand over every transaction after the newest one handed over (after a write)."""
        assert self._txn_lock is not None
        async with self._txn_lock:
            if self.synced and self.upto is not None:
                await self._fetch_since()

    async def _fetch_since(self) -> None:
        answer = await self.client.transactions_since(str(self.upto))
        for txn in sorted(answer.transactions, key=lambda t: int(t.id)):
            if int(txn.id) > (self.upto or 0):
                self._apply(txn)

    def _apply(self, txn: m.Transaction) -> None:
        for kind, payload in self.mapper.events(txn):
            self._to_broker(kind, payload)
        self.upto = int(txn.id)
        cursor: dict[str, Any] = {"cursor": txn.id}
        if self.ledger.apply(txn):
            cursor["ledger"] = self.ledger.state()  # journaled before the cursor
        self._to_broker(Kind.ACCOUNT, cursor)
        if isinstance(txn, m.OrderFillTransaction | m.DailyFinancingTransaction) and self._account_dirty:
            self._account_dirty.set()

    # -- writes in flight -------------------------------------------------------------------------
    def write_started(self, client_id: str) -> None:
        """An order write is on its way (called before it is handed to the loop)."""
        with self._writes_lock:
            self._writes.add(client_id)

    def write_done(self, client_ids: list[str]) -> None:
        """The write's answer (or error) is in: its outcome is known or its transactions will say."""
        with self._writes_lock:
            self._writes.discard(client_ids[0])
            self.answered.update(client_ids)

    async def _writes_settled(self) -> None:
        """Wait until no order write is in flight: a snapshot taken meanwhile would miss the order
        and reconciliation would call it never sent."""
        while True:
            with self._writes_lock:
                if not self._writes:
                    return
            await asyncio.sleep(0.01)

    # -- snapshots ------------------------------------------------------------------------------
    async def sync(self, cursor: str | None = None, unacked: Iterable[str] = (),
                   ledger: str | None = None) -> None:
        """Send the broker a VenueSnapshot since ``cursor`` (default: the newest handed over).

        ``unacked``: client ids a previous run sent without an answer (restart). If OANDA names
        none of some of them, it is asked again after ``restart_grace`` seconds, so a write still
        being processed is found instead of being closed as never sent. ``ledger``: the balance
        the journal kept (:meth:`.Ledger.state`), so money moved while away without a
        transaction is reported as a cash mismatch.
        """
        assert self._txn_lock is not None
        await self._writes_settled()
        async with self._txn_lock:
            with self._writes_lock:
                sent = frozenset(self.answered)  # orders handed over after this are in flight
            since = cursor if cursor is not None else (None if self.upto is None else str(self.upto))
            self.ledger.restore(ledger, since)
            summary, txns, pending, positions, cut = await self._venue_state(since)
            if set(unacked) - client_ids_in(pending, txns) and self.p.restart_grace > 0:
                await asyncio.sleep(self.p.restart_grace)
                summary, txns, pending, positions, cut = await self._venue_state(since)
            # cash=None: marginAvailable moves with prices; the ledger checks the balance instead
            state = venue_snapshot(self.mapper, pending, positions, txns, summary, cursor=cut)
            snapshot = dataclasses.replace(state, sent=sent, cash=None)
            mismatch = self.ledger.check(summary, txns, self._cash_tolerance())
            self.last_summary = summary
            values = account_values(summary)
            values["positions"] = position_prices(positions)
            # the snapshot's missed fills first, then OANDA's figures (which already include them)
            self._to_broker(Kind.ACCOUNT, {"ledger": self.ledger.state()})
            self._to_broker(Kind.CONNECTION, snapshot)
            self._to_broker(Kind.ACCOUNT, values)
            if mismatch is not None:
                self.notify(mismatch.message)
            self.upto = int(snapshot.cursor or summary.last_transaction_id or 0)
            self.synced = True

    def _cash_tolerance(self) -> float:
        """The broker's ``cash_tolerance`` (0.01 without a broker)."""
        return float(getattr(getattr(self.broker, "p", None), "cash_tolerance", 0.01))

    async def _venue_state(self, since: str | None) -> tuple[Any, list[m.Transaction], Any, Any, str | None]:
        """Summary, transactions after ``since``, pending orders and positions as one cut: all as of
        the transaction id the pending orders reflect (the cut, returned last).

        The answers come one after the other while the account may move. An order created and
        cancelled between two of them would be in neither list and taken for never sent, so
        transactions after the cut are left to the stream. The reads are repeated (a few times)
        until positions and summary reflect the same id, so positions and balance checks compare
        like with like."""
        for _ in range(_CUT_TRIES):
            pending, cut = await self.client.pending_orders_at()
            positions, at_positions = await self.client.open_positions_at()
            summary = await self.client.account_summary()
            if cut is None or cut == at_positions == summary.last_transaction_id:
                break
        txns = list((await self.client.transactions_since(since)).transactions) if since else []
        if cut is not None and since is not None and int(cut) < int(since):
            cut = since  # never behind what was handed over already
        if cut is not None:
            txns = [t for t in txns if int(t.id) <= int(cut)]
        return summary, txns, pending, positions, cut

    async def _resync(self) -> None:
        """Sync after a stream reconnect, retried with backoff while the venue refuses (429/5xx storms)."""
        delays = self._backoff(-1).delays()
        while not self.synced:
            try:
                await self.sync()
            except OandaError as exc:
                log.warning("resync failed: %s", exc)
                await asyncio.sleep(next(delays))

    async def _account_forever(self) -> None:
        """Refresh cash and value every ``account_tmout`` seconds, and soon after each fill."""
        dirty = self._account_dirty
        assert dirty is not None
        while self.connected:
            try:
                async with asyncio.timeout(self.p.account_tmout):
                    await dirty.wait()
            except TimeoutError:
                pass
            dirty.clear()
            if not self._broker_listens():
                continue
            try:
                summary = await self.client.account_summary()
            except OandaError as exc:
                log.warning("account refresh failed: %s", exc)
                continue
            self.last_summary = summary
            mismatch = self.ledger.check(summary, (), self._cash_tolerance())
            self._to_broker(Kind.ACCOUNT, account_values(summary))
            if mismatch is not None:
                self._to_broker(Kind.ACCOUNT, {"ledger": self.ledger.state()})
                self.notify(mismatch.message)

    # -- prices for the datas -------------------------------------------------------------------
    def subscribe(self, data: Any) -> None:
        """Remember a data and start it on the loop (backfill, then its instrument's prices)."""
        if not any(d is data for d in self.subscribers):
            self.subscribers.append(data)
        self.submit(data._oanda_start())

    def unsubscribe(self, data: Any) -> None:
        """Forget a data (its prices stop with the next stream restart)."""
        self.subscribers = [d for d in self.subscribers if d is not data]

    def watch_prices(self) -> None:
        """(Re)start the pricing stream over the instruments of the live datas (on the loop)."""
        if self._price_task is not None:
            self._price_task.cancel()
        names = sorted({d.p.dataname for d in self.subscribers if d.live_wanted})
        if names:
            self._price_task = self.spawn(self._prices_forever(names))

    async def _prices_forever(self, names: list[str]) -> None:
        data = next(d for d in self.subscribers if d.live_wanted)
        dp = data.p
        policy = Backoff(
            reconnect=(dp.reconnections if dp.reconnect else 0),
            initial=dp.reconntimeout / 5,
            maximum=dp.reconntimeout,
            timeout=None,
        )
        stream = self.client.pricing_stream(
            names,
            snapshot=True,
            retry=policy,
            on_event=lambda kind, detail: self._on_price_stream(kind, detail),
        )
        try:
            async with stream:
                async for price in stream:
                    if isinstance(price, m.ClientPrice):
                        for d in self.subscribers:
                            if d.p.dataname == price.instrument:
                                d._on_price(price)
        except OandaError as exc:
            self.notify(f"{self._where()}: pricing stream given up: {exc}")
            self.data_status("DISCONNECTED")

    def _on_price_stream(self, kind: str, detail: str) -> None:
        if kind in ("cut", "dead"):
            self.notify(f"{self._where()}: the pricing stream was {kind} ({detail}); reconnecting")
            for data in self.subscribers:
                data._on_cut()
        elif kind == "open":
            for data in self.subscribers:
                if data._cut:
                    self.spawn(data._on_reopen())
        elif kind == "malformed":
            self.notify(f"{self._where()}: malformed price line skipped: {detail}")
