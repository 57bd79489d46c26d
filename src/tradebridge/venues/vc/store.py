"""VCStore: Visual Chart 6 through the COM seam, on one pump thread, talking to the engine by the inbox.

COM objects belong to the thread that created them, so one *pump thread* owns the backend: it
connects it, makes every call and pumps every event. The engine thread never calls the backend;
it hands work to the pump thread (:meth:`VCStore.call_soon`, which wakes the pump) and hears
back only through the inbox:

* data: ``DATA_STATUS`` (CONNECTED, DELAYED, LIVE, CONNBROKEN, NOTSUBSCRIBED, DISCONNECTED),
  ``BAR`` (history, then every new bar of the live serie) and ``TICK`` (the real-time feed);
* broker: ``ORDER``/``EXECUTION`` (order events through :func:`.mapping.order_update`, the fill
  before the status it causes), ``ACCOUNT`` (cash and net worth), ``POSITION`` (open positions by
  symbol) and ``CONNECTION``: a :class:`~tradebridge.live.state.VenueSnapshot` after connecting
  and after the server returns, ``"lost"`` when it goes away;
* strategy: ``notify_store`` messages (``STORE``).

The server going away (``OnServerShutDown``, or a connection ``OnInternalEvent`` with
``p2=0``) turns every data ``CONNBROKEN``. On its return (``p2=1``) every live data gets the
bars it missed (``CONNECTED``, ``DELAYED``, bars, ``LIVE``) and, once the events that came
with the return are handed on, the broker gets a fresh snapshot to reconcile against.
"""

from __future__ import annotations

import collections
import datetime as _dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ...feeds.base import DataBase
from ...live.inbox import Inbox, Kind
from ...live.state import VenueOrder, VenueSnapshot
from ...stores.base import Store
from .mapping import ORDER_EVENT_STATUS, account_values, order_update, positions, select_account, snapshot
from .marketdata import DataSpec, vc_time_to_utc
from .seam import ComBackend, ComCallError, ComEvent, VCError, VCUnavailableError
from .trace import RecordingBackend, TraceMismatchError

__all__ = ["VCStore"]

log = logging.getLogger(__name__)

_BARS_PER_CALL = 500  # history is read in slices, so a long backfill never blocks events for long
_PUMP_TIMEOUT = 1.0  # how long one pump may wait; a call to make wakes it at once


@dataclass
class _Sub:
    """One data's subscription on the pump thread: what it asked for and how far it has read."""

    data: Any
    spec: DataSpec
    time_offset: float = 0.0
    serie: str | None = None
    read: int = 0  # bars of the serie already handed on
    live: bool = False  # the serie grows (OnNewDataSerieBar), or ticks come from the feed
    ended: bool = False


class VCStore(Store):
    """The Visual Chart store: hands out :class:`~.broker.VCBroker` and :class:`~.feed.VCData`.

    ``backend``: None for Visual Chart itself through comtypes (Windows only; elsewhere creating
    the store raises "Visual Chart needs Windows with Visual Chart 6 installed"), or any
    :class:`~.seam.ComBackend` (:class:`~.fake.FakeVC`, :class:`~.trace.ReplayBackend`).
    ``record``: a path to write every call and event to (a trace); ``secrets``: strings never
    written to it. ``timeout``: seconds to wait for Visual Chart at start.
    """

    params = (("backend", None), ("record", None), ("secrets", ()), ("timeout", 30.0))
    identity = ("backend",)
    secret_params = ("secrets",)

    def __init__(self, **kwargs: Any) -> None:
        fresh = not self.__dict__.get("_initialized")
        super().__init__(**kwargs)
        if fresh:
            try:
                self._setup()
            except BaseException:
                with Store._lock:
                    Store._registry.pop(self._key(kwargs), None)
                self._initialized = False
                raise

    def _setup(self) -> None:
        backend = self.p.backend
        if backend is None:
            from .comtypes_backend import ComtypesBackend

            backend = ComtypesBackend()  # raises VCUnavailableError off Windows, before any thread
        elif not isinstance(backend, ComBackend):
            raise TypeError(f"VCStore backend must be a ComBackend (FakeVC, ReplayBackend, ...) or None "
                            f"for Visual Chart itself, got {type(backend).__name__}")
        if not isinstance(self.p.timeout, (int, float)) or self.p.timeout <= 0:
            raise ValueError(f"VCStore timeout must be a positive number of seconds, got {self.p.timeout!r}")
        self._backend_inner = backend
        self.backend: ComBackend = backend
        self.inbox: Inbox | None = None
        self.account: str | None = None
        self.connected = False
        self._lock = threading.Lock()
        self._commands: collections.deque[Callable[[], None]] = collections.deque()
        self._thread: threading.Thread | None = None
        self._halt = False
        self._subs: list[_Sub] = []
        self._orders: dict[str, list[float]] = {}  # OrderId -> [signed size, filled]
        self._order_ids: dict[str, str] = {}  # client id -> OrderId
        self._journaled: dict[str, float] = {}  # client id -> filled, from the broker's journal
        self._positions: dict[str, float] = {}  # last open positions sent to the broker
        self._snapshot_due = False

    # -- the engine side --------------------------------------------------------------------------
    def getdata(self, *args: Any, **kwargs: Any) -> Any:
        """A :class:`~.feed.VCData` on this store."""
        from .feed import VCData

        return VCData(*args, store=self, **kwargs)

    def getbroker(self, *args: Any, **kwargs: Any) -> Any:
        """This store's :class:`~.broker.VCBroker` (one per store)."""
        from .broker import VCBroker

        if self.broker is None:
            self.broker = VCBroker(*args, store=self, **kwargs)
        return self.broker

    def attach_inbox(self, inbox: Inbox) -> None:
        """Where every event for the engine thread goes (set by Cerebro before start)."""
        self.inbox = inbox

    def on_event(self, event: Any) -> None:
        """Engine thread: a STORE event becomes a ``notify_store`` message."""
        self.put_notification(event.payload)

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the pump thread (the only thread that may touch the backend)."""
        with self._lock:
            self._commands.append(lambda: fn(*args))
        self.backend.wake()

    # -- lifecycle --------------------------------------------------------------------------------
    def _connect(self) -> None:
        """Start the pump thread and wait until Visual Chart is connected (or say why not)."""
        if self.p.record:
            self.backend = RecordingBackend(self._backend_inner, self.p.record, self.p.secrets)
        self._halt = False
        self._commands.clear()
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._main, args=(ready, failure), daemon=True,
                                        name="vcstore-pump")
        self._thread.start()
        if not ready.wait(self.p.timeout):
            self._stop_thread()
            raise VCUnavailableError(f"Visual Chart did not answer within {self.p.timeout:g} s "
                                     "(is it running and logged in?)")
        if failure:
            self._thread.join(self.p.timeout)
            self._thread = None
            raise failure[0]

    def _disconnect(self) -> None:
        self._stop_thread()

    def _stop_thread(self) -> None:
        self._halt = True
        thread, self._thread = self._thread, None
        self.backend.wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join(self.p.timeout)

    # -- the pump thread ----------------------------------------------------------------------------
    def _main(self, ready: threading.Event, failure: list[BaseException]) -> None:
        try:
            self.backend.connect()
            self.connected = True
            self._open_session()
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            self._close_backend()
            return
        ready.set()
        while not self._halt:
            self._run_commands()
            if self._halt:
                break
            try:
                events = self.backend.pump(_PUMP_TIMEOUT)
            except VCError as exc:
                self._report(f"Visual Chart events could not be read: {exc}", exc)
                continue
            self._handle(events)
        self._close_backend()

    def _close_backend(self) -> None:
        try:
            self.backend.close()
        except Exception as exc:  # closing must not hide why the session ended
            log.warning("closing the Visual Chart backend failed: %s", exc)
        self.connected = False

    def _run_commands(self) -> None:
        while True:
            with self._lock:
                if not self._commands:
                    return
                command = self._commands.popleft()
            try:
                command()
            except TraceMismatchError as exc:
                self._fatal(exc)
            except Exception as exc:
                self._report(f"Visual Chart call failed: {exc}", exc)

    def _fatal(self, exc: BaseException) -> None:
        """A replayed session left its trace: say where, end every data (so the run ends) and stop."""
        self._report(f"the replayed Visual Chart session diverged from its trace: {exc}", exc)
        for sub in self._subs:
            if not sub.ended:
                self._status(sub, DataBase.DISCONNECTED)
        self._halt = True

    def _report(self, text: str, exc: BaseException | None = None) -> None:
        log.error("%s", text, exc_info=exc)
        self.notify(text)

    def _put(self, kind: Kind, payload: Any, source: Any) -> None:
        if self.inbox is not None:
            self.inbox.put(kind, payload, source=source)
        elif kind is Kind.STORE:
            self.put_notification(payload)

    def notify(self, msg: Any) -> None:
        """A ``notify_store`` message for the strategy (any thread)."""
        self._put(Kind.STORE, msg, self)

    def _status(self, sub: _Sub, status: int) -> None:
        self._put(Kind.DATA_STATUS, status, sub.data)
        if status in (DataBase.DISCONNECTED, DataBase.NOTSUBSCRIBED):
            sub.ended = True

    def _handle(self, events: list[ComEvent]) -> None:
        """Hand one pumped batch on, in order; a snapshot asked for by the server's return comes last."""
        for event in events:
            try:
                self._dispatch(event)
            except TraceMismatchError as exc:
                self._fatal(exc)
                return
            except Exception as exc:
                self._report(f"Visual Chart {event.source} event {event.name} could not be handled: {exc}",
                             exc)
        if self._snapshot_due:
            self._snapshot_due = False
            try:
                self._send_snapshot()
            except VCError as exc:
                self._report(f"Visual Chart's orders and positions could not be read after its return: {exc}",
                             exc)

    def _dispatch(self, event: ComEvent) -> None:
        name, args = event.name, event.args
        if name == "OnNewDataSerieBar":
            self._on_serie_bar(str(args["serie"]), int(args["size"]))
        elif name == "OnNewTicks":
            self._on_ticks(args["ticks"])
        elif name == "OnServerShutDown":
            self._on_lost("Visual Chart's server shut down")
        elif name == "OnInternalEvent":
            if args.get("p1") == 1:
                if args.get("p2") == 1:
                    self._on_back()
                else:
                    self._on_lost("Visual Chart is disconnected")
        elif name in ORDER_EVENT_STATUS:
            self._on_order(name, args["order"])
        elif name == "OnChangedBalance":
            if args["account"] == self.account:
                self._send_balance()
        elif name == "OnChangedOpenPositions":
            if args["account"] == self.account:
                self._send_positions()

    # -- connection ---------------------------------------------------------------------------------
    def _open_session(self) -> None:
        """After connecting: choose the broker's account (the broker asks for its snapshot once started)."""
        self.notify("Visual Chart is connected")
        broker = self.broker
        if broker is None:
            return
        record = select_account(self.backend.call("trader", "accounts"), getattr(broker.p, "account", None))
        self.account = str(record["Account"])

    def request_snapshot(self, filled: Mapping[str, float] | None = None) -> None:
        """Send the broker a snapshot to reconcile against (from any thread); ``filled``: what the
        journal has filled of each alive order, so a restart's fills go on with the right ids."""
        self.call_soon(self._first_snapshot, dict(filled or {}))

    def _first_snapshot(self, filled: dict[str, float]) -> None:
        self._journaled = filled
        self._send_snapshot()

    def _on_lost(self, why: str) -> None:
        if not self.connected:
            return
        self.connected = False
        self.notify(why)
        for sub in self._subs:
            if not sub.ended:
                self._status(sub, DataBase.CONNBROKEN)
        if self.broker is not None:
            self._put(Kind.CONNECTION, "lost", self.broker)

    def _on_back(self) -> None:
        if self.connected:
            return
        self.connected = True
        self.notify("Visual Chart is connected")
        for sub in self._subs:
            if not sub.ended and sub.live:
                self._status(sub, DataBase.CONNECTED)
                self._catch_up(sub, delayed=1)
                self._status(sub, DataBase.LIVE)
        self._snapshot_due = self.broker is not None and self.account is not None

    def _send_snapshot(self) -> None:
        account = self.account
        if account is None:
            return
        orders = self.backend.call("trader", "orders", account=account)
        records = self.backend.call("trader", "positions", account=account)
        balance = self.backend.call("trader", "balance", account=account)
        snap = snapshot(orders, records, balance)
        for order in snap.open_orders:  # one not sent in this session: its size is its Volume
            order_id = order.venue_ids["OrderId"]
            self._orders.setdefault(order_id, [order.size, self._journaled.get(order.client_id or "", 0.0)])
            if order.client_id:
                self._order_ids.setdefault(order.client_id, order_id)
        self._positions = dict(snap.positions)
        opened = tuple(_with_filled(o, self._orders[o.venue_ids["OrderId"]][1]) for o in snap.open_orders)
        snap = VenueSnapshot(open_orders=opened, positions=snap.positions, cash=snap.cash)
        self._put(Kind.ACCOUNT, account_values(balance), self.broker)
        self._put(Kind.CONNECTION, snap, self.broker)

    def _send_balance(self) -> None:
        balance = self.backend.call("trader", "balance", account=self.account)
        self._put(Kind.ACCOUNT, account_values(balance), self.broker)

    def _send_positions(self) -> None:
        """Open positions by symbol; one no longer listed is sent as 0 (Visual Chart lists no flat ones)."""
        now = positions(self.backend.call("trader", "positions", account=self.account))
        gone = {symbol: 0.0 for symbol in self._positions if symbol not in now}
        self._positions = now
        self._put(Kind.POSITION, {**gone, **now}, self.broker)

    # -- orders (pump thread) -----------------------------------------------------------------------
    def send_order(self, client_id: str, fields: Mapping[str, Any]) -> None:
        """Send an order record built by :func:`.mapping.order_fields` (from any thread)."""
        self.call_soon(self._send_order, client_id, dict(fields))

    def cancel_order(self, client_id: str, order_id: str | None = None) -> None:
        """Cancel the order sent under ``client_id`` (Visual Chart's ``order_id`` if known; any thread)."""
        self.call_soon(self._cancel_order, client_id, order_id)

    def _send_order(self, client_id: str, fields: dict[str, Any]) -> None:
        sign = 1.0 if fields["OrderSide"] == "OS_Buy" else -1.0
        size = sign * float(fields["Volume"])
        try:
            order_id = str(self.backend.call("trader", "send_order", order=fields))
        except ComCallError as exc:
            refused = VenueOrder(str(fields["SymbolCode"]), size, status="Rejected", client_id=client_id,
                                 reason=f"SendOrder refused: {exc}")
            self._put(Kind.ORDER, refused, self.broker)
            return
        self._orders[order_id] = [size, 0.0]
        self._order_ids[client_id] = order_id

    def _order_id(self, client_id: str, what: str, known: str | None = None) -> str | None:
        order_id = self._order_ids.get(client_id) or known
        if order_id is None:
            self.notify(f"{what} of order {client_id}: Visual Chart never took it (no OrderId)")
        return order_id

    def _cancel_order(self, client_id: str, known: str | None) -> None:
        order_id = self._order_id(client_id, "cancel", known)
        if order_id is None:
            return
        try:
            self.backend.call("trader", "cancel_order", order_id=order_id)
        except ComCallError as exc:
            self.notify(f"cancel of order {client_id} (OrderId {order_id}) refused: {exc}")

    def _on_order(self, name: str, record: Mapping[str, Any]) -> None:
        if self.broker is None or (self.account is not None and record.get("Account") != self.account):
            return  # no broker here, or another account's order
        order_id = str(record.get("OrderId"))
        size, filled = self._orders.get(order_id, (None, 0.0))
        update = order_update(name, record, size, filled, time=time.time())
        self._orders[order_id] = [update.order.size, update.order.filled]
        if update.order.client_id:
            self._order_ids.setdefault(update.order.client_id, order_id)
        if update.execution is not None:
            self._put(Kind.EXECUTION, update.execution, self.broker)
        self._put(Kind.ORDER, update.order, self.broker)

    # -- data (pump thread) -------------------------------------------------------------------------
    def subscribe(self, data: Any) -> None:
        """Start serving ``data`` (a VCData): history, then live bars or ticks (from any thread)."""
        self.call_soon(self._subscribe, data)

    def unsubscribe(self, data: Any) -> None:
        """Stop serving ``data`` (from any thread)."""
        if self._thread is not None:
            self.call_soon(self._unsubscribe, data)

    def _subscribe(self, data: Any) -> None:
        spec: DataSpec = data.spec
        sub = _Sub(data, spec)
        self._subs.append(sub)
        try:
            info = self.backend.call("datasource", "symbol_info", symbol=spec.symbol)
        except ComCallError as exc:
            self.notify(f"Visual Chart does not serve {spec.symbol}: {exc}")
            self._status(sub, DataBase.NOTSUBSCRIBED)
            return
        sub.time_offset = float(info.get("TimeOffset") or 0.0)
        self._status(sub, DataBase.CONNECTED)
        p = data.p
        start, end = data.history_range(_dt.datetime.now(_dt.UTC).replace(tzinfo=None))
        live = not p.historical
        sub.serie = self.backend.call("datasource", "open_serie", symbol=spec.symbol, ct=spec.ct,
                                      compression=spec.compression, start=start,
                                      **({"end": end} if end is not None else {}),
                                      live=live and not spec.ticking)
        sub.live = live
        if not p.backfill_start and live:
            sub.read = int(self.backend.call("datasource", "serie_size", serie=sub.serie))
        self._catch_up(sub, delayed=1)
        if not live:
            self._close_serie(sub)
            self._status(sub, DataBase.DISCONNECTED)
            return
        if spec.ticking:
            self.backend.call("realtime", "request_feed", symbol=spec.symbol)
        self._status(sub, DataBase.LIVE)

    def _unsubscribe(self, data: Any) -> None:
        for sub in [s for s in self._subs if s.data is data]:
            self._subs.remove(sub)
            sub.ended = True
            try:
                self._close_serie(sub)
                if sub.live and sub.spec.ticking and self.connected:
                    self.backend.call("realtime", "cancel_feed", symbol=sub.spec.symbol)
            except ComCallError as exc:
                log.info("unsubscribing %s: %s", sub.spec.symbol, exc)

    def _close_serie(self, sub: _Sub) -> None:
        serie, sub.serie = sub.serie, None
        if serie is not None:
            self.backend.call("datasource", "close_serie", serie=serie)

    def _catch_up(self, sub: _Sub, size: int | None = None, delayed: int = 2) -> None:
        """Hand on the serie's bars not read yet, ``DELAYED`` first when ``delayed`` or more wait."""
        if sub.serie is None:
            return
        if size is None:
            size = int(self.backend.call("datasource", "serie_size", serie=sub.serie))
        if size - sub.read >= delayed:
            self._status(sub, DataBase.DELAYED)
        while sub.read < size:
            last = min(size, sub.read + _BARS_PER_CALL)
            bars = self.backend.call("datasource", "serie_bars", serie=sub.serie, first=sub.read + 1,
                                     last=last)
            for bar in bars:
                self._put(Kind.BAR, self._bar(sub, bar), sub.data)
            sub.read = last

    def _bar(self, sub: _Sub, bar: Mapping[str, Any]) -> dict[str, Any]:
        when = vc_time_to_utc(float(bar["Date"]), time_offset=sub.time_offset, market=sub.spec.market,
                              tz=sub.spec.timezone, bar=True, millisecond=sub.data.p.millisecond)
        return {"datetime": when, "open": bar["Open"], "high": bar["High"], "low": bar["Low"],
                "close": bar["Close"], "volume": bar.get("Volume") or 0.0,
                "openinterest": bar.get("OpenInterest") or 0.0}

    def _on_serie_bar(self, serie: str, size: int) -> None:
        for sub in self._subs:
            if sub.serie == serie and not sub.ended:
                behind = size - sub.read > 1
                self._catch_up(sub, size)
                if behind:
                    self._status(sub, DataBase.LIVE)

    def _on_ticks(self, ticks: list[Mapping[str, Any]]) -> None:
        for tick in ticks:
            symbol = tick.get("SymbolCode")
            for sub in self._subs:
                if sub.ended or not sub.spec.ticking or sub.spec.symbol != symbol:
                    continue
                if tick.get("Field") == "Field_Description" and not tick.get("Date"):
                    self.notify(f"Visual Chart does not know {symbol}: {tick.get('Text') or 'not found'}")
                    self._status(sub, DataBase.NOTSUBSCRIBED)
                elif tick.get("Field") == "Field_Time":
                    when = vc_time_to_utc(float(tick["Date"]), time_offset=sub.time_offset,
                                          market=sub.spec.market, tz=sub.spec.timezone)
                    payload = {"price": float(tick["Value"]), "size": float(tick.get("FieldEx") or 0.0),
                               "time": when}
                    self._put(Kind.TICK, payload, sub.data)


def _with_filled(order: VenueOrder, filled: float) -> VenueOrder:
    """An open order of the snapshot with the fills this session has seen of it."""
    status = "Partial" if filled else order.status
    return VenueOrder(order.instrument, order.size, filled=filled, status=status, client_id=order.client_id,
                      venue_ids=order.venue_ids, reason=order.reason)
