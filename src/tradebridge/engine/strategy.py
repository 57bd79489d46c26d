"""Strategy: the user's trading logic, run by Cerebro once per bar step.

Holds the order/trade notification queues, the sizer, observers and analyzers, and the
order helpers (``buy``, ``sell``, ``close``, ``order_target_*``, brackets).
"""

from __future__ import annotations

import datetime as _dt
import functools
import threading
from typing import Any

from ..analyzers.base import next_call, step_analyzers
from ..lines.buffer import NAN, Clock, nan_array
from ..lines.lineiterator import LineIterator, StratType, TradingHooks, base_of
from ..lines.params import unknown_param_error
from .collection import ItemCollection

__all__ = ["BUILDING", "Strategy"]


class _Building(threading.local):
    """The cerebro building strategies in this thread: a strategy takes it before its ``__init__``
    (per thread, so engines in a thread pool executor never take each other's)."""

    def __init__(self) -> None:
        self.cerebro: Any = None


BUILDING = _Building()


class Strategy(TradingHooks, LineIterator):
    """Base class of user strategies (backtrader's ``bt.Strategy``)."""

    _ltype = StratType
    lines = ("datetime",)
    csv = True
    _hears_orders = True  # until _prepare_run looks: whether notify_order is overridden
    _position0: Any = None  # during a run: the broker's lookup of the first data's position

    # -- construction -----------------------------------------------------------------------
    def _preinit(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        cerebro = BUILDING.cerebro
        self.env = self.cerebro = cerebro
        self.broker = cerebro.broker if cerebro is not None else None
        self._orderspending: list[Any] = []
        self._tradespending: list[Any] = []
        self._orders: list[Any] = []
        self.analyzers = ItemCollection()
        self._slave_analyzers: list[Any] = []
        self.observers = self.stats = ItemCollection()
        self.writers: list[Any] = []
        self._timers: list[Any] = []
        from ..sizers import FixedSize

        self._sizer: Any = FixedSize()  # before __init__, as backtrader: self.sizer is usable there
        self._sizer.set(self, self.broker)
        self._tradehistoryon = False
        from ..orders.tradebook import TradeBook

        self._tradebook = TradeBook()
        self._trades = self._tradebook.trades
        datas = list(cerebro.datas) if cerebro is not None else []
        args, kwargs = super()._preinit(tuple(datas) + tuple(args), kwargs)
        if kwargs and type(self).__init__ is LineIterator.__init__:  # no __init__ takes them
            raise unknown_param_error(self, next(iter(kwargs)))
        return args, kwargs

    def _setclock(self) -> None:
        self._base = self
        self._iclk = Clock("strategy")
        # observers move onto a step only after next(): there [0] is still the last step
        self._oclk = Clock("observers")
        self._prealloc = False
        self._make_lines(self._iclk, 0)

    def _postinit(self) -> None:
        # a strategy's period is kept per data (see _periodset), not merged from children
        pass

    # -- start / stop ---------------------------------------------------------------------------
    def _periodset(self) -> None:
        """Per-data minimum periods from the indicators built on each data."""
        ids = {id(d): i for i, d in enumerate(self.datas)}
        mps = [getattr(d, "_minperiod", 1) for d in self.datas]
        for ind in self._children:
            base = base_of(ind)
            i = ids.get(id(base))
            if i is not None:
                mps[i] = max(mps[i], ind._minperiod)
        self._minperiods = mps
        self._minperiod = max(mps or [1])
        self._mpstatus_done = False
        self._minperstatus = 1

    def _getminperstatus(self) -> int:
        if self._mpstatus_done:
            return -1
        status = max(mp - len(d) for mp, d in zip(self._minperiods, self.datas))
        if status < 0:
            self._mpstatus_done = True
        self._minperstatus = status
        return status

    def _start(self) -> None:
        self._periodset()
        if self._sizer is None:
            from ..sizers import FixedSize

            self.setsizer(FixedSize())
        for analyzer in self._all_analyzers():
            analyzer._start()
        for obs in self._observers:
            obs.start() if hasattr(obs, "start") else None
        self.start()

    def _prepare_run(self, capacity: int | None) -> None:
        """Before the first step: gather the per-step lines (own and observers'), sized for
        ``capacity`` steps when that is known, and cache what every step needs."""
        lines = list(self.lines)
        for obs in self._observers:
            lines.extend(obs.lines)
        self._sclines = lines
        self._grow = capacity is None
        if capacity is not None:
            for buf in lines:
                buf._a = nan_array(capacity)
        calls = [(obs.next if not obs._children else obs._obsnext, obs._on_events)
                 for obs in self._observers]
        self._obscalls = [call for call, events in calls if not events]
        self._obsevents = [call for call, events in calls if events]
        self._dtarr = self.datetime._a
        self._quick = bool(self.cerebro is not None and self.cerebro.p.quicknotify)
        self._stepped_analyzers = self._all_analyzers()
        self._ancalls = [next_call(a) for a in self._stepped_analyzers]
        self._cash_analyzers = [a for a in self._stepped_analyzers if a._listens_cash()]
        self._dlens = [0] * len(self.datas)
        self._stepfn = self._step
        if self.datas and self.broker is not None:
            self._position0 = functools.partial(self.broker.getposition, self.datas[0])
        hook = self.notify_order  # an instance attribute, or a class's own method
        self._hears_orders = getattr(hook, "__func__", None) is not TradingHooks.notify_order
        cls = type(self)
        self._wants_cash = (cls.notify_cashvalue is not Strategy.notify_cashvalue
                            or cls.notify_fund is not Strategy.notify_fund
                            or bool(self._cash_analyzers))

    def _defer_values(self, broker: Any, data: Any) -> bool:
        """Let ``broker`` value the bars it has nothing to do on only when the value is read
        (``BackBroker.defer_values``) when nobody here needs it every step: the observers
        and analyzers that record it take it in an array the broker fills instead."""
        defer = getattr(broker, "defer_values", None)
        if (defer is None or self._grow or self._wants_cash
                or not defer(data, self._iclk.idx - data._clk.idx)):
            return False
        sunk = [x for x in (*self._observers, *self._stepped_analyzers)
                if getattr(x, "_value_sink", None) is not None and x._value_sink(broker)]
        ids = {id(x) for x in sunk}  # by identity: == on lines compares values
        self._obscalls = [c for c in self._obscalls if id(getattr(c, "__self__", None)) not in ids]
        self._ancalls = [c for c in self._ancalls if id(getattr(c, "__self__", None)) not in ids]
        return True

    def _stop(self) -> None:
        self._position0 = None  # the run is over: position asks the broker again
        n = self._iclk.idx + 1
        for buf in getattr(self, "_sclines", ()):
            del buf._a[n:]
        self.stop()
        for analyzer in self._all_analyzers():
            analyzer._stop()
        for obs in self._observers:
            obs.stop() if hasattr(obs, "stop") else None

    def _addobserver(self, multi: bool, obscls: type, *args: Any, **kwargs: Any) -> None:
        name = kwargs.pop("obsname", "") or obscls.__name__.lower()
        if not multi:
            obs = obscls(*args, _owner=self, **kwargs)
            self.stats.append(obs, name)
            return
        # one per data, reachable by name but not an item of self.stats (as backtrader)
        setattr(self.stats, name, [obscls(data, *args, _owner=self, **kwargs) for data in self.datas])

    def _addanalyzer(self, ancls: type, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.pop("_name", "") or ancls.__name__.lower()
        analyzer = ancls(*args, _owner=self, **kwargs)
        self.analyzers.append(analyzer, name)
        return analyzer

    def _addanalyzer_slave(self, ancls: type, *args: Any, **kwargs: Any) -> Any:
        """An analyzer for an observer: fed and stepped like the user's, but not listed
        in ``self.analyzers`` (backtrader's slave analyzers)."""
        analyzer = ancls(*args, _owner=self, **kwargs)
        self._slave_analyzers.append(analyzer)
        return analyzer

    def _all_analyzers(self) -> list[Any]:
        return [*self.analyzers, *self._slave_analyzers]

    def _settz(self, tz: Any) -> None:
        """Show this strategy's datetimes in ``tz`` (cerebro's ``tz`` param)."""
        self.lines.datetime._tz = tz

    def _addsizer(self, sizer: Any, *args: Any, **kwargs: Any) -> None:
        self.setsizer(sizer(*args, **kwargs) if isinstance(sizer, type) else sizer)

    # -- per step ---------------------------------------------------------------------------------
    def _next_clock(self) -> tuple[float, bool]:
        """Bar by bar: the newest datetime among the datas, and whether any data grew
        (a replayed bar being rebuilt does not move the strategy on)."""
        lens = [len(d) for d in self.datas]
        grew = any(n > o for n, o in zip(lens, self._dlens))
        self._dlens = lens
        dt = max(d.lines.datetime[0] for d, n in zip(self.datas, lens) if n)
        return dt, grew

    def _step(self, dt: float, forward: bool = True) -> None:
        """One engine step: advance own lines, deliver notifications, call next & co."""
        clk = self._iclk
        if forward:
            i = clk.idx = clk.idx + 1
            if self._grow:
                for buf in self._sclines:
                    buf._a.append(NAN)
                self._dtarr = self.datetime._a
        else:
            i = clk.idx
        self._dtarr[i] = dt
        events = self._orderspending or self._tradespending
        if events or self._wants_cash:
            self._notify()
        if self._mpstatus_done:
            status = -1
            self.next()
        else:
            status = self._getminperstatus()
            if status < 0:
                self.next()
            elif status == 0:
                self.nextstart()
            else:
                self.prenext()
        if self._stepped_analyzers:
            step_analyzers(self._stepped_analyzers, status)
        self._observe(i, status, events)
        if status < 0 and not (self._grow or self._wants_cash):
            self._stepfn = self._step_plain

    def _step_plain(self, dt: float) -> None:
        """``_step`` in the steady state (every data past its minimum period, preallocated
        lines, nobody listening to cash/value): the same work without the branches."""
        clk = self._iclk
        i = clk.idx = clk.idx + 1
        self._dtarr[i] = dt
        events = self._orderspending or self._tradespending
        if events:
            self._notify()
        self.next()
        for call in self._ancalls:
            call()
        self._oclk.idx = i  # _observe(i, -1, events), without the call on quiet steps
        for call in self._obscalls:
            call()
        if events:
            self._observe(i, -1, events, stepped=True)

    def _observe(self, i: int, status: int, events: Any, stepped: bool = False) -> None:
        """Observers record step ``i`` (after next); the step's notifications are then done.
        ``stepped``: the observers called every step already were."""
        self._oclk.idx = i
        if status < 0:
            if not stepped:
                for call in self._obscalls:
                    call()
            if events:
                for call in self._obsevents:
                    call()
        else:
            self._observers_before_next(status, events)
        if events:
            self._orders.extend(self._orderspending)
            self._orderspending = []
            self._tradespending = []

    def _observers_before_next(self, status: int, events: Any) -> None:
        """While the strategy is in prenext, observers get prenext (then nextstart)."""
        for obs in self._observers:
            if obs._on_events and not events:
                continue
            if obs._children:
                obs._obsnext()
            elif status > 0:
                obs.prenext()
            else:
                obs.nextstart()


    def _next_open(self) -> None:
        status = self._minperstatus  # as of the previous step, as backtrader does
        if status < 0:
            self.next_open()
        elif status == 0:
            self.nextstart_open()
        else:
            self.prenext_open()

    def _addnotification(self, order: Any, quicknotify: bool = False) -> None:
        """The broker's word on an order: queue it and update the trades it touches."""
        if not getattr(order, "simulated", False):
            self._orderspending.append(order)
        trades = self._tradebook.add(order) if order.executed.size else None  # fills only
        if trades:
            self._tradespending.extend(trades)
        if quicknotify:
            self._notify(qorders=[order], qtrades=trades)

    def _notify(self, qorders: list | None = None, qtrades: list | None = None) -> None:
        if self._quick:
            orders, trades = qorders or [], qtrades or []
        else:
            orders, trades = self._orderspending, self._tradespending
        if self._hears_orders or self._stepped_analyzers:  # else nobody to tell
            for order in orders:
                if order.exectype != order.Historical or getattr(order, "histnotify", False):
                    self.notify_order(order)
                for analyzer in self._stepped_analyzers:
                    analyzer._notify_order(order)
        for trade in trades:
            self.notify_trade(trade)
            for analyzer in self._stepped_analyzers:
                analyzer._notify_trade(trade)
        if qorders:
            return
        if self._wants_cash:
            broker = self.broker
            cash = broker.getcash()
            value = broker.getvalue()
            fundvalue = broker.fundvalue
            fundshares = broker.fundshares
            self.notify_cashvalue(cash, value)
            self.notify_fund(cash, value, fundvalue, fundshares)
            for analyzer in self._cash_analyzers:
                analyzer._notify_cashvalue(cash, value)
                analyzer._notify_fund(cash, value, fundvalue, fundshares)

    # -- user hooks -----------------------------------------------------------------------------
    def start(self) -> None:
        """Called once before the first bar."""

    def stop(self) -> None:
        """Called once after the last bar."""

    def prenext_open(self) -> None:
        pass

    def nextstart_open(self) -> None:
        self.next_open()

    def next_open(self) -> None:
        pass

    def notify_store(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        pass

    def notify_data(self, data: Any, status: int, *args: Any, **kwargs: Any) -> None:
        pass

    def notify_timer(self, timer: Any, when: Any, *args: Any, **kwargs: Any) -> None:
        pass

    # -- data access ------------------------------------------------------------------------------
    def getdatanames(self) -> list[str]:
        return [d._name for d in self.datas]

    def getdatabyname(self, name: str) -> Any:
        for d in self.datas:
            if d._name == name:
                return d
        raise KeyError(f"no data named {name!r} (datas: {self.getdatanames()})")

    def _resolve(self, data: Any) -> Any:
        if isinstance(data, str):
            return self.getdatabyname(data)
        return self.datas[0] if data is None else data

    # -- positions --------------------------------------------------------------------------------
    def getposition(self, data: Any = None, broker: Any = None) -> Any:
        data = self.datas[0] if data is None else data
        return (broker or self.broker).getposition(data)

    @property
    def position(self) -> Any:
        """The first data's position (read by most strategies on every bar)."""
        get = self._position0
        return self.broker.getposition(self.datas[0]) if get is None else get()

    def getpositionbyname(self, name: str | None = None, broker: Any = None) -> Any:
        data = self.datas[0] if not name else self.getdatabyname(name)
        return (broker or self.broker).getposition(data)

    def getpositions(self, broker: Any = None) -> Any:
        return (broker or self.broker).positions

    positions = property(lambda self: self.broker.positions)

    def getpositionsbyname(self, broker: Any = None) -> dict[str, Any]:
        broker = broker or self.broker
        return {d._name: broker.getposition(d) for d in self.datas}

    # -- sizing -------------------------------------------------------------------------------------
    def setsizer(self, sizer: Any) -> Any:
        self._sizer = sizer
        sizer.set(self, self.broker)
        return sizer

    def getsizer(self) -> Any:
        return self._sizer

    sizer = property(getsizer, setsizer)

    def getsizing(self, data: Any = None, isbuy: bool = True) -> float:
        data = self.datas[0] if data is None else data
        return self._sizer.getsizing(data, isbuy=isbuy)

    # -- orders -------------------------------------------------------------------------------------
    def buy(self, data: Any = None, size: float | None = None, price: float | None = None,
            plimit: float | None = None, exectype: int | None = None, valid: Any = None,
            tradeid: int = 0, oco: Any = None, trailamount: float | None = None,
            trailpercent: float | None = None, parent: Any = None, transmit: bool = True,
            **kwargs: Any) -> Any:
        """Create a buy order (size from the sizer when not given); None if size is 0."""
        data = self._resolve(data)
        size = size if size is not None else self.getsizing(data, isbuy=True)
        if not size:
            return None
        # positional, in the order of backtrader's BrokerBase.buy (cheaper than keywords)
        return self.broker.buy(self, data, abs(size), price, plimit, exectype, valid, tradeid,
                               oco, trailamount, trailpercent, parent, transmit, **kwargs)

    def sell(self, data: Any = None, size: float | None = None, price: float | None = None,
             plimit: float | None = None, exectype: int | None = None, valid: Any = None,
             tradeid: int = 0, oco: Any = None, trailamount: float | None = None,
             trailpercent: float | None = None, parent: Any = None, transmit: bool = True,
             **kwargs: Any) -> Any:
        """Create a sell order (size from the sizer when not given); None if size is 0."""
        data = self._resolve(data)
        size = size if size is not None else self.getsizing(data, isbuy=False)
        if not size:
            return None
        return self.broker.sell(self, data, abs(size), price, plimit, exectype, valid, tradeid,
                                oco, trailamount, trailpercent, parent, transmit, **kwargs)

    def close(self, data: Any = None, size: float | None = None, **kwargs: Any) -> Any:
        """Counter the current position (or ``size`` of it)."""
        data = self._resolve(data)
        possize = self.getposition(data, self.broker).size
        size = abs(size if size is not None else possize)
        if possize > 0:
            return self.sell(data=data, size=size, **kwargs)
        if possize < 0:
            return self.buy(data=data, size=size, **kwargs)
        return None

    def cancel(self, order: Any) -> None:
        self.broker.cancel(order)

    def order_target_size(self, data: Any = None, target: float = 0, **kwargs: Any) -> Any:
        """Buy or sell so that the position becomes ``target`` units."""
        data = self._resolve(data)
        possize = self.getposition(data, self.broker).size
        if not target and possize:
            return self.close(data=data, size=possize, **kwargs)
        if target > possize:
            return self.buy(data=data, size=target - possize, **kwargs)
        if target < possize:
            return self.sell(data=data, size=possize - target, **kwargs)
        return None

    def order_target_value(self, data: Any = None, target: float = 0.0,
                           price: float | None = None, **kwargs: Any) -> Any:
        """Buy or sell so that the position is worth ``target``."""
        data = self._resolve(data)
        possize = self.getposition(data, self.broker).size
        if not target and possize:
            return self.close(data=data, size=possize, price=price, **kwargs)
        value = self.broker.getvalue(datas=[data])
        comminfo = self.broker.getcommissioninfo(data)
        price = price if price is not None else data.close[0]
        if target > value:
            size = comminfo.getsize(price, target - value)
            return self.buy(data=data, size=size, price=price, **kwargs)
        if target < value:
            size = comminfo.getsize(price, value - target)
            return self.sell(data=data, size=size, price=price, **kwargs)
        return None

    def order_target_percent(self, data: Any = None, target: float = 0.0,
                             **kwargs: Any) -> Any:
        """Buy or sell so that the position is ``target`` (0.1 = 10 %) of portfolio value."""
        data = self._resolve(data)
        value = self.broker.getvalue()
        return self.order_target_value(data=data, target=target * value, **kwargs)

    def _bracket(self, side: str, data: Any, size: Any, price: Any, plimit: Any, exectype: Any,
                 valid: Any, tradeid: int, trailamount: Any, trailpercent: Any, oargs: dict,
                 stopprice: Any, stopexec: Any, stopargs: dict, limitprice: Any,
                 limitexec: Any, limitargs: dict, kwargs: dict) -> list[Any]:
        main, other = (self.buy, self.sell) if side == "buy" else (self.sell, self.buy)
        kargs = dict(size=size, data=data, price=price, plimit=plimit, exectype=exectype,
                     valid=valid, tradeid=tradeid, trailamount=trailamount,
                     trailpercent=trailpercent)
        kargs.update(oargs)
        kargs.update(kwargs)
        kargs["transmit"] = limitexec is None and stopexec is None
        o = main(**kargs)
        ostop = olimit = None
        if stopexec is not None:
            kargs = dict(data=data, price=stopprice, exectype=stopexec, valid=valid,
                         tradeid=tradeid)
            kargs.update(stopargs)
            kargs.update(kwargs)
            kargs["size"] = o.size
            kargs["parent"] = o
            kargs["transmit"] = limitexec is None
            ostop = other(**kargs)
        if limitexec is not None:
            kargs = dict(data=data, price=limitprice, exectype=limitexec, valid=valid,
                         tradeid=tradeid)
            kargs.update(limitargs)
            kargs.update(kwargs)
            kargs["size"] = o.size
            kargs["parent"] = o
            kargs["transmit"] = True
            olimit = other(**kargs)
        return [x for x in (o, ostop, olimit) if x is not None]

    def buy_bracket(self, data: Any = None, size: Any = None, price: Any = None,
                    plimit: Any = None, exectype: Any = 2, valid: Any = None, tradeid: int = 0,
                    trailamount: Any = None, trailpercent: Any = None, oargs: dict | None = None,
                    stopprice: Any = None, stopexec: Any = 3, stopargs: dict | None = None,
                    limitprice: Any = None, limitexec: Any = 2, limitargs: dict | None = None,
                    **kwargs: Any) -> list[Any]:
        """Entry buy plus a protective sell stop and a take-profit sell limit."""
        return self._bracket("buy", data, size, price, plimit, exectype, valid, tradeid,
                             trailamount, trailpercent, oargs or {}, stopprice, stopexec,
                             stopargs or {}, limitprice, limitexec, limitargs or {}, kwargs)

    def sell_bracket(self, data: Any = None, size: Any = None, price: Any = None,
                     plimit: Any = None, exectype: Any = 2, valid: Any = None, tradeid: int = 0,
                     trailamount: Any = None, trailpercent: Any = None, oargs: dict | None = None,
                     stopprice: Any = None, stopexec: Any = 3, stopargs: dict | None = None,
                     limitprice: Any = None, limitexec: Any = 2, limitargs: dict | None = None,
                     **kwargs: Any) -> list[Any]:
        """Entry sell plus a protective buy stop and a take-profit buy limit."""
        return self._bracket("sell", data, size, price, plimit, exectype, valid, tradeid,
                             trailamount, trailpercent, oargs or {}, stopprice, stopexec,
                             stopargs or {}, limitprice, limitexec, limitargs or {}, kwargs)

    # -- timers ----------------------------------------------------------------------------------------
    def add_timer(self, when: Any, offset: _dt.timedelta = _dt.timedelta(),
                  repeat: _dt.timedelta = _dt.timedelta(), weekdays: list[int] | None = None,
                  weekcarry: bool = False, monthdays: list[int] | None = None,
                  monthcarry: bool = True, allow: Any = None, tzdata: Any = None,
                  cheat: bool = False, *args: Any, **kwargs: Any) -> Any:
        """A timer whose ``notify_timer`` goes to this strategy."""
        return self.cerebro._add_timer(
            self, when, *args, offset=offset, repeat=repeat, weekdays=weekdays or [],
            weekcarry=weekcarry, monthdays=monthdays or [], monthcarry=monthcarry, allow=allow,
            tzdata=tzdata, strats=False, cheat=cheat, **kwargs)

    def notify_timer_dispatch(self, timer: Any, when: Any) -> None:
        self.notify_timer(timer, when, *timer.args, **timer.kwargs)

    # -- writers (cerebro.addwriter) ---------------------------------------------------------------
    def getwriterheaders(self) -> list[str]:
        """csv columns: this strategy, its csv indicators and its observers (backtrader's)."""
        from .writers import strategy_headers

        return strategy_headers(self)

    def getwritervalues(self) -> list[Any]:
        """The values for those columns at this step."""
        from .writers import strategy_values

        return strategy_values(self)

    def getwriterinfo(self) -> dict[str, Any]:
        """This strategy's part of the writers' summary (params, indicators, analyses)."""
        from .writers import strategy_info

        return strategy_info(self)

    def results_frame(self) -> dict[str, Any]:
        """This run's trades, orders and equity curve as pandas DataFrames."""
        from ..results import results_frame

        return results_frame(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.p!r}>"
