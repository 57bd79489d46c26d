"""A complete in-memory venue and its adapter, to run the live core without any real venue.

``LoopbackVenue`` keeps the venue's truth (orders, executions, commissions, positions, cash) in a
tradebridge ``BackBroker`` on its own data feeds and runs on its own thread: orders arrive as
commands, bars arrive with ``step()``, and everything it says goes through the engine's inbox,
as a real venue's store would put it. Faults can be injected: drop the connection (events are
lost while down, orders sent meanwhile never arrive), lose acknowledgements, repeat executions,
send a commission before its execution, reject an order with a code and text.
``LoopbackBroker`` is the adapter: it only translates orders into the venue's commands.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import queue
import threading
from collections.abc import Callable, Mapping
from typing import Any

from tradebridge.brokers.backbroker import BackBroker
from tradebridge.feeds.live import LiveDataBase
from tradebridge.feeds.pandafeed import PandasData
from tradebridge.orders.order import Order

from .broker import LiveBroker, OrderRefused
from .inbox import Kind
from .state import VenueExecution, VenueOrder, VenueSnapshot

__all__ = ["LoopbackBroker", "LoopbackData", "LoopbackVenue"]

REJECT_CODE = 201  # the code of the venue's own rejections (IB's "order rejected")
NO_INSTRUMENT = 200  # IB's "no security definition"


class LoopbackVenue:
    """An in-memory venue on a thread: a BackBroker matching engine over its own copies of the bars."""

    def __init__(self, frames: Mapping[str, Any], cash: float = 100_000.0, commission: float = 0.0,
                 account_updates: bool = True) -> None:
        self.engine = BackBroker(cash=cash)
        self.engine.setcommission(commission=commission)
        self.engine.start()
        self.datas: dict[str, Any] = {}
        for name, frame in frames.items():
            data = PandasData(dataname=frame, name=name)
            data._start()
            data.preload()
            self.datas[name] = data
        self.account_updates = account_updates
        self.placed: list[str] = []  # client ids of every order that reached the venue
        self.executions: list[VenueExecution] = []
        self._orders: dict[str, Order] = {}
        self._ids: dict[str, str] = {}  # client id -> venue order id
        self._cids: dict[int, str] = {}  # engine order ref -> client id
        self._rejected: dict[str, VenueOrder] = {}  # orders refused before reaching the engine
        self._exec_seq = itertools.count(1)
        self._order_seq = itertools.count(1)
        self._faults: dict[str, Any] = {"lose_acks": 0, "duplicate": 0, "swap": 0, "reject": None}
        self._inbox: Any = None
        self._source: Any = None
        self.connected = False
        self._subscribers: dict[str, Any] = {}  # instrument -> LoopbackData getting its bars
        self._player: threading.Thread | None = None
        self._halt = threading.Event()
        self._commands: queue.Queue[tuple[Callable[..., None], tuple]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="loopback-venue", daemon=True)
        self._thread.start()

    # -- the caller's side (any thread): commands, in order --------------------------------------
    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        self._commands.put((fn, args))

    def connect(self, inbox: Any, source: Any) -> None:
        """(Re)connect a client: it gets a VenueSnapshot, then live events."""
        self._call(self._connect, inbox, source)

    def drop(self) -> None:
        """Cut the connection: the client hears 'lost'; events until the next connect are lost."""
        self._call(self._drop)

    def step(self) -> None:
        """The next bar on every instrument: match orders, report what happened."""
        self._call(self._step)

    def place(self, spec: dict[str, Any]) -> None:
        """An order from the client (lost if the connection is down)."""
        self._call(self._place, spec)

    def cancel(self, client_id: str) -> None:
        """A cancel request from the client (lost if the connection is down)."""
        self._call(self._cancel, client_id)

    def inject(self, **faults: Any) -> None:
        """Arm faults: ``lose_acks=n``, ``duplicate=n`` (executions), ``swap=n`` (commission
        first), ``reject=(code, text)`` (the next order)."""
        unknown = set(faults) - set(self._faults)
        if unknown:
            raise ValueError(f"unknown loopback fault(s) {sorted(unknown)}; known: {sorted(self._faults)}")
        self._call(self._faults.update, faults)

    def subscribe(self, data: Any) -> None:
        """Send ``data`` (a LoopbackData) its instrument's bars as they happen."""
        self._call(self._subscribers.__setitem__, data._name, data)

    def play(self, pace: float) -> None:
        """Step through the remaining bars on a player thread, ``pace`` seconds apart; the
        subscribed datas hear DISCONNECTED after the last one."""
        if self._player is None:
            self._player = threading.Thread(target=self._play, args=(pace,), name="loopback-player",
                                            daemon=True)
            self._player.start()

    def stop_playing(self) -> None:
        """Stop the player thread (if any)."""
        player, self._player = self._player, None
        if player is not None:
            self._halt.set()
            player.join()

    def _play(self, pace: float) -> None:
        first = next(iter(self.datas.values()))
        while len(first) < first.buflen() and not self._halt.wait(pace):
            self.step()
            self.sync()
        self._call(self._end_streams)

    def _end_streams(self) -> None:
        for data in self._subscribers.values():
            self._inbox.put(Kind.DATA_STATUS, data.DISCONNECTED, source=data)

    def sync(self) -> None:
        """Wait until every command sent so far has been carried out."""
        self._commands.join()

    def close(self) -> None:
        """Stop the venue's threads."""
        self.stop_playing()
        self._commands.put((_stop, ()))
        self._thread.join()

    # -- the venue's thread ----------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            fn, args = self._commands.get()
            try:
                if fn is _stop:
                    return
                fn(*args)
            finally:
                self._commands.task_done()

    def _emit(self, kind: Kind, payload: Any) -> None:
        if self.connected:
            self._inbox.put(kind, payload, source=self._source)

    def _connect(self, inbox: Any, source: Any) -> None:
        self._inbox, self._source, self.connected = inbox, source, True
        self._emit(Kind.CONNECTION, self.snapshot())

    def _drop(self) -> None:
        if self.connected:
            self._emit(Kind.CONNECTION, "lost")
            self.connected = False

    def _step(self) -> None:
        for data in self.datas.values():
            data.advance()
        for name, data in self._subscribers.items():
            self._emit_bar(data, self.datas[name])
        self.engine.next()
        self._report()
        if self.account_updates:
            self._emit(Kind.ACCOUNT, {"cash": self.engine.getcash(), "value": self.engine.getvalue()})

    def _emit_bar(self, subscriber: Any, data: Any) -> None:
        if self.connected:
            lines = data.lines
            self._inbox.put(Kind.BAR, {
                "datetime": data.datetime.datetime().replace(tzinfo=_dt.UTC), "open": lines.open[0],
                "high": lines.high[0], "low": lines.low[0], "close": lines.close[0],
                "volume": lines.volume[0], "openinterest": 0.0}, source=subscriber)

    def _place(self, spec: dict[str, Any]) -> None:
        if not self.connected:
            return
        cid = spec["client_id"]
        self.placed.append(cid)
        self._ids[cid] = str(next(self._order_seq))
        data = self.datas.get(spec["instrument"])
        reject = self._faults["reject"]
        if data is None or reject is not None:
            self._faults["reject"] = None
            code, text = reject or (NO_INSTRUMENT, f"no instrument {spec['instrument']!r} at this venue")
            self._refuse(spec, code, text)
            return
        try:
            order = self._enter(spec, data)
        except (ValueError, KeyError) as exc:
            self._refuse(spec, REJECT_CODE, f"order refused: {exc}")
            return
        self._orders[cid] = order
        self._cids[order.ref] = cid
        self._report()

    def _refuse(self, spec: dict[str, Any], code: int, text: str) -> None:
        cid = spec["client_id"]
        vo = VenueOrder(spec["instrument"], spec["size"], 0.0, "Rejected", cid, {"orderId": self._ids[cid]},
                        text, code)
        self._rejected[cid] = vo
        self._emit(Kind.ORDER, vo)

    def _enter(self, spec: dict[str, Any], data: Any) -> Order:
        """The order in the matching engine (parent and OCO by the client's ids)."""
        parent = self._orders[spec["parent"]] if spec["parent"] else None
        oco = self._orders[spec["oco"]] if spec["oco"] else None
        size = spec["size"]
        side = self.engine.buy if size > 0 else self.engine.sell
        return side(None, data, abs(size), price=spec["price"], plimit=spec["plimit"],
                    exectype=spec["exectype"], valid=spec["valid"], oco=oco, parent=parent,
                    trailamount=spec["trailamount"], trailpercent=spec["trailpercent"],
                    transmit=spec["transmit"])

    def _cancel(self, client_id: str) -> None:
        order = self._orders.get(client_id)
        if self.connected and order is not None:
            self.engine.cancel(order)
            self._report()

    def _report(self) -> None:
        """Turn the matching engine's notifications into venue events."""
        while (note := self.engine.get_notification()) is not None:
            cid = self._cids[note.ref]
            oid = self._ids[cid]
            for bit in note.executed.iterpending():
                self._execution(cid, oid, note.data._name, bit)
            status = note.getstatusname()
            if status in ("Submitted", "Accepted") and self._faults["lose_acks"] > 0:
                self._faults["lose_acks"] -= 1
                continue
            self._emit(Kind.ORDER, self._venue_order(cid, note))

    def _execution(self, cid: str, oid: str, instrument: str, bit: Any) -> None:
        exec_id = f"{oid}.{next(self._exec_seq):06d}"
        ex = VenueExecution(exec_id, instrument, bit.size, bit.price, cid, {"orderId": oid})
        self.executions.append(VenueExecution(exec_id, instrument, bit.size, bit.price, cid,
                                              {"orderId": oid}, commission=bit.comm))
        events = [(Kind.EXECUTION, ex), (Kind.COMMISSION, (exec_id, bit.comm))]
        if self._faults["swap"] > 0:
            self._faults["swap"] -= 1
            events.reverse()
        if self._faults["duplicate"] > 0:
            self._faults["duplicate"] -= 1
            events.insert(1, (Kind.EXECUTION, ex))
        for kind, payload in events:
            self._emit(kind, payload)

    def _venue_order(self, cid: str, order: Any) -> VenueOrder:
        status = order.getstatusname()
        reason = str(order.info.get("reason", "")) if status in ("Rejected", "Margin") else ""
        code = REJECT_CODE if reason else None
        return VenueOrder(order.data._name, order.size, order.executed.size, status, cid,
                          {"orderId": self._ids[cid]}, reason, code)

    # -- the venue's truth (read on its thread, or after sync()) ---------------------------------
    def snapshot(self) -> VenueSnapshot:
        """What the venue tells a client that (re)connects."""
        open_orders: list[VenueOrder] = []
        closed: list[VenueOrder] = []
        for cid, order in self._orders.items():
            (open_orders if order.alive() else closed).append(self._venue_order(cid, order))
        closed.extend(self._rejected.values())
        return VenueSnapshot(
            open_orders=tuple(open_orders), executions=tuple(self.executions),
            positions=self.positions(), cash=self.engine.getcash(), closed_orders=tuple(closed),
            cursor=self.executions[-1].exec_id if self.executions else None)

    def positions(self) -> dict[str, float]:
        """Net position per instrument."""
        return {data._name: self.engine.getposition(data).size for data in self.datas.values()}

    def order_status(self, client_id: str) -> str:
        """The venue's status name of an order it received."""
        if client_id in self._rejected:
            return "Rejected"
        return self._orders[client_id].getstatusname()


def _stop() -> None:
    """The command that ends the venue's thread."""


class LoopbackBroker(LiveBroker):
    """The adapter of ``LoopbackVenue``: translates orders into its commands, nothing more."""

    params: Any = (("venue", None),)

    def attach_inbox(self, inbox: Any) -> None:
        """Connect to the venue, which reports through ``inbox`` from now on."""
        super().attach_inbox(inbox)
        self.p.venue.connect(inbox, self)

    def _venue_submit(self, order: Order, client_id: str) -> None:
        group = self.group_of(order)
        if order.exectype == Order.Historical:
            raise OrderRefused("the loopback venue takes no Historical orders")
        self.p.venue.place({
            "client_id": client_id, "instrument": self.instrument(order.data), "size": order.size,
            "exectype": order.exectype, "price": order.price, "plimit": order.pricelimit,
            "valid": order.valid, "trailamount": order.trailamount,
            "trailpercent": order.trailpercent, "parent": group.parent, "oco": group.oco,
            "transmit": group.transmit,
        })

    def _venue_cancel(self, order: Order, client_id: str) -> None:
        self.p.venue.cancel(client_id)


class LoopbackData(LiveDataBase):
    """A live data fed by a LoopbackVenue: its instrument's bars as the venue plays them."""

    params: Any = (("venue", None), ("pace", 0.01))

    def _subscribe(self) -> None:
        self.put_notification(self.LIVE)
        self.p.venue.subscribe(self)
        self.p.venue.play(self.p.pace)

    def _unsubscribe(self) -> None:
        self.p.venue.stop_playing()
