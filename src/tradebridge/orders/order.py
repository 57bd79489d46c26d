"""Orders: what was asked (``created``), what happened (``executed``) and the status machine.

Behaviour and printed form follow backtrader 1.9.78. An order reads its data only through
the public data API (``datetime[0]``, ``close[0]``, ``datetime.date(0)``, ``p.sessionend``).
"""

from __future__ import annotations

import datetime as _dt
import functools
import itertools
from typing import Any

from tradebridge.lines.params import unknown_param_error
from tradebridge.utils.dates import date2num, num2date, time2num

from ._autodict import AutoOrderedDict
from ._base import FastCopy, Parametrized
from .orderdata import OrderData, OrderExecutionBit
from .validate import check_order_args, check_valid_not_past

__all__ = ["ALIVE", "BuyOrder", "Order", "OrderBase", "SellOrder"]

_DAY_END = _dt.time(23, 59, 59, 9999)  # backtrader's end of a DAY order
_SESSION_FRACS: dict[_dt.time, float] = {}  # session end time -> fraction of a day
_ARGS = ("owner", "data", "size", "price", "pricelimit", "exectype", "valid", "tradeid", "oco",
         "trailamount", "trailpercent", "parent", "transmit", "simulated", "histnotify")
ALIVE = frozenset(range(4))  # statuses that can still fill: Created, Submitted, Accepted, Partial


class _ParamsAccess:
    """``Order.params`` is the params class (as every Parametrized class's); ``order.params``
    is the order's params object, ``order.p``, built when first read."""

    def __init__(self, pcls: type) -> None:
        self.pcls = pcls

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self.pcls if obj is None else obj.p


class OrderBase(FastCopy, Parametrized):
    """Everything an order is, independent of the side."""

    params = (
        ("owner", None),
        ("data", None),
        ("size", None),
        ("price", None),
        ("pricelimit", None),
        ("exectype", None),
        ("valid", None),
        ("tradeid", 0),
        ("oco", None),
        ("trailamount", None),
        ("trailpercent", None),
        ("parent", None),
        ("transmit", True),
        ("simulated", False),
        ("histnotify", False),
    )

    DAY = _dt.timedelta()  # marks a DAY order in ``valid``
    T_Close, T_Day, T_Date, T_None = range(4)
    V_None = range(1)

    (Market, Close, Limit, Stop, StopLimit, StopTrail, StopTrailLimit, Historical) = range(8)
    ExecTypes = [
        "Market", "Close", "Limit", "Stop", "StopLimit", "StopTrail", "StopTrailLimit",
        "Historical",
    ]
    OrdTypes = ["Buy", "Sell"]
    Buy, Sell = range(2)

    (Created, Submitted, Accepted, Partial, Completed, Canceled, Expired, Margin,
     Rejected) = range(9)
    Cancelled = Canceled
    Status = [
        "Created", "Submitted", "Accepted", "Partial", "Completed", "Canceled", "Expired",
        "Margin", "Rejected",
    ]

    refbasis = itertools.count(1)
    ordtype: int = 0

    # what every order starts with, kept on the class: an order's own __dict__ (built once,
    # copied for every notification) holds only what differs from order to order
    status = Created
    broker: Any = None
    comminfo: Any = None
    triggered = False
    position = 0
    _active = True
    _limitoffset = 0.0
    pricelimit: Any = None
    plimit: Any = None
    valid: Any = None
    tradeid: Any = 0
    oco: Any = None
    parent: Any = None
    transmit: Any = True
    trailamount: Any = None
    trailpercent: Any = None
    _simulated = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # cls.params is now the merged params class
        cls.params = _ParamsAccess(cls.params)  # type: ignore[assignment]

    def __init__(self, **kwargs: Any) -> None:
        pcls = type(self).params
        defaults = pcls._defaults
        if not kwargs.keys() <= defaults.keys():
            raise unknown_param_error(self, sorted(kwargs.keys() - defaults.keys())[0])
        values = {**defaults, **kwargs}
        self._setup(*(values[name] for name in _ARGS))
        if len(values) > len(_ARGS):  # a subclass declared params of its own: keep them all
            p = object.__new__(pcls)
            p.__dict__ = values
            self.p = p

    @classmethod
    def _make(cls, owner: Any, data: Any, size: float, price: Any, pricelimit: Any, exectype: Any,
              valid: Any, tradeid: int, oco: Any, trailamount: Any, trailpercent: Any, parent: Any,
              transmit: bool, histnotify: bool) -> OrderBase:
        """An order from a broker's positional arguments: the same as ``cls(owner=..., ...)``
        without packing and checking keyword arguments (this runs for every order)."""
        order = cls.__new__(cls)
        order._setup(owner, data, size, price, pricelimit, exectype, valid, tradeid, oco,
                     trailamount, trailpercent, parent, transmit, False, histnotify)
        return order

    @functools.cached_property
    def p(self) -> Any:
        """The order's params (backtrader's ``order.p``), built when first read: the order
        keeps its arguments as given (few orders are ever asked for them)."""
        pcls = type(self).params
        p = object.__new__(pcls)
        p.__dict__ = {**pcls._defaults, **dict(zip(_ARGS, self._args))}
        return p

    def _setup(self, owner: Any, data: Any, size: Any, price: Any, pricelimit: Any,
               exectype: Any, valid: Any, tradeid: Any, oco: Any, trailamount: Any,
               trailpercent: Any, parent: Any, transmit: Any, simulated: Any,
               histnotify: Any) -> None:
        """Check the arguments (every param, in ``_ARGS`` order) and set the order up."""
        self._args = (owner, data, size, price, pricelimit, exectype, valid, tradeid, oco,
                      trailamount, trailpercent, parent, transmit, simulated, histnotify)
        if exectype is None:
            exectype = self.Market
        check_order_args(size, price, pricelimit, self.ExecTypes[exectype], trailamount,
                         trailpercent)
        self.owner = owner
        self.data = data
        self.size = size if self.ordtype == self.Buy else -size
        self.price, self.exectype = price, exectype
        # the optional arguments are stored only when given (their defaults are on the class)
        if pricelimit is not None:
            self.pricelimit = self.plimit = pricelimit
        if trailamount is not None:
            self.trailamount = trailamount
        if trailpercent is not None:
            self.trailpercent = trailpercent
        if tradeid != 0:
            self.tradeid = tradeid
        if oco is not None:
            self.oco = oco
        if parent is not None:
            self.parent = parent
            self._active = False
        if transmit is not True:
            self.transmit = transmit
        if simulated:
            self._simulated = True
        self.ref = next(self.refbasis)
        self.info = AutoOrderedDict()
        self._make_created(simulated)
        self.executed = OrderData(None, 0, 0.0, 0.0, self.size)
        if valid is not None:
            self.valid = self._valid_to_num(valid)

    def _make_created(self, simulated: bool = False) -> None:
        """Build ``created``; trailing stops start at +/-inf and trail from the given price."""
        price, pricelimit = self.price, self.pricelimit
        if simulated:
            pclose, dt = price, 0.0
        else:
            data = self.data
            pclose, dt = data.close[0], data.datetime[0]
        self.created = created = OrderData(
            dt, self.size, pclose if not price and not pricelimit else price, pricelimit, 0,
            pclose, self.trailamount, self.trailpercent)
        if self.exectype in (self.StopTrail, self.StopTrailLimit):
            self._limitoffset = created.price - created.pricelimit
            start = created.price
            created.price = float("inf") if self.isbuy() else float("-inf")
            self.trailadjust(start)

    def _date2num(self, dt: _dt.datetime | _dt.date) -> float:
        """Date number of ``dt`` read as a time in the data's time zone, as backtrader's
        ``data.date2num`` does (the feed's own ``date2num`` reads its *input* zone)."""
        tz = getattr(self.data, "_tz", None)
        if tz is not None and isinstance(dt, _dt.datetime) and dt.tzinfo is None:
            localize = getattr(tz, "localize", None)  # pytz zones must localize
            dt = localize(dt) if localize is not None else dt.replace(tzinfo=tz)
        return date2num(dt)

    def _valid_to_num(self, valid: Any) -> float | None:
        """Turn ``valid`` (None, DAY/0, date, datetime, timedelta, date number) into a number."""
        if valid is None:
            return None
        if isinstance(valid, _dt.date):
            num = self._date2num(valid)
        elif isinstance(valid, _dt.timedelta):
            if valid == self.DAY:
                num = self._day_end()
            else:
                num = self._date2num(self.data.datetime.datetime(0) + valid)
        elif not valid:  # 0 means DAY (backtrader forgets to store it and never expires)
            num = self._day_end()
        else:
            num = valid  # a date number, as backtrader documents
        if not self._simulated:
            check_valid_not_past(num, self.data.datetime[0], valid)
        return num

    def _day_end(self) -> float:
        """Date number of the end of the current bar's day."""
        return self._date2num(_dt.datetime.combine(self.data.datetime.date(0), _DAY_END))

    @functools.cached_property
    def dteos(self) -> float:
        """Date number of the session end on or after the creation bar (where a Close order
        fills); worked out when first read, as only Close orders and printing need it."""
        if self._simulated:
            return 0.0
        num = self.created.dt
        data = self.data
        if getattr(data, "_tz", None) is None and getattr(data, "_tzinput", None) is None:
            # no time zones: the same number date2num gives, without building datetimes
            day = int(num)
            session = data.p.sessionend
            frac = _SESSION_FRACS.get(session)
            if frac is None:
                frac = _SESSION_FRACS[session] = time2num(session)
            eos = float(day) + frac
            return eos if eos >= num else float(day + 1) + frac
        dtime = num2date(num, data.datetime._tzinfo())  # the creation bar, as the data shows it
        session = data.p.sessionend
        dteos = dtime.replace(
            hour=session.hour, minute=session.minute,
            second=session.second, microsecond=session.microsecond,
        )
        if dteos < dtime:
            dteos += _dt.timedelta(days=1)
        return self._date2num(dteos)

    def __str__(self) -> str:
        return "\n".join(
            (
                f"Ref: {self.ref}",
                f"OrdType: {self.ordtype}",
                f"OrdType: {self.ordtypename()}",
                f"Status: {self.status}",
                f"Status: {self.getstatusname()}",
                f"Size: {self.size}",
                f"Price: {self.price}",
                f"Price Limit: {self.pricelimit}",
                f"TrailAmount: {self.trailamount}",
                f"TrailPercent: {self.trailpercent}",
                f"ExecType: {self.exectype}",
                f"ExecType: {self.getordername()}",
                f"CommInfo: {self.comminfo}",
                f"End of Session: {self.dteos}",
                f"Info: {self.info}",
                f"Broker: {self.broker}",
                f"Alive: {self.alive()}",
            )
        )

    def __eq__(self, other: object) -> bool:
        return other is not None and self.ref == getattr(other, "ref", None)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.ref)

    @property
    def simulated(self) -> bool:
        """Whether the order was built without a data bar (broker-side bookkeeping)."""
        return self._simulated

    @property
    def histnotify(self) -> bool:
        """Whether a Historical order is notified to the strategy."""
        return self.p.histnotify

    def clone(self) -> OrderBase:
        """Snapshot for notification; the fills since the last snapshot become pending."""
        obj = self.__copy__()
        obj.executed = self.executed.clone()
        return obj

    def getstatusname(self, status: int | None = None) -> str:
        """Name of ``status`` (default: the order's own)."""
        return self.Status[self.status if status is None else status]

    def getordername(self, exectype: int | None = None) -> str:
        """Name of ``exectype`` (default: the order's own)."""
        return self.ExecTypes[self.exectype if exectype is None else exectype]

    @classmethod
    def ExecType(cls, exectype: str) -> int:
        """Exec type constant for a name such as ``'Limit'``."""
        return getattr(cls, exectype)

    def ordtypename(self, ordtype: int | None = None) -> str:
        """``'Buy'`` or ``'Sell'``."""
        return self.OrdTypes[self.ordtype if ordtype is None else ordtype]

    def active(self) -> bool:
        """Whether the broker may try to execute it (bracket children wait for the parent)."""
        return self._active

    def activate(self) -> None:
        """Let the broker execute it."""
        self._active = True

    def alive(self) -> bool:
        """Whether it can still execute."""
        return self.status in ALIVE

    def addcomminfo(self, comminfo: Any) -> None:
        """Remember the commission scheme used for its fills."""
        self.comminfo = comminfo

    def addinfo(self, **kwargs: Any) -> None:
        """Attach custom key/values to ``info``."""
        for key, val in kwargs.items():
            self.info[key] = val

    def isbuy(self) -> bool:
        """Whether it buys."""
        return self.ordtype == self.Buy

    def issell(self) -> bool:
        """Whether it sells."""
        return self.ordtype == self.Sell

    def setposition(self, position: Any) -> None:
        """Store the position of its asset."""
        self.position = position

    def submit(self, broker: Any = None) -> None:
        """Mark it submitted to ``broker``."""
        self.status = self.Submitted
        if broker is not None or self.broker is not None:  # None is the class default
            self.broker = broker
        self.plen = len(self.data)

    def accept(self, broker: Any = None) -> None:
        """Mark it accepted."""
        self.status = self.Accepted
        if broker is not None or self.broker is not None:
            self.broker = broker

    def brokerstatus(self) -> int:
        """The status as the broker knows it (the last known one without a broker)."""
        if self.broker:
            return self.broker.orderstatus(self)
        return self.status

    def _stamp(self) -> None:
        """Set the execution time to the current bar (for non-fill outcomes)."""
        if not self._simulated:
            self.executed.dt = self.data.datetime[0]

    def reject(self, broker: Any = None, reason: str | None = None) -> bool:
        """Mark it rejected (with an optional human-readable reason); False if it already was."""
        if self.status == self.Rejected:
            return False
        self.status = self.Rejected
        self.broker = broker
        if reason is not None:
            self.info["reason"] = reason
        self._stamp()
        return True

    def cancel(self) -> None:
        """Mark it canceled."""
        self.status = self.Canceled
        self._stamp()

    def margin(self, reason: str | None = None) -> None:
        """Mark it refused for lack of cash/margin."""
        self.status = self.Margin
        if reason is not None:
            self.info["reason"] = reason
        self._stamp()

    def completed(self) -> None:
        """Mark it fully filled."""
        self.status = self.Completed

    def partial(self) -> None:
        """Mark it partially filled."""
        self.status = self.Partial

    def execute(
        self, dt: float, size: float, price: float,
        closed: float, closedvalue: float, closedcomm: float,
        opened: float, openedvalue: float, openedcomm: float,
        margin: Any, pnl: float, psize: float, pprice: float,
    ) -> None:
        """Record a fill."""
        if not size:
            return
        executed = self.executed
        executed.addbit(OrderExecutionBit(dt, size, price, closed, closedvalue, closedcomm,
                                          opened, openedvalue, openedcomm, pnl, psize, pprice))
        executed.margin = margin

    def expire(self) -> bool:
        """Mark it expired; True if it did."""
        self.status = self.Expired
        return True

    def trailadjust(self, price: float) -> None:
        """Move a trailing stop towards ``price`` (no-op in the base)."""


class Order(OrderBase):
    """An order whose fills set Partial/Completed and that expires on its ``valid`` time."""

    def execute(self, *fill: Any) -> None:
        """Record a fill (``OrderBase.execute``'s arguments) and set Partial or Completed."""
        OrderBase.execute(self, *fill)
        self.status = self.Partial if self.executed.remsize else self.Completed

    def expire(self) -> bool:
        """Expire if ``valid`` has passed (never a Market order); True if it did."""
        if self.exectype == self.Market or not self.valid:
            return False
        now = self.data.datetime[0]
        if now > self.valid:
            self.status = self.Expired
            self.executed.dt = now
            return True
        return False

    def trailadjust(self, price: float) -> None:
        """Pull a trailing stop (and its limit) behind ``price``, never away from it."""
        if self.trailamount:
            pamount = self.trailamount
        elif self.trailpercent:
            pamount = price * self.trailpercent
        else:
            pamount = 0.0
        created = self.created
        if self.isbuy():
            price += pamount
            moved = price < created.price
        else:
            price -= pamount
            moved = price > created.price
        if moved:
            created.price = price
            if self.exectype == self.StopTrailLimit:
                created.pricelimit = price - self._limitoffset


class BuyOrder(Order):
    """An order that buys."""

    ordtype = Order.Buy


class SellOrder(Order):
    """An order that sells (its ``size`` is negative)."""

    ordtype = Order.Sell


class StopBuyOrder(BuyOrder):
    """Kept for backtrader compatibility."""


class StopLimitBuyOrder(BuyOrder):
    """Kept for backtrader compatibility."""


class StopSellOrder(SellOrder):
    """Kept for backtrader compatibility."""


class StopLimitSellOrder(SellOrder):
    """Kept for backtrader compatibility."""


OrderBase.params = _ParamsAccess(OrderBase.params)  # type: ignore[assignment]
