"""LiveBroker: the broker core every venue (IB, OANDA, Visual Chart) subclasses.

A template method: this base checks risk, gives each order its client id, journals it, passes
it to the adapter's ``_venue_submit``/``_venue_cancel`` and, on the engine thread, turns the
adapter's inbox events (ORDER, EXECUTION, COMMISSION, ACCOUNT, POSITION, CONNECTION) into order
statuses, fills, positions, cash and notifications, journal first. The adapter only translates.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tradebridge.brokers.base import BrokerBase
from tradebridge.brokers.fillcash import settle
from tradebridge.orders.order import BuyOrder, Order, SellOrder
from tradebridge.orders.position import Position

from .apply import AppliedFill, FillApplier
from .inbox import Event, Kind
from .journal import Journal
from .paths import default_journal_path
from .reconcile import CashMismatch, effects, reconcile
from .state import VenueExecution, VenueOrder, VenueSnapshot

__all__ = ["LiveBroker", "OrderGroup", "OrderRefused"]


class OrderRefused(Exception):
    """Raised by an adapter's ``_venue_submit`` for an order the venue cannot take (the order
    is then Rejected with this text); anything else the adapter raises propagates."""


@dataclasses.dataclass(frozen=True, slots=True)
class OrderGroup:
    """How an order is linked at the venue; the adapter maps it to native brackets/OCA groups.

    ``parent``: client id of its bracket parent (None: not a child). ``oco``: the OCO group's
    name (the client id of its first member), set on every member after the first (None: no
    group; a venue that needs the name on the first member too adds it when the second comes).
    ``transmit``: False while more members of the same bracket follow (IB ``transmit``), True on
    the last one.
    """

    parent: str | None = None
    oco: str | None = None
    transmit: bool = True


class LiveBroker(FillApplier, BrokerBase):
    """Template-method live broker; subclasses implement ``_venue_submit``/``_venue_cancel``."""

    params: Any = (
        ("journal", None),  # journal path; None: default_journal_path(strategy, account)
        ("strategy", "strategy"),  # the name of the default journal file
        ("account", ""),
        ("cash", 0.0),  # cash until the venue reports its own (ACCOUNT events)
        ("checksubmit", True),  # refuse (Margin) orders the known cash cannot pay
        ("shortcash", True),
        ("synchronous", "NORMAL"),  # the journal's SQLite synchronous mode (docs/live.md)
        ("cash_tolerance", 0.01),  # a venue cash further from ours is reported (notify_store)
    )

    def __init__(self, **kwargs: Any) -> None:
        self._by_instrument: dict[str, Any] = {}
        self._instrument_of: dict[Any, str] = {}
        self.journal: Any = None
        self.store_messages: list[str] = []
        super().__init__(**kwargs)

    def init(self) -> None:
        """Reset the in-memory state (the journal keeps the truth across runs)."""
        super().init()
        self.startingcash = self.cash = float(self.p.cash)
        # the venue's cash at this run's last snapshot, moved since only by the fills and commissions
        # applied: what a snapshot's cash is checked against (venue ACCOUNT figures never move it)
        self._ledger: float | None = None
        self.value: float | None = None  # the venue's account value, when it sends one
        self.account: dict[str, Any] = {}
        self.positions: defaultdict[Any, Position] = defaultdict(Position)
        self.unmapped: dict[str, Position] = {}  # journaled positions of instruments with no data
        self.external_positions: dict[str, float] = {}
        self.venue_positions: dict[str, float] = {}
        self._open: dict[int, Order] = {}
        self._held: dict[int, list[Order]] = {}  # bracket members waiting for their transmit
        self._groups: dict[int, OrderGroup] = {}
        self._oco: dict[int, str] = {}  # order ref -> OCO group name
        self._applied: dict[str, AppliedFill] = {}
        self._handed: set[str] = set()  # client ids given to _venue_submit in this process
        self.connected = False

    # -- datas and instruments -------------------------------------------------------------------
    def register_data(self, data: Any, instrument: str | None = None) -> None:
        """Map a data to the venue's instrument name (default: the adapter's ``instrument``)."""
        name = instrument or self.instrument(data)
        self._by_instrument[name] = data
        self._instrument_of[data] = name
        moved = self.unmapped.pop(name, None)
        if moved is not None:
            self.positions[data] = moved

    def instrument(self, data: Any) -> str:
        """The venue's name of ``data``'s instrument (adapters override; default: its name)."""
        found = self._instrument_of.get(data)
        if found is not None:
            return found
        name = getattr(data, "_name", "") or getattr(getattr(data, "p", None), "dataname", None)
        if not isinstance(name, str) or not name:
            raise ValueError(f"data {data!r} has no name; give it one (name=...) to trade it live")
        return name

    def data_for(self, instrument: str) -> Any:
        """The data trading ``instrument`` (None when no data of this run does)."""
        return self._by_instrument.get(instrument)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the journal and rebuild positions and cash from its fills."""
        super().start()
        cerebro = getattr(self, "cerebro", None)
        for data in getattr(cerebro, "datas", ()):
            if data not in self._instrument_of:
                self.register_data(data)
        path = self.p.journal or default_journal_path(self.p.strategy, self.p.account)
        self.journal = Journal(path, strategy=self.p.strategy, secrets=self._journal_secrets(),
                               synchronous=self.p.synchronous)
        self._rebuild()

    def stop(self) -> None:
        """Close the journal."""
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    def _journal_secrets(self) -> Iterable[str]:
        """Secrets the journal must never write: the store's secret params."""
        store = getattr(self, "_store", None)
        names = getattr(store, "secret_params", ())
        return [str(v) for v in (getattr(store.p, n, None) for n in names) if v] if store else []

    def _rebuild(self) -> None:
        """Replay this strategy's journaled fills: positions and cash as they were left."""
        registry = self.journal.registry
        for ex in self.journal.fills():
            state = registry.get(ex.client_id or "")
            if state is None or state.external:
                if state is not None:
                    self.external_positions[ex.instrument] = (
                        self.external_positions.get(ex.instrument, 0.0) + ex.size)
                continue
            data = self.data_for(ex.instrument)
            comminfo, cinfocomp = self._schemes_of(data)
            position = self._position_of(ex.instrument, data)
            s = settle(comminfo, cinfocomp, position, ex.size, ex.price, self.cash, self.p.shortcash,
                       check_cash=False)
            comm = s.closedcomm + s.openedcomm
            self.cash = s.cash if ex.commission is None else s.cash + comm - ex.commission
            position.update(ex.size, ex.price)
            self._applied[ex.exec_id] = AppliedFill(
                ex.exec_id, None, None, s.closed, s.opened, comm if ex.commission is None else ex.commission)

    # -- account ---------------------------------------------------------------------------------
    def getcash(self) -> float:
        """Cash: the venue's last figure, else the starting cash moved by the fills."""
        return self.cash

    def getvalue(self, datas: Any = None) -> float:
        """Value: the venue's (when it sends one and ``datas`` is None), else cash plus positions
        marked at each data's close."""
        if datas is None and self.value is not None:
            return self.value
        total = 0.0 if datas else self.cash
        for data, pos in (self.positions.items() if not datas else ((d, self.positions[d]) for d in datas)):
            if pos.size and len(data):
                total += self.getcommissioninfo(data).getvaluesize(pos.size, data.close[0])
        return total

    def getposition(self, data: Any) -> Position:
        """The Position of ``data``."""
        return self.positions[data]

    def get_orders_open(self, safe: bool = False) -> list[Any]:
        """Orders of this run still alive (clones when ``safe``)."""
        return [o.clone() if safe else o for o in self._open.values()]

    def orderstatus(self, order: Order) -> int:
        """Status of ``order`` as this broker knows it."""
        return order.status

    def store_message(self, msg: str) -> None:
        """Send a message to ``notify_store`` (through the store when there is one)."""
        self.store_messages.append(msg)
        store = getattr(self, "_store", None)
        if store is not None:
            store.put_notification(msg)

    # -- order entry -----------------------------------------------------------------------------
    def buy(self, owner: Any, data: Any, size: float, price: float | None = None,
            plimit: float | None = None, exectype: int | None = None, valid: Any = None,
            tradeid: int = 0, oco: Any = None, trailamount: float | None = None,
            trailpercent: float | None = None, parent: Any = None, transmit: bool = True,
            **kwargs: Any) -> Order:
        """Create and submit a buy order."""
        return self._enter(BuyOrder, owner, data, size, price, plimit, exectype, valid, tradeid, oco,
                           trailamount, trailpercent, parent, transmit, kwargs)

    def sell(self, owner: Any, data: Any, size: float, price: float | None = None,
             plimit: float | None = None, exectype: int | None = None, valid: Any = None,
             tradeid: int = 0, oco: Any = None, trailamount: float | None = None,
             trailpercent: float | None = None, parent: Any = None, transmit: bool = True,
             **kwargs: Any) -> Order:
        """Create and submit a sell order."""
        return self._enter(SellOrder, owner, data, size, price, plimit, exectype, valid, tradeid, oco,
                           trailamount, trailpercent, parent, transmit, kwargs)

    def _enter(self, cls: type[Order], owner: Any, data: Any, size: float, price: Any, plimit: Any,
               exectype: Any, valid: Any, tradeid: int, oco: Any, trailamount: Any, trailpercent: Any,
               parent: Any, transmit: bool, info: dict[str, Any]) -> Order:
        """Build, risk-check and submit one order."""
        if oco is not None and (oco.ref not in self._oco or not oco.alive()):
            raise ValueError(f"oco order {oco.ref} is not an alive order of this broker")
        order = cls(owner=owner, data=data, size=size, price=price, pricelimit=plimit,
                    exectype=exectype, valid=valid, tradeid=tradeid, oco=oco, trailamount=trailamount,
                    trailpercent=trailpercent, parent=parent, transmit=transmit)
        order.addinfo(**info)
        reason = self.risk_reason(order)
        if reason is not None:
            self._refuse(order, reason)
            return order
        return self.submit(order)

    def submit(self, order: Order) -> Order:
        """Send ``order`` (holding bracket members until the one with ``transmit`` arrives)."""
        parent = order.parent
        key = order.ref if parent is None else parent.ref
        if parent is not None and key not in self._held and (key not in self._groups or not parent.alive()):
            self._refuse(order, f"parent order {key} is not alive in this broker")
            return order
        held = self._held.setdefault(key, [])
        held.append(order)
        if order.transmit:
            del self._held[key]
            for i, member in enumerate(held):
                self._send(member, transmit=i == len(held) - 1)
        return order

    def _refuse(self, order: Order, reason: str) -> None:
        """Reject ``order`` before it leaves, and the held members of its bracket."""
        order.reject(self, reason=reason)
        self.notify(order)
        key = order.ref if order.parent is None else order.parent.ref
        for other in self._held.pop(key, []):
            if other is not order:
                other.reject(self, reason=f"bracket member {order.ref} was refused: {reason}")
                self.notify(other)

    def _cash_refusal(self, order: Order) -> str | None:
        """Why the known cash cannot pay ``order`` at its creation price (None: it can)."""
        if not self.p.checksubmit or order.parent is not None:
            return None
        comminfo, cinfocomp = self._schemes_of(order.data)
        held = self._position_of(self.instrument(order.data), order.data)
        position = held.clone()
        position.adjbase = held.adjbase
        s = settle(comminfo, cinfocomp, position, order.size, order.created.price, self.cash,
                   self.p.shortcash)
        return s.refused

    def _send(self, order: Order, transmit: bool) -> None:
        """Journal ``order`` under a new client id, then hand it to the adapter."""
        refused = self._cash_refusal(order)
        if refused is not None:
            order.margin(reason=refused)
            self.notify(order)
            return
        journal = self.journal
        cid = journal.next_client_id()
        parent = order.parent
        oco = None if order.oco is None else self._oco[order.oco.ref]
        self._oco[order.ref] = oco or cid  # the group name of orders that name this one as oco
        group = OrderGroup(parent=None if parent is None else journal.registry.client_id_of(parent),
                           oco=oco, transmit=transmit)
        order.addinfo(client_id=cid)
        details = {"exectype": order.getordername(), "price": order.price, "plimit": order.pricelimit,
                   "parent": group.parent, "oco": group.oco, "transmit": transmit, "info": dict(order.info)}
        journal.record_order(cid, self.instrument(order.data), order.size, order, details=details)
        self._groups[order.ref] = group
        self._open[order.ref] = order
        order.submit(self)
        self.notify(order)
        self._handed.add(cid)
        try:
            self._venue_submit(order, cid)
        except OrderRefused as exc:
            journal.record_status(cid, "Rejected", str(exc))
            self._show_status(order, "Rejected", str(exc))

    def group_of(self, order: Order) -> OrderGroup:
        """The bracket/OCO links of a sent order, by client ids (for the adapter)."""
        return self._groups[order.ref]

    def client_id_of(self, order: Order) -> str | None:
        """The client order id ``order`` was sent with (None if it was never sent)."""
        return None if self.journal is None else self.journal.registry.client_id_of(order)

    def cancel(self, order: Order) -> bool:
        """Ask the venue to cancel ``order`` (the venue's answer arrives as an ORDER event)."""
        if not order.alive():
            return False
        key = order.ref if order.parent is None else order.parent.ref
        held = self._held.get(key, [])
        if order in held:  # never left: cancel it and its untransmitted bracket here
            for member in self._held.pop(key):
                member.cancel()
                self.notify(member)
            return True
        cid = self.client_id_of(order)
        if cid is None:
            return False
        self._venue_cancel(order, cid)
        return True

    # -- the adapter's side ----------------------------------------------------------------------
    def _venue_submit(self, order: Order, client_id: str) -> None:
        """Send ``order`` to the venue under ``client_id`` (never block: hop to the store loop)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _venue_submit")

    def _venue_cancel(self, order: Order, client_id: str) -> None:
        """Ask the venue to cancel the order sent as ``client_id`` (never block)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _venue_cancel")

    def attach_inbox(self, inbox: Any) -> None:
        """The engine's inbox: adapters put their events there with ``source=self``."""
        self.inbox = inbox

    # -- events (engine thread) ------------------------------------------------------------------
    def on_event(self, event: Event) -> None:
        """Apply one venue event taken from the inbox."""
        handler = _HANDLERS.get(event.kind)
        if handler is None:
            raise ValueError(f"LiveBroker cannot handle {event.kind} events")
        if event.kind in _MOVES_LEDGER and self._ledger is not None:
            before = self.cash
            handler(self, event.payload)
            self._ledger += self.cash - before
            return
        handler(self, event.payload)

    def _on_order(self, vo: VenueOrder) -> None:
        """An order status report: link ids, journal the change, then tell the strategy."""
        journal = self.journal
        state = journal.registry.match(vo.client_id, vo.venue_ids)
        if state is None or state.external:
            self._on_external_order(vo)
            return
        cid = state.client_id
        if any(state.venue_ids.get(k) != v for k, v in vo.venue_ids.items()):
            journal.link(cid, vo.venue_ids)
        status = vo.status
        if status in ("Partial", "Completed"):  # fills drive these; the report acknowledges it
            status = "Accepted"
        if not state.alive or status == state.status or (status == "Accepted" and state.status == "Partial"):
            return
        if status == "Submitted" and state.status != "Created":
            return
        reason = vo.reason if vo.code is None else f"{vo.code}: {vo.reason}"
        journal.record_status(cid, status, reason)
        order = journal.registry.order(cid)
        if order is None:
            self.store_message(f"order {cid} (sent by a previous run): {status} {reason}".rstrip())
            return
        self._show_status(order, status, vo.reason, vo.code)

    def _on_external_order(self, vo: VenueOrder) -> None:
        """An order this strategy did not place: tracked and reported, never adopted."""
        known = self.journal.registry.match(vo.client_id, vo.venue_ids)
        state = self.journal.track_external(vo)
        if known is None:
            self.store_message(f"external order {state.client_id} on {vo.instrument} size {vo.size:g} "
                               f"({vo.status}): not placed by this strategy; tracked, not adopted")
        elif vo.status != state.status:
            self.journal.record_status(state.client_id, vo.status, vo.reason)

    def _on_execution(self, ex: VenueExecution) -> None:
        """A fill: journal it (once), then apply and notify; a repeated execution id is dropped."""
        journal = self.journal
        state = journal.registry.match(ex.client_id, ex.venue_ids)
        if state is None or state.external:
            seed_ids = ex.venue_ids or ({} if ex.client_id else {"execId": ex.exec_id})
            seed = VenueOrder(ex.instrument, ex.size, 0.0, "Accepted", ex.client_id, seed_ids)
            ext = state or journal.track_external(seed)
            if journal.record_fill(ext.client_id, ex, external=True):
                self._external_fill(ext.client_id, ex)
            return
        if not journal.record_fill(state.client_id, ex):
            return
        self._fill_status(state.client_id)
        order = journal.registry.order(state.client_id)
        self._apply_fill(state.client_id, ex, order)
        if order is not None:
            self.notify(order)

    def _on_commission(self, payload: tuple[str, float]) -> None:
        """The venue's commission of one execution replaces the estimate it was charged."""
        exec_id, commission = payload
        if not self.journal.record_commission(exec_id, float(commission)):
            return
        applied = self._applied.get(exec_id)
        if applied is not None:  # else the fill is still to come and takes it from the journal
            self._replace_commission(applied, float(commission))

    def _on_account(self, values: Mapping[str, Any]) -> None:
        """Account values from the venue: its cash and value are the ones reported."""
        self.account.update(values)
        if values.get("cash") is not None:
            self.cash = float(values["cash"])
        if values.get("value") is not None:
            self.value = float(values["value"])

    def _on_position(self, payload: Any) -> None:
        """The venue's position of one instrument (``{instrument: size}`` or a pair), kept for checks."""
        items = payload.items() if isinstance(payload, Mapping) else [payload]
        for instrument, size in items:
            self.venue_positions[str(instrument)] = float(size)

    def _on_connection(self, payload: Any) -> None:
        """Connection lost, or a snapshot after (re)connecting: reconcile, journal, apply, report."""
        if payload == "lost":
            self.connected = False
            self.store_message("connection to the venue lost; orders and fills are reconciled "
                               "when it is back")
            return
        if not isinstance(payload, VenueSnapshot):
            raise TypeError(f"CONNECTION payload must be 'lost' or a VenueSnapshot, got {payload!r}")
        in_flight = self._handed - payload.sent if payload.sent is not None else frozenset()
        actions = reconcile(self.journal.local_state(), payload, in_flight=in_flight)
        done = self.journal.commit(effects(actions))
        before = self.cash
        self._apply_effects(done)
        if payload.cash is not None:
            # Checked against the ledger plus the missed fills (never against a venue figure that may
            # already include them); the first snapshot of a run is the starting point.
            if self._ledger is not None:
                local = self._ledger + (self.cash - before)
                if abs(payload.cash - local) > self.p.cash_tolerance:
                    actions.append(CashMismatch(local, payload.cash))
            self._ledger = self.cash = payload.cash
        self.venue_positions = dict(payload.positions)
        for action in actions:
            if action.message:
                self.store_message(action.message)
        self.connected = True


_MOVES_LEDGER = frozenset({Kind.EXECUTION, Kind.COMMISSION})  # the events whose cash effect is ours
_HANDLERS: dict[Kind, Callable[[LiveBroker, Any], None]] = {
    Kind.ORDER: LiveBroker._on_order,
    Kind.EXECUTION: LiveBroker._on_execution,
    Kind.COMMISSION: LiveBroker._on_commission,
    Kind.ACCOUNT: LiveBroker._on_account,
    Kind.POSITION: LiveBroker._on_position,
    Kind.CONNECTION: LiveBroker._on_connection,
}
