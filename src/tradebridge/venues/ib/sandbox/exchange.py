"""The sandbox's venue: instruments, orders, executions, account; driven by bars, no I/O.

``place``/``cancel``/``on_bar`` return the events TWS would send (order status, open order,
execDetails, commission report, error, account/portfolio/position updates), each naming the
client ids it goes to. Prices come from tradebridge's ``Matcher`` (the backtest broker's fill
rules) on tradebridge ``Order`` objects that mirror the IB orders; commissions from the
account's commission plans. State outlives client connections, so a client that reconnects
finds its orders working and the executions it missed.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from tradebridge.brokers.matching import Matcher
from tradebridge.orders.order import BuyOrder, Order, SellOrder

from . import reports
from .accounts import Account, CommissionPlan, default_plans
from .codes import text
from .events import (
    UNSET_DOUBLE,
    Bar,
    CommissionEvent,
    CommissionReport,
    Contract,
    ErrorEvent,
    Event,
    ExecFilter,
    Execution,
    ExecutionEvent,
    OpenOrder,
    OrderRequest,
    OrderStatus,
)
from .instruments import Instrument, default_instruments
from .orderspec import OrderSpecError, bt_args, check_request

__all__ = ["Exchange", "Liquidity"]

Liquidity = Callable[[Order, float, int], float]  # a tradebridge volume filler: (order, price, ago) -> size

DONE = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})
_EPS = 1e-9
_TRAILING = (Order.StopTrail, Order.StopTrailLimit)


@dataclass(eq=False, slots=True)
class Working:
    """One IB order as the venue keeps it; ``bt`` is the tradebridge order used for matching."""

    client_id: int
    order_id: int
    perm_id: int
    inst: Instrument
    req: OrderRequest
    status: str = "PendingSubmit"
    filled: float = 0.0
    avg_price: float = 0.0
    last_price: float = 0.0
    raw_comm: float = 0.0
    value: float = 0.0
    commission: float = 0.0
    bt: Any = None
    note: str = ""
    done_time: _dt.datetime | None = None
    untimed: bool = False  # placed before the exchange saw any bar: session times come with the first

    @property
    def remaining(self) -> float:
        """Quantity still to fill (0 once done)."""
        return 0.0 if self.status in DONE else max(self.req.total_quantity - self.filled, 0.0)

    @property
    def alive(self) -> bool:
        """Whether it may still fill."""
        return self.status not in DONE

    @property
    def root(self) -> int:
        """The order id heading its bracket (its parent's, or its own)."""
        return self.req.parent_id or self.order_id


@dataclass(slots=True)
class _Record:
    """A stored execution with its commission report."""

    contract: Contract
    sec_type: str
    execution: Execution
    report: CommissionReport


@dataclass(slots=True)
class _Session:
    """What the exchange knows about a client id (kept after it disconnects)."""

    connected: bool = False
    auto_open: bool = False
    account_updates: bool = False
    positions: bool = False
    max_id: int = 0


# the backtest broker's params the matcher reads: no cheating, no slippage unless asked
_MATCHING = {"coc": False, "coo": False, "slip_perc": 0.0, "slip_fixed": 0.0, "slip_open": False,
             "slip_match": True, "slip_limit": True, "slip_out": False}


def _matching(slippage: dict[str, Any] | None) -> dict[str, Any]:
    """Matcher params: the defaults overridden by ``slippage`` (unknown keys are a ValueError)."""
    unknown = set(slippage or {}) - set(_MATCHING)
    if unknown:
        raise ValueError(f"slippage: unknown setting(s) {sorted(unknown)}; known: {sorted(_MATCHING)}")
    return {**_MATCHING, **(slippage or {})}


def _day_expiring(order: Order, req: OrderRequest) -> bool:
    """Whether a DAY order ends at the session end (MKT fills first; MOC is a day order by nature)."""
    return req.tif == "DAY" and order.exectype not in (Order.Market, Order.Close)


def _liquidity(liquidity: Liquidity | float | None) -> Liquidity | None:
    """A filler; a number means at most that many shares a bar, whatever the bar's volume."""
    if liquidity is None or callable(liquidity):
        return liquidity
    cap = float(liquidity)
    if not cap > 0:
        raise ValueError(f"liquidity must be a filler or a positive size a bar, got {liquidity!r}")
    return lambda order, price, ago: min(cap, abs(order.executed.remsize))


def _shown(w: Working) -> OrderRequest:
    """A copy of ``w``'s request as openOrder shows it: a trailing order with its current stop."""
    req = replace(w.req)
    bt = w.bt
    if bt is not None and bt.exectype in _TRAILING and math.isfinite(bt.created.price):
        req.trail_stop_price = round(bt.created.price, 10)
        if bt.exectype == Order.StopTrailLimit:
            req.lmt_price = round(bt.created.pricelimit, 10)
    return req


class Exchange:
    """Venue state and order engine of the IB sandbox.

    ``instruments`` (default AAPL and EUR.USD), one ``account`` with ``cash`` in ``base``;
    ``margin`` is the initial margin as a fraction of position value (1.0: a cash account);
    ``plans`` the commission plans by secType or a pricing name (``fixed``, ``tiered``);
    ``liquidity`` a tradebridge filler ``(order, price, ago) -> size`` or a share cap a bar
    (None: orders fill completely); ``epoch`` makes exec ids and perm ids differ between
    sandbox runs; ``slippage`` the backtest broker's ``slip_*`` settings.
    """

    def __init__(self, instruments: Iterable[Instrument] | None = None, account: str = "DU1234567",
                 cash: float = 1_000_000.0, base: str = "USD", margin: float = 1.0,
                 plans: dict[str, CommissionPlan] | str | None = None,
                 liquidity: Liquidity | float | None = None, epoch: int = 0,
                 slippage: dict[str, Any] | None = None) -> None:
        self.instruments: dict[str, Instrument] = {}
        for inst in default_instruments() if instruments is None else instruments:
            self.add_instrument(inst)
        self.account = Account(account, base=base, margin=margin)
        self.account.deposit(cash)
        self.plans = plans if isinstance(plans, dict) else default_plans(plans or "fixed")
        if "STK" not in self.plans:
            have = sorted(self.plans)
            raise ValueError(f"plans need an 'STK' entry (used for secTypes without one), got {have}")
        self.liquidity = _liquidity(liquidity)
        self.orders: dict[tuple[int, int], Working] = {}
        self._live: dict[tuple[int, int], Working] = {}  # the orders not done, in placement order
        self.executions: list[_Record] = []
        self.sessions: dict[int, _Session] = {}
        self.clock: _dt.datetime | None = None
        self._matcher = Matcher(SimpleNamespace(**_matching(slippage)))
        self._rejects: deque[str] = deque()
        self._sent_values: dict[tuple[str, str], str] = {}  # account values as last broadcast
        self._perm = (epoch % 200_000 + 1) * 10_000  # perm ids stay below 2**31, apart between runs
        self._exec_prefix = f"{epoch & 0xFFFFFFFF:08x}"
        self._exec_seq = 0

    # -- instruments -------------------------------------------------------------------
    def add_instrument(self, inst: Instrument) -> None:
        """List an instrument under its symbol (``AAPL``, ``EUR.USD``)."""
        self.instruments[inst.symbol] = inst

    def find(self, contract: Contract) -> Instrument | None:
        """The listed instrument a request's contract means (by conId, else symbol/secType/currency)."""
        for inst in self.instruments.values():
            c = inst.contract
            if contract.con_id and contract.con_id == c.con_id:
                return inst
            if contract.con_id:
                continue
            if contract.local_symbol and contract.local_symbol == c.local_symbol:
                return inst
            if (contract.symbol == c.symbol and (contract.sec_type or "STK") == c.sec_type
                    and contract.currency in ("", c.currency)):
                return inst
        return None

    def instrument(self, symbol: str) -> Instrument:
        """The instrument listed as ``symbol``; ValueError naming it if none."""
        try:
            return self.instruments[symbol]
        except KeyError:
            listed = sorted(self.instruments)
            raise ValueError(f"no instrument {symbol!r} is listed (have {listed})") from None

    # -- clients -----------------------------------------------------------------------
    def session(self, client_id: int) -> _Session:
        """The (possibly new) session record of ``client_id``."""
        sess = self.sessions.get(client_id)
        if sess is None:
            sess = self.sessions[client_id] = _Session()
        return sess

    def connect(self, client_id: int) -> None:
        """A client connected (its orders and subscriptions state are kept from before)."""
        self.session(client_id).connected = True

    def disconnect(self, client_id: int) -> None:
        """A client went away: its subscriptions end; its orders keep working."""
        sess = self.session(client_id)
        sess.connected = sess.auto_open = sess.account_updates = sess.positions = False

    def set_auto_open(self, client_id: int, on: bool) -> None:
        """reqAutoOpenOrders: also receive other clients' order events."""
        self.session(client_id).auto_open = on

    def subscribe_account(self, client_id: int, on: bool) -> list[Event]:
        """reqAccountUpdates: start (returning the current values and portfolio) or stop."""
        self.session(client_id).account_updates = on
        return self.account_snapshot(client_id) if on else []

    def subscribe_positions(self, client_id: int, on: bool) -> list[Event]:
        """reqPositions / cancelPositions: start (returning all positions) or stop."""
        self.session(client_id).positions = on
        return self.positions(client_id) if on else []

    def next_valid_id(self, client_id: int) -> int:
        """The next order id ``client_id`` may use (above every id it used)."""
        return self.session(client_id).max_id + 1

    def _order_targets(self, w: Working) -> frozenset[int]:
        """The owner, plus client 0 and auto-open clients when connected."""
        watchers = {cid for cid, s in self.sessions.items() if s.connected and (cid == 0 or s.auto_open)}
        return frozenset({w.client_id, *watchers})

    def _subscribers(self, kind: str) -> frozenset[int]:
        return frozenset(cid for cid, s in self.sessions.items() if s.connected and getattr(s, kind))

    # -- fault injection ---------------------------------------------------------------
    def reject_next(self, reason: str) -> None:
        """Make the next new order be rejected (error 201) with ``reason``."""
        self._rejects.append(reason)

    # -- order entry -------------------------------------------------------------------
    def place(self, client_id: int, order_id: int, contract: Contract, req: OrderRequest) -> list[Event]:
        """placeOrder: a new order, or a modification when ``order_id`` is a working order."""
        sess = self.session(client_id)
        req = replace(req)  # the venue's own copy: the caller's object is never changed
        existing = self.orders.get((client_id, order_id))
        if existing is not None:
            return self._modify(existing, contract, req)
        to = frozenset({client_id})
        if order_id <= sess.max_id or order_id <= 0:
            return [ErrorEvent(order_id, 103, text(103), to)]
        sess.max_id = order_id
        inst = self.find(contract)
        if inst is None:
            return [ErrorEvent(order_id, 200, text(200), to)]
        if not req.account:
            req.account = self.account.code
        w = Working(client_id, order_id, self._next_perm(), inst, req)
        self.orders[(client_id, order_id)] = self._live[(client_id, order_id)] = w
        if self._rejects:
            return self._reject(w, 201, text(201, self._rejects.popleft()))
        try:
            check_request(req, inst, self.account.code)
            parent = self._parent_of(w)
            self._check_funds(w)
            w.bt = self._build(w)
        except OrderSpecError as exc:
            return self._reject(w, exc.code, exc.text)
        return self._admit(w, parent)

    def _next_perm(self) -> int:
        self._perm += 1
        return self._perm

    def _parent_of(self, w: Working) -> Working | None:
        """The parent a child names (OrderSpecError when it is missing or dead)."""
        if not w.req.parent_id:
            return None
        parent = self.orders.get((w.client_id, w.req.parent_id))
        if parent is None or parent is w:
            raise OrderSpecError(10006, text(10006))
        if not parent.alive and parent.status != "Filled":
            raise OrderSpecError(201, text(201, f"parent order {parent.order_id} is {parent.status}"))
        return parent

    def _check_funds(self, w: Working) -> None:
        """Refuse (201) an order whose opening part needs more than the available funds."""
        inst, req = w.inst, w.req
        price = req.lmt_price or req.aux_price or (inst.last.close if inst.last else None)
        if not price:
            return
        pos = self.account.positions.get(inst.contract.con_id)
        size = req.total_quantity if req.action == "BUY" else -req.total_quantity
        held = pos.size if pos else 0.0
        opening = abs(held + size) - abs(held) if (held + size) * held >= 0 else abs(held + size)
        if opening <= 0:
            return
        rate = reports.fx_rate(inst.contract.currency, self.account.base, self.instruments.values())
        need = opening * price * inst.multiplier * rate * self.account.margin
        available = self._available_funds()
        if need > available:
            raise OrderSpecError(201, text(201, (
                "YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN "
                f"VALUE [{available:.2f} {self.account.base}] MUST EXCEED THE INITIAL MARGIN "
                f"[{need:.2f} {self.account.base}]")))

    def _available_funds(self) -> float:
        return self.summary()["AvailableFunds"]

    def _build(self, w: Working) -> Order:
        """The tradebridge order mirroring ``w``'s remaining quantity (OrderSpecError if unusable)."""
        inst, req = w.inst, w.req
        view = inst.view
        if not view.bars and self.clock is not None:
            view.datetime.cur = inst.localnum(self.clock)
        w.untimed = not view.bars and self.clock is None
        args = bt_args(req, inst)
        cls = BuyOrder if req.action == "BUY" else SellOrder
        try:
            order = cls(data=view, size=max(w.req.total_quantity - w.filled, _EPS), **args)
        except ValueError as exc:
            raise OrderSpecError(321, text(321, str(exc))) from exc
        if _day_expiring(order, req) and not w.untimed:
            order.valid = order.dteos
        return order

    def _admit(self, w: Working, parent: Working | None) -> list[Event]:
        """Hold, queue behind the parent, or start working a new order; release its group."""
        if not w.req.transmit:
            w.status = "PendingSubmit"
            return self._order_events(w)
        out: list[Event] = []
        for held in self._held(w):
            out += self._release(held)
        out += self._release(w, parent)
        return out

    def _held(self, w: Working) -> list[Working]:
        """Untransmitted orders of ``w``'s bracket, parent first."""
        return sorted((o for o in self._live.values()
                       if o is not w and o.client_id == w.client_id and o.status == "PendingSubmit"
                       and o.root == w.root), key=lambda o: o.perm_id)

    def _release(self, w: Working, parent: Working | None = None) -> list[Event]:
        """Make ``w`` live: working, or PreSubmitted while its parent has not filled."""
        if parent is None and w.req.parent_id:
            parent = self.orders.get((w.client_id, w.req.parent_id))
        waiting = parent is not None and parent.status != "Filled"
        w.status = "PreSubmitted" if waiting else "Submitted"
        return self._order_events(w)

    def _reject(self, w: Working, code: int, why: str) -> list[Event]:
        """Record ``w`` as Inactive with IB's error ``code``."""
        self._finish(w, "Inactive", self.clock, why)
        to = self._order_targets(w)
        return [ErrorEvent(w.order_id, code, why, to), self._status_event(w)]

    def _modify(self, w: Working, contract: Contract, req: OrderRequest) -> list[Event]:
        """placeOrder on an existing id: change quantity, prices, tif or transmit."""
        to = frozenset({w.client_id})
        if w.status == "Filled":
            return [ErrorEvent(w.order_id, 104, text(104), to)]
        if not w.alive:
            return [ErrorEvent(w.order_id, 103, text(103), to)]
        inst = self.find(contract)
        if inst is not w.inst or req.action != w.req.action or req.parent_id != w.req.parent_id:
            return [ErrorEvent(w.order_id, 105, text(105, "Contract, side or parent changed."), to)]
        if not req.account:
            req.account = w.req.account
        if req.total_quantity <= w.filled + _EPS:
            return [ErrorEvent(w.order_id, 201, text(201, (
                f"the new quantity {req.total_quantity:g} is not above the filled {w.filled:g}")), to)]
        old_req, old_bt = w.req, w.bt
        w.req = req
        try:
            check_request(req, inst, self.account.code)
            w.bt = self._build(w)
        except OrderSpecError as exc:
            w.req, w.bt = old_req, old_bt
            return [ErrorEvent(w.order_id, exc.code, exc.text, to)]
        if old_bt is not None and old_bt.exectype == w.bt.exectype and old_bt.triggered:
            w.bt.triggered = True
        if w.status == "PendingSubmit" and req.transmit:
            return self._admit(w, None)
        return self._order_events(w)

    # -- cancel ------------------------------------------------------------------------
    def cancel(self, client_id: int, order_id: int) -> list[Event]:
        """cancelOrder: cancel a live order (and its unfilled children)."""
        to = frozenset({client_id})
        w = self.orders.get((client_id, order_id))
        if w is None:
            return [ErrorEvent(order_id, 10147, text(10147, order_id), to)]
        if not w.alive:
            return [ErrorEvent(order_id, 10148, text(10148, order_id, w.status), to)]
        return self._cancel(w, "", api=True)

    def cancel_all(self) -> list[Event]:
        """reqGlobalCancel: cancel every live order of every client."""
        out: list[Event] = []
        for w in list(self._live.values()):
            if w.alive:
                out += self._cancel(w, "", api=True)
        return out

    def _cancel(self, w: Working, why: str, api: bool = False) -> list[Event]:
        """Cancel ``w`` and its live children; a cancel request also gets error 202."""
        self._finish(w, "Cancelled", self.clock, why)
        to = self._order_targets(w)
        out: list[Event] = [self._status_event(w)]
        if api:
            out.append(ErrorEvent(w.order_id, 202, text(202, why), to))
        for child in self._children(w):
            if child.alive:
                out += self._cancel(child, f"parent order {w.order_id} cancelled")
        return out

    def _finish(self, w: Working, status: str, when: _dt.datetime | None, why: str = "") -> None:
        """``w`` is done (Filled, Cancelled, Inactive): it leaves the live book."""
        w.status, w.done_time, w.note = status, when, why
        self._live.pop((w.client_id, w.order_id), None)

    def _children(self, w: Working) -> list[Working]:
        return [o for o in self._live.values()
                if o.client_id == w.client_id and o.req.parent_id == w.order_id]

    # -- bars and fills ----------------------------------------------------------------
    def on_bar(self, symbol: str, bar: Any) -> list[Event]:
        """Advance ``symbol`` by one bar and match its working orders against it."""
        inst = self.instrument(symbol)
        bar = Bar.of(bar)
        if inst.last is not None and bar.time < inst.last.time:
            raise ValueError(f"{symbol} bar at {bar.time} is older than the last one at {inst.last.time}")
        inst.push(bar)
        if self.clock is None or bar.time > self.clock:
            self.clock = bar.time
        out: list[Event] = []
        working = [w for w in self._live.values() if w.inst is inst and w.status == "Submitted"]
        filled_any = False
        for w in working:
            if w.status == "Submitted":
                filled_any |= self._step(w, bar, out)
        pos = self.account.positions.get(inst.contract.con_id)
        if filled_any or (pos is not None and pos.size):
            out += self._account_events(inst, positions=filled_any)
        return out

    def _step(self, w: Working, bar: Bar, out: list[Event]) -> bool:
        """Expire, match and trail one working order on the new bar; True if it filled."""
        bt = w.bt
        if w.untimed:
            w.untimed = False
            bt.dteos = w.inst.session_end_after(w.inst.view.datetime[0])
            if _day_expiring(bt, w.req):
                bt.valid = bt.dteos
        if bt.expire():
            out += self._cancel(w, "expired")
            return False
        was_triggered = bt.triggered
        fill = self._matcher.match(bt)
        filled = False
        if fill is not None and fill[1] is not None:
            filled = self._fill(w, fill[1], fill[0], bar, out)
        if w.alive and bt.exectype in _TRAILING and self._matcher.trails(bt, was_triggered):
            bt.trailadjust(bar.close)
        if w.alive and w.req.tif == "IOC":
            out += self._cancel(w, "immediate-or-cancel")
        return filled

    def _fill(self, w: Working, price: float, ago: int, bar: Bar, out: list[Event]) -> bool:
        """Execute as much of ``w`` as liquidity allows at ``price``; False if nothing filled."""
        size = w.remaining
        if self.liquidity is not None:
            size = min(size, float(self.liquidity(w.bt, price, ago)))
        if size <= _EPS:
            return False
        inst = w.inst
        signed = size if w.req.action == "BUY" else -size
        plan = self.plans.get(inst.contract.sec_type, self.plans["STK"])
        w.raw_comm += plan.raw(signed, price)
        w.value += size * price * inst.multiplier
        due = plan.due(w.raw_comm, w.value)
        commission, w.commission = due - w.commission, due
        booked = self.account.apply(inst, signed, price, commission)
        w.avg_price = (w.avg_price * w.filled + price * size) / (w.filled + size)
        w.filled += size
        w.last_price = price
        if w.req.total_quantity - w.filled <= _EPS:
            self._finish(w, "Filled", bar.time)
        else:
            w.bt.executed.remsize = w.remaining if w.req.action == "BUY" else -w.remaining
        when = inst.prev.time if ago < 0 and inst.prev is not None else bar.time  # a MOC past its close
        execution = self._execution(w, size, price, when)
        report = CommissionReport(execution.exec_id, commission, inst.contract.currency,
                                  UNSET_DOUBLE if booked.realized_pnl is None else booked.realized_pnl)
        self.executions.append(_Record(inst.contract, inst.contract.sec_type, execution, report))
        to = self._order_targets(w)
        out += [ExecutionEvent(inst.contract, execution, -1, to), self._status_event(w), self._open_event(w),
                CommissionEvent(report, to)]
        if w.status == "Filled":
            out += self._activate_children(w)
        out += self._oca(w, size)
        return True

    def _execution(self, w: Working, size: float, price: float, when: _dt.datetime) -> Execution:
        """A new Execution for a fill of ``w`` with a fresh, never reused exec id."""
        self._exec_seq += 1
        c = w.inst.contract
        venue = c.primary_exchange if c.exchange == "SMART" and c.primary_exchange else c.exchange
        return Execution(
            exec_id=f"{self._exec_prefix}.{self._exec_seq:08x}.01.01", time=when, acct_number=w.req.account,
            exchange=venue, side="BOT" if w.req.action == "BUY" else "SLD", shares=size, price=price,
            perm_id=w.perm_id, client_id=w.client_id, order_id=w.order_id, liquidation=0, cum_qty=w.filled,
            avg_price=w.avg_price, order_ref=w.req.order_ref)

    def _activate_children(self, w: Working) -> list[Event]:
        """The parent filled: its waiting children start working (from the next bar)."""
        out: list[Event] = []
        for child in self._children(w):
            if child.status == "PreSubmitted":
                child.status = "Submitted"
                out += self._order_events(child)
        return out

    def _oca(self, w: Working, size: float) -> list[Event]:
        """A fill of ``size`` in ``w``: cancel (type 1) or reduce (types 2, 3) its OCA group.

        Children of one bracket form an implicit reduce group, as TWS links them."""
        group, kind = w.req.oca_group, w.req.oca_type or 1
        if group:
            members = [o for o in self._live.values() if o is not w and o.req.oca_group == group]
        elif w.req.parent_id:
            kind = 3
            members = [o for o in self._siblings(w) if o.alive and not o.req.oca_group]
        else:
            return []
        out: list[Event] = []
        for other in members:
            if kind == 1:
                out += self._cancel(other, f"OCA group {group} filled")
                continue
            other.req.total_quantity = max(other.req.total_quantity - size, other.filled)
            if other.remaining <= _EPS:
                out += self._cancel(other, f"OCA group {group or 'bracket'} filled")
            else:
                other.bt.executed.remsize = other.remaining if other.req.action == "BUY" else -other.remaining
                out += self._order_events(other)
        return out

    def _siblings(self, w: Working) -> list[Working]:
        return [o for o in self._live.values() if o is not w and o.client_id == w.client_id
                and o.req.parent_id == w.req.parent_id]

    # -- events ------------------------------------------------------------------------
    def _status_event(self, w: Working, targets: frozenset[int] | None = None) -> OrderStatus:
        return OrderStatus(w.order_id, w.status, w.filled, w.remaining, w.avg_price, w.perm_id,
                           w.req.parent_id, w.last_price, w.client_id, "",
                           0.0, self._order_targets(w) if targets is None else targets)

    def _open_event(self, w: Working, targets: frozenset[int] | None = None,
                    completed: bool = False) -> OpenOrder:
        comm = w.commission if w.filled else UNSET_DOUBLE
        when = w.done_time.strftime("%Y%m%d %H:%M:%S UTC") if completed and w.done_time else ""
        return OpenOrder(w.order_id, w.client_id, w.perm_id, w.inst.contract, _shown(w), w.status,
                         w.filled, w.remaining, comm, w.inst.contract.currency if w.filled else "", "",
                         completed, when, w.note if completed else "",
                         self._order_targets(w) if targets is None else targets)

    def _order_events(self, w: Working, targets: frozenset[int] | None = None) -> list[Event]:
        return [self._open_event(w, targets), self._status_event(w, targets)]

    def _account_events(self, inst: Instrument, positions: bool) -> list[Event]:
        """For subscribers: the account values that changed since last sent, the instrument's
        portfolio line, and (after fills) its position."""
        out: list[Event] = []
        subs = self._subscribers("account_updates")
        if subs:
            for value in reports.account_values(self.account, list(self.instruments.values()), subs):
                key = (value.key, value.currency)
                if self._sent_values.get(key) != value.value:
                    self._sent_values[key] = value.value
                    out.append(value)
            out += reports.portfolio(self.account, [inst], subs)
        psubs = self._subscribers("positions")
        if positions and psubs:
            out += reports.position_updates(self.account, [inst], psubs)
        return out

    # -- queries -----------------------------------------------------------------------
    def open_orders(self, client_id: int, all_clients: bool = False) -> list[Event]:
        """reqOpenOrders (the client's own; client 0 and ``all_clients`` see every client's)."""
        to = frozenset({client_id})
        out: list[Event] = []
        for w in self._live.values():
            if (all_clients or client_id == 0 or w.client_id == client_id):
                out += self._order_events(w, to)
        return out

    def completed_orders(self, client_id: int) -> list[Event]:
        """reqCompletedOrders: every order that is done (filled, cancelled, rejected)."""
        to = frozenset({client_id})
        return [self._open_event(w, to, completed=True) for w in self.orders.values() if not w.alive]

    def executions_for(self, client_id: int, req_id: int, filt: ExecFilter | None = None) -> list[Event]:
        """reqExecutions: stored executions matching ``filt``, each with its commission report."""
        to = frozenset({client_id})
        f = filt or ExecFilter()
        if f.time is not None and f.time.tzinfo is None:
            f = replace(f, time=f.time.replace(tzinfo=_dt.UTC))
        out: list[Event] = []
        for rec in self.executions:
            e = rec.execution
            if ((f.client_id and e.client_id != f.client_id) or (f.acct_code and e.acct_number != f.acct_code)
                    or (f.time is not None and e.time < f.time)
                    or (f.symbol and f.symbol != rec.contract.symbol)
                    or (f.sec_type and f.sec_type != rec.sec_type)
                    or (f.exchange and f.exchange not in (e.exchange, rec.contract.exchange))
                    or (f.side and {"BUY": "BOT", "SELL": "SLD"}.get(f.side.upper(), f.side) != e.side)):
                continue
            out += [ExecutionEvent(rec.contract, e, req_id, to), CommissionEvent(rec.report, to)]
        return out

    def positions(self, client_id: int) -> list[Event]:
        """reqPositions reply: every position of the account."""
        return list(reports.position_updates(self.account, self.instruments.values(), frozenset({client_id})))

    def account_snapshot(self, client_id: int) -> list[Event]:
        """reqAccountUpdates reply: account values, then the portfolio."""
        to = frozenset({client_id})
        insts = list(self.instruments.values())
        return [*reports.account_values(self.account, insts, to), *reports.portfolio(self.account, insts, to)]

    def summary(self) -> dict[str, float]:
        """Account-wide figures in the base currency: NetLiquidation (cash plus positions at their
        last close), TotalCashValue, GrossPositionValue, AvailableFunds, BuyingPower, ..."""
        return reports.summary(self.account, list(self.instruments.values()))
