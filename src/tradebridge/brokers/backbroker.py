"""The backtest broker: matches orders against bars, keeps cash, positions and value.

Behaviour follows backtrader 1.9.78's BackBroker (statuses, notification order, cash and
value arithmetic); see docs/orders.md for the deliberate fixes.
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any

from tradebridge.orders.order import ALIVE, BuyOrder, Order, SellOrder
from tradebridge.orders.position import Position, moved
from tradebridge.orders.validate import check_finite

from .base import BrokerBase
from .fillcash import closing_part, opening_part, settle
from .links import OrderLinks
from .matching import Matcher, bar_of
from .risk import cash_reason
from .valuation import DeferredValues, add_unlevered, stock_parts

__all__ = ["BackBroker", "BrokerBack"]

_TRAILING = (Order.StopTrail, Order.StopTrailLimit)
_QUIET = (False, False)  # scheme flags: no scheme charges interest or marks to market


class BackBroker(BrokerBase):
    """Broker simulator with backtrader's params, order types, slippage, fillers and cheats."""

    params = (
        ("cash", 10000.0),
        ("checksubmit", True),
        ("eosbar", False),
        ("filler", None),
        ("slip_perc", 0.0),
        ("slip_fixed", 0.0),
        ("slip_open", False),
        ("slip_match", True),
        ("slip_limit", True),
        ("slip_out", False),
        ("coc", False),
        ("coo", False),
        ("int2pnl", True),
        ("shortcash", True),
        ("fundstartval", 100.0),
        ("fundmode", False),
    )

    def init(self) -> None:
        """Reset account, positions and order queues to the starting state."""
        super().init()
        p = self.p
        self.startingcash = self.cash = p.cash
        self._value_last = self.cash
        # what the last valuation summed: cash, position values levered and not, unrealized
        self._parts_last: tuple[float, float, float, float] | None = None
        self._deferred: DeferredValues | None = None  # while idle bars wait to be valued
        self.orders: list[Order] = []
        self.pending: deque[Order | None] = deque()
        self._toactivate: deque[Order] = deque()
        self.positions: defaultdict[Any, Position] = defaultdict(Position)
        if type(self).getposition is BackBroker.getposition:  # read every bar: no Python frame
            self.getposition = self.positions.__getitem__  # type: ignore[method-assign]
        self.d_credit: defaultdict[Any, float] = defaultdict(float)
        self.submitted: deque[Order] = deque()
        self.links = OrderLinks(self)
        self._fundstart = p.fundstartval
        self._fundshares = p.cash / self._fundstart
        self._cash_addition: deque[float] = deque()
        self._matcher = Matcher(p)

    # -- settings ----------------------------------------------------------------------
    def set_fundmode(self, fundmode: bool, fundstartval: float | None = None) -> None:
        """Switch fund mode; optionally set the starting share value."""
        self.p.fundmode = fundmode
        if fundstartval is not None:
            self.set_fundstartval(fundstartval)

    def get_fundmode(self) -> bool:
        """Whether fund mode is on."""
        return self.p.fundmode

    def set_fundstartval(self, fundstartval: float) -> None:
        """Starting value of one fund share."""
        self.p.fundstartval = fundstartval

    def set_int2pnl(self, int2pnl: bool) -> None:
        """Whether accrued interest is charged to the P&L of the closing fill."""
        self.p.int2pnl = int2pnl

    def set_coc(self, coc: bool) -> None:
        """Cheat-on-close: Market orders fill at the close of the bar they were issued on."""
        self.p.coc = coc

    def set_coo(self, coo: bool) -> None:
        """Cheat-on-open: Market orders issued before the bar fill at its open."""
        self.p.coo = coo

    def set_shortcash(self, shortcash: bool) -> None:
        """Whether a short sale adds cash (and the short's value is negative)."""
        self.p.shortcash = shortcash

    def _set_slippage(self, perc: float, fixed: float, slip_open: bool, slip_limit: bool,
                      slip_match: bool, slip_out: bool) -> None:
        """Store a slippage configuration."""
        p = self.p
        p.slip_perc, p.slip_fixed = perc, fixed
        p.slip_open, p.slip_limit, p.slip_match, p.slip_out = (
            slip_open, slip_limit, slip_match, slip_out)

    def set_slippage_perc(self, perc: float, slip_open: bool = True, slip_limit: bool = True,
                          slip_match: bool = True, slip_out: bool = False) -> None:
        """Slippage as a fraction of the price (0.01 = 1%)."""
        self._set_slippage(perc, 0.0, slip_open, slip_limit, slip_match, slip_out)

    def set_slippage_fixed(self, fixed: float, slip_open: bool = True, slip_limit: bool = True,
                           slip_match: bool = True, slip_out: bool = False) -> None:
        """Slippage as a fixed number of price points."""
        self._set_slippage(0.0, fixed, slip_open, slip_limit, slip_match, slip_out)

    def set_filler(self, filler: Any) -> None:
        """Volume filler ``(order, price, ago) -> size``; None fills completely."""
        self.p.filler = filler

    def set_checksubmit(self, checksubmit: bool) -> None:
        """Whether cash/margin is checked before accepting an order."""
        self.p.checksubmit = checksubmit

    def set_eosbar(self, eosbar: bool) -> None:
        """Whether a bar at the session end time counts as the session's end."""
        self.p.eosbar = eosbar

    seteosbar = set_eosbar

    # -- account -----------------------------------------------------------------------
    def get_cash(self) -> float:
        """Current cash."""
        return self.cash

    getcash = get_cash

    def set_cash(self, cash: float) -> None:
        """Set the starting cash."""
        deferred = self._deferred
        if deferred is not None:
            self._catch_up()
        self.startingcash = self.cash = self.p.cash = check_finite("cash", cash)
        self._value_last = cash
        if deferred is not None:  # what an observer reading after this call would record
            deferred.record_now(self.cash, cash)

    setcash = set_cash

    def add_cash(self, cash: float) -> None:
        """Add (or, negative, withdraw) cash at the next value update."""
        self._cash_addition.append(check_finite("cash", cash))

    def get_fundshares(self) -> float:
        """Current number of fund shares."""
        return self._fundshares

    def get_fundvalue(self) -> float:
        """Current value of one fund share."""
        return self._fundval

    def get_value(self, datas: Any = None, mkt: bool = False, lever: bool = False) -> float:
        """Portfolio value (cached at the last bar), or the value of ``datas``."""
        if datas is None:
            if mkt:
                return self._valuemktlever if lever else self._valuemkt
            return self._valuelever if lever else self._value
        return self._get_value(datas=datas, lever=lever)

    getvalue = get_value

    def get_value_lever(self, datas: Any = None, mkt: bool = False) -> float:
        """Value without leverage adjustment (kept for backtrader compatibility)."""
        return self.get_value(datas=datas, mkt=mkt)

    def get_leverage(self) -> float:
        """Leverage of the open positions at the last value update."""
        return self._leverage

    def _apply_cash_additions(self) -> None:
        """Cash added or withdrawn since the last bar, buying or redeeming fund shares."""
        while self._cash_addition:
            c = self._cash_addition.popleft()
            self._fundshares += c / self._fundval
            self.cash += c

    def _position_value(self, data: Any, pos: Position) -> tuple[float, float]:
        """(value, unrealized P&L) of one position at the data's close."""
        comminfo = self.getcommissioninfo(data)
        close = data.close[0]
        if self.p.shortcash:
            dvalue = comminfo.getvaluesize(pos.size, close)
        else:
            dvalue = comminfo.getvalue(pos, close)
        return dvalue, comminfo.profitandloss(pos.size, pos.price, close)

    def _get_value(self, datas: Any = None, lever: bool = False) -> float:
        """Apply queued cash, revalue ``datas`` (all when None) and return the value; one
        data is valued alone and leaves the account's figures as they are."""
        deferred = self._deferred
        if deferred is not None:  # the bars valued so far saw the state before this call
            self._catch_up()
        if self._cash_addition:
            self._apply_cash_additions()
        if datas is not None and len(datas) == 1:
            value = self._data_value(datas[0], lever)
        else:
            value, levered = self._revalue(datas)
            if lever:
                value = levered
        if deferred is not None:
            deferred.record_now(self.cash, self._value_last)
        return value

    def _revalue(self, datas: Any = None) -> tuple[float, float]:
        """Value the positions of ``datas`` (all when None) at their closes with the cash;
        store the value and the parts summed; return (value, levered value)."""
        positions = self.positions
        items: Any = positions.items() if not datas else [(d, positions[d]) for d in datas]
        pos_value = pos_value_unlever = unrealized = 0.0
        shortcash = self.p.shortcash
        valuers = self._valuers  # read inline: this runs every bar
        for data, pos in items:
            size = pos.size
            if not size:
                continue
            comminfo, cp, close = valuers.get(data) or self.valuer(data)
            close = data.close[0] if close is None else close._a[close._clk.idx]
            if cp is not None and shortcash:  # CommInfoBase's stock formulas, in one call
                dvalue, dunrealized = stock_parts(size, pos.price, close, cp.mult)
                lev = cp.leverage
            else:
                if shortcash:
                    dvalue = comminfo.getvaluesize(size, close)
                else:
                    dvalue = abs(comminfo.getvalue(pos, close))
                dunrealized = comminfo.profitandloss(size, pos.price, close)
                lev = comminfo.get_leverage() if dvalue > 0 else 1.0
            pos_value_unlever = add_unlevered(pos_value_unlever, dvalue, dunrealized, lev)
            pos_value += dvalue
            unrealized += dunrealized
        cash = self.cash
        self._value_last = value = cash + pos_value_unlever
        self._parts_last = (cash, pos_value, pos_value_unlever, unrealized)
        return value, cash + pos_value

    # -- deferred valuation ----------------------------------------------------------
    def defer_values(self, data: Any, offset: int) -> bool:
        """While the engine steps ``data`` alone (preloaded), leave the bars on which the
        broker has nothing to do unvalued until the value is read, then value them in one
        pass; each valued bar ``i`` is recorded into the sinks at ``i + offset``. False when
        this broker (a subclass that values differently, fund mode) cannot."""
        cls = type(self)
        if (cls._revalue is not BackBroker._revalue or cls.next is not BackBroker.next
                or self.p.fundmode or self._deferred is not None):
            return False
        self._deferred = DeferredValues(data._clk, data.close._a, offset)
        return True

    def add_value_sink(self, cash: Any, value: Any) -> None:
        """Record cash and value of every valued bar into these arrays (either may be None)."""
        assert self._deferred is not None, "add_value_sink needs defer_values first"
        self._deferred.sinks.append((cash, value))

    def end_deferral(self) -> None:
        """Value the bars still waiting and go back to valuing every bar."""
        if self._deferred is not None:
            self._catch_up()
            self._deferred = None

    def _catch_up(self, upto: int | None = None, read: bool = True) -> None:
        """The idle bars since the last valuation, up to bar ``upto`` (the current bar when
        None), saw the account and positions as they are now: hold them with it; when the
        value is being ``read``, value everything held."""
        deferred = self._deferred
        assert deferred is not None
        clk = deferred.clock
        now = clk.idx
        end = now if upto is None else upto
        start = deferred.valued + 1
        if read and start == end == now and not deferred.holding:  # read every bar: value it
            self._revalue()
            deferred.valued = now
            deferred.record_now(self.cash, self._value_last)
            return
        if start <= end:
            deferred.valued = end
            self._hold(deferred, start, end, clk, now)
        if read:
            deferred.flush()
            last = deferred.last
            if last is not None and last[0] > deferred.eager:  # newer than the broker's own
                self._value_last, self._parts_last = last[1], last[2]

    def _hold(self, deferred: DeferredValues, start: int, end: int, clk: Any, now: int) -> None:
        """Hold bars ``start``..``end`` for a batch valuation when the account is cash and at
        most one stock position in the deferred data; value anything else now."""
        cash = self.cash
        held = [(d, pos) for d, pos in self.positions.items() if pos.size]
        if not held:
            deferred.hold(start, end, cash, 0.0, 0.0, 1.0, 1.0)
            return
        if len(held) == 1 and self.p.shortcash:
            data, pos = held[0]
            _, cp, close = self._valuers.get(data) or self.valuer(data)
            if cp is not None and close is not None and close._a is deferred.closes:
                deferred.hold(start, end, cash, pos.size, pos.price, cp.mult, cp.leverage)
                return
        for i in range(start, end + 1):  # bar by bar, as every bar would be
            deferred.record_at(i, cash, self._revalue_at(clk, i, now))
        deferred.eager = end

    def _revalue_at(self, clk: Any, i: int, now: int) -> float:
        """``_revalue`` with the data's clock at bar ``i`` (then back at ``now``)."""
        clk.idx = i
        try:
            return self._revalue()[0]
        finally:
            clk.idx = now

    @property
    def _value(self) -> float:
        """The value at the last valuation (idle bars are valued first when deferred)."""
        if self._deferred is not None:
            self._catch_up()
        return self._value_last

    @property
    def _parts(self) -> tuple[float, float, float, float] | None:
        """What the last valuation summed (None before the first)."""
        if self._deferred is not None:
            self._catch_up()
        return self._parts_last

    @property
    def _fundval(self) -> float:
        """One fund share's value at the last refresh (the starting value before the first);
        the shares change only at a refresh, so this is the quotient the refresh would store."""
        if self._parts is None:
            return self._fundstart
        return self._value / self._fundshares

    # what the last refresh found besides the value, computed when asked (rarely, and not
    # on every bar); before the first refresh, backtrader's starting figures
    @property
    def _valuelever(self) -> float:
        parts = self._parts
        return 0.0 if parts is None else parts[0] + parts[1]

    @property
    def _valuemkt(self) -> float:
        parts = self._parts
        return 0.0 if parts is None else parts[2]

    @property
    def _valuemktlever(self) -> float:
        parts = self._parts
        return 0.0 if parts is None else parts[1]

    @property
    def _leverage(self) -> float:
        parts = self._parts
        return 1.0 if parts is None else parts[1] / (parts[2] or 1.0)

    @property
    def _unrealized(self) -> float:
        parts = self._parts
        return 0.0 if parts is None else parts[3]

    def _data_value(self, data: Any, lever: bool) -> float:
        """The value of the position in one data (levered or not); the account is untouched."""
        dvalue, dunrealized = self._position_value(data, self.positions[data])
        if lever and dvalue > 0:
            lev = self.getcommissioninfo(data).get_leverage()
            return (dvalue - dunrealized) / lev + dunrealized
        return dvalue

    def getposition(self, data: Any) -> Position:
        """The Position of ``data``."""
        return self.positions[data]

    def get_orders_open(self, safe: bool = False) -> list[Order]:
        """Orders still waiting for execution (clones when ``safe``)."""
        return [o.clone() if safe else o for o in self.pending if o is not None]

    def orderstatus(self, order: Order) -> int:
        """Status of ``order`` as this broker knows it."""
        for known in self.orders:
            if known == order:
                return known.status
        return order.status

    # -- order entry -------------------------------------------------------------------
    def buy(self, owner: Any, data: Any, size: float, price: float | None = None,
            plimit: float | None = None, exectype: int | None = None, valid: Any = None,
            tradeid: int = 0, oco: Any = None, trailamount: float | None = None,
            trailpercent: float | None = None, parent: Any = None, transmit: bool = True,
            histnotify: bool = False, _checksubmit: bool = True, **kwargs: Any) -> Order:
        """Create and submit a buy order."""
        return self._enter(BuyOrder, owner, data, size, price, plimit, exectype, valid,
                           tradeid, oco, trailamount, trailpercent, parent, transmit,
                           histnotify, _checksubmit, kwargs)

    def sell(self, owner: Any, data: Any, size: float, price: float | None = None,
             plimit: float | None = None, exectype: int | None = None, valid: Any = None,
             tradeid: int = 0, oco: Any = None, trailamount: float | None = None,
             trailpercent: float | None = None, parent: Any = None, transmit: bool = True,
             histnotify: bool = False, _checksubmit: bool = True, **kwargs: Any) -> Order:
        """Create and submit a sell order."""
        return self._enter(SellOrder, owner, data, size, price, plimit, exectype, valid,
                           tradeid, oco, trailamount, trailpercent, parent, transmit,
                           histnotify, _checksubmit, kwargs)

    def _enter(self, cls: type[Order], owner: Any, data: Any, size: float, price: Any,
               plimit: Any, exectype: Any, valid: Any, tradeid: int, oco: Any,
               trailamount: Any, trailpercent: Any, parent: Any, transmit: bool,
               histnotify: bool, check: bool, info: dict[str, Any]) -> Order:
        """Validate, build, risk-check and submit one order."""
        links = self.links
        if oco is not None:
            links.check_oco(oco)
        order = cls._make(owner, data, size, price, plimit, exectype, valid, tradeid, oco,
                          trailamount, trailpercent, parent, transmit, histnotify)
        if info:
            order.addinfo(**info)
        if self.p.risk is not None:
            reason = self.risk_reason(order)
            if reason is not None:
                links.refuse(order, reason)
                return order
        if oco is not None:
            links.ocoize(order, oco)
        return self.submit(order, check=check)

    def submit(self, order: Order, check: bool = True) -> Order:
        """Queue ``order`` with its bracket; transmit the group when ``transmit`` is set."""
        links = self.links
        if order.parent is None:  # its own group (take_children would say so, with a call)
            pref = order.ref
        else:
            pref = links.take_children(order)
            if pref is None:
                return order
        if pref == order.ref and order.transmit and pref not in links.children:
            return self.transmit(order, check=check)  # a lone order: no bracket group
        group = links.children[pref]
        group.append(order)
        if order.transmit:
            for member in list(group):
                self.transmit(member, check=check)
        return order

    def transmit(self, order: Order, check: bool = True) -> Order:
        """Send ``order`` to the cash check (Submitted) or straight into the book."""
        if check and self.p.checksubmit:
            order.submit()
            self.submitted.append(order)
            self.orders.append(order)
            self.notify(order)
        else:
            self.submit_accept(order)
        return order

    def submit_accept(self, order: Order) -> None:
        """Accept ``order`` into the book of pending orders."""
        if order.exectype == Order.Close:  # Close orders remember the last close seen
            order.pannotated = None
        order.submit()
        order.accept()
        self.pending.append(order)
        self.notify(order)

    def check_submitted(self) -> None:
        """Accept submitted orders that the cash allows, in order; the rest get Margin."""
        cash = self.cash
        held: dict[Any, tuple[float, float]] = {}  # (size, price) as the orders so far leave it
        while self.submitted:
            order = self.submitted.popleft()
            if order.parent is not None and self.links.take_children(order) is None:
                continue
            data = order.data
            position = held.get(data)
            if position is None:
                pos = self.positions[data]
                position = (pos.size, pos.price)
            before = cash
            cash, held[data] = self._pseudo_execute(order, cash, position)
            if cash >= 0.0:
                self.submit_accept(order)
                continue
            order.margin(reason=cash_reason(before, cash))
            self.notify(order)
            self.links.ococheck(order)
            self.links.bracketize(order, cancel=True)

    def cancel(self, order: Order, bracket: bool = False) -> bool:
        """Cancel a pending order (and its OCO group / bracket); False if not pending."""
        if not self._unbook(order):
            return False
        order.cancel()
        self.notify(order)
        self.links.ococheck(order)
        if not bracket:
            self.links.bracketize(order, cancel=True)
        return True

    def _unbook(self, order: Order) -> bool:
        """Take ``order`` (or the order it is a snapshot of: the same ref) off the book;
        False if it is not there."""
        pending, ref = self.pending, order.ref
        for i, booked in enumerate(pending):
            if booked is not None and booked.ref == ref:
                del pending[i]
                return True
        return False

    # -- execution ---------------------------------------------------------------------
    def _schemes(self, order: Order) -> tuple[Any, Any, Any]:
        """(scheme, data that holds the position, scheme for the commission)."""
        comminfo = self.getcommissioninfo(order.data)
        data = order.data._compensate
        if data is None:
            return comminfo, order.data, comminfo
        return comminfo, data, self.getcommissioninfo(data)

    def _pseudo_execute(self, order: Order, cash: float, position: tuple[float, float]
                        ) -> tuple[float, tuple[float, float]]:
        """Cash left, and the (size, price) position left, if ``order`` filled now at its
        creation price against ``position`` (the submit check)."""
        comminfo, _, cinfocomp = self._schemes(order)
        if self.p.coo and order.exectype == Order.Market:
            price = order.data.open[0]
        else:
            price = order.created.price
        psize, pprice, opened, closed = moved(*position, order.executed.remsize, price)
        shortcash = self.p.shortcash
        if closed:
            _, delta, comm = closing_part(comminfo, closed, price, price, 0, shortcash)
            cash += delta
            cash -= comm
        if opened:
            _, spent, comm = opening_part(comminfo, cinfocomp, opened, price, shortcash)
            cash -= spent
            cash -= comm
        return cash, (psize, pprice)

    def _filler_size(self, order: Order, price: float, ago: int) -> float:
        """Size the broker's filler allows to fill now (signed as the order)."""
        size = self.p.filler(order, price, ago)
        return size if order.isbuy() else -size

    def _execute(self, order: Order, ago: int, price: Any, dtcoc: Any = None) -> None:
        """Fill (part of) ``order`` at ``price``: update cash, position, order; notify."""
        if price is None:
            return
        size = (order.executed.remsize if self.p.filler is None  # no filler: all that remains
                else self._filler_size(order, price, ago))
        comminfo, data, cinfocomp = self._schemes(order)
        position = self.positions[data]
        (self.cash, psize, pprice, pnl, closed, closedvalue, closedcomm, opened, openedvalue,
         openedcomm, margin_reason) = settle(comminfo, cinfocomp, position, size, price, self.cash,
                                             self.p.shortcash)
        execsize = closed + opened
        if execsize:
            comminfo.confirmexec(execsize, price)
            position.update(execsize, price)
            position.stamp(data.datetime[0], getattr(data, "_tz", None))
            if closed and self.p.int2pnl:
                closedcomm += self.d_credit.pop(data, 0.0)
            order.execute(dtcoc or data.datetime[ago], execsize, price,
                          closed, closedvalue, closedcomm, opened, openedvalue, openedcomm,
                          comminfo.margin, pnl, psize, pprice)
            order.comminfo = comminfo
            self.notify(order)
            if self.links.ocos:
                self.links.ococheck(order)
        if margin_reason is not None:
            order.margin(reason=margin_reason)
            self.notify(order)
            self.links.ococheck(order)
            self.links.bracketize(order, cancel=True)

    # -- the bar step ------------------------------------------------------------------
    def _charge_interest(self) -> None:
        """Accrue credit interest on positions whose scheme charges it."""
        credit = 0.0
        for data, pos in self.positions.items():
            if pos:
                comminfo = self.getcommissioninfo(data)
                if not comminfo._charges_interest:
                    continue
                dt0 = data.datetime.datetime()
                dcredit = comminfo.get_credit_interest(data, pos, dt0)
                self.d_credit[data] += dcredit
                credit += dcredit
                pos.datetime = dt0
        self.cash -= credit

    def _process_pending(self) -> None:
        """One pass over the book: expire, skip inactive, match (and execute, and trail a
        trailing stop that is still alive)."""
        pending = self.pending
        pending.append(None)
        links = self.links
        bars: dict[Any, tuple[float, float, float, float]] = {}  # each data's bar, read once
        match = self._matcher.match
        while True:
            order = pending.popleft()
            if order is None:
                break
            if order.valid and order.expire():  # an order without ``valid`` never expires
                self.notify(order)
                links.ococheck(order)
                links.bracketize(order, cancel=True)
            elif not order._active:
                pending.append(order)
            else:
                data = order.data
                bar = bars.get(data)
                if bar is None:
                    bar = bars[data] = bar_of(data)
                was_triggered = order.triggered
                fill = match(order, bar)
                if fill is not None:
                    self._execute(order, fill[0], fill[1], fill[2])
                if order.exectype in _TRAILING and order.alive() and Matcher.trails(order, was_triggered):
                    pclose = getattr(data, "tick_close", None)
                    order.trailadjust(data.close[0] if pclose is None else pclose)
                if order.status in ALIVE:
                    pending.append(order)
                elif order.status == Order.Completed and links.children:
                    links.bracketize(order)

    def _mark_to_market(self) -> None:
        """Settle futures-like price moves into cash."""
        for data, pos in self.positions.items():
            if pos:
                comminfo = self.getcommissioninfo(data)
                close = data.close[0]
                if comminfo._marks_to_market:
                    self.cash += comminfo.cashadjust(pos.size, pos.adjbase, close)
                pos.adjbase = close

    def next(self) -> None:
        """One bar: activate, check submitted, interest, execute, mark to market, value."""
        deferred = self._deferred
        if deferred is not None:
            if not (self._toactivate or self.submitted or self.pending or self._cash_addition
                    or self._scheme_flags != _QUIET):
                return  # nothing to do: the bar is valued when its value is read
            self._catch_up(deferred.clock.idx - 1, read=False)  # they saw the state before
            deferred.valued = deferred.clock.idx  # below; until then reads see the last value
        toactivate = self._toactivate
        while toactivate:
            toactivate.popleft().activate()
        if self.submitted and self.p.checksubmit:
            self.check_submitted()
        interest, mtm = self._scheme_flags or self.scheme_flags()
        if interest and self.positions:
            self._charge_interest()
        if self.pending:
            self._process_pending()
        if mtm and self.positions:
            self._mark_to_market()
        if self._cash_addition:
            self._apply_cash_additions()
        self._revalue()
        if deferred is not None:
            deferred.record_now(self.cash, self._value_last)


BrokerBack = BackBroker
