"""The one broker interface shared by backtest, paper and live brokers.

Holds what every broker needs: commission schemes per data name, notifications queue,
the pre-trade risk limits, and the backtrader method names (with their aliases).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from tradebridge.lines.buffer import LineBuffer
from tradebridge.orders._base import Parametrized
from tradebridge.orders.comminfo import CommInfoBase

from .risk import RiskLimits, check_limits

__all__ = ["BrokerBase"]


class BrokerBase(Parametrized):
    """Abstract broker: subclasses implement cash, value, positions and order handling."""

    params = (
        ("commission", None),  # default scheme; None: CommInfoBase(percabs=True)
        ("risk", None),  # RiskLimits; None: no opt-in limits
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.p.commission is None:
            self.p.commission = CommInfoBase(percabs=True)
        self.comminfo: dict[Any, CommInfoBase] = {}
        self.notifs: deque[Any] = deque()
        self.init()

    def init(self) -> None:
        """(Re)set state; ensures a default commission scheme exists."""
        if None not in self.comminfo:
            self.comminfo = {None: self.p.commission}
        self._scheme_flags: tuple[bool, bool] | None = None
        self._valuers: dict[Any, tuple[CommInfoBase, Any, LineBuffer | None]] = {}

    def start(self) -> None:
        """Called once by the engine before the first bar."""
        self.init()

    def stop(self) -> None:
        """Called once by the engine after the last bar."""

    # -- commission schemes ------------------------------------------------------------
    def getcommissioninfo(self, data: Any) -> CommInfoBase:
        """The scheme for ``data`` (by its name), else the default one."""
        comminfo = self.comminfo
        name = data._name
        if name in comminfo:
            return comminfo[name]
        return comminfo[None]

    def setcommission(
        self, commission: float = 0.0, margin: float | None = None, mult: float = 1.0,
        commtype: int | None = None, percabs: bool = True, stocklike: bool = False,
        interest: float = 0.0, interest_long: bool = False, leverage: float = 1.0,
        automargin: bool | float = False, name: str | None = None,
    ) -> None:
        """Build a CommInfoBase from the arguments and use it for data ``name`` (None: all)."""
        self.addcommissioninfo(CommInfoBase(
            commission=commission, margin=margin, mult=mult, commtype=commtype,
            stocklike=stocklike, percabs=percabs, interest=interest,
            interest_long=interest_long, leverage=leverage, automargin=automargin,
        ), name=name)

    def addcommissioninfo(self, comminfo: CommInfoBase, name: str | None = None) -> None:
        """Use ``comminfo`` for data ``name`` (None: the default scheme)."""
        self.comminfo[name] = comminfo
        self._scheme_flags = None
        self._valuers = {}

    def valuer(self, data: Any) -> tuple[CommInfoBase, Any, LineBuffer | None]:
        """What the per-bar value refresh needs for ``data``: its scheme, the scheme's params
        when it values positions with the base stock formulas (then computed inline, else
        None), and the data's close line when it is a plain buffer (read without a call)."""
        found = self._valuers.get(data)
        if found is None:
            ci = self.getcommissioninfo(data)
            cls = type(ci)
            plain = bool(ci._stocklike and cls.getvaluesize is CommInfoBase.getvaluesize
                         and cls.profitandloss is CommInfoBase.profitandloss
                         and cls.get_leverage is CommInfoBase.get_leverage)
            close = getattr(data, "close", None)
            found = self._valuers[data] = (ci, ci.p if plain else None,
                                           close if type(close) is LineBuffer else None)
        return found

    def scheme_flags(self) -> tuple[bool, bool]:
        """(any scheme charges interest, any scheme marks to market), cached per change."""
        flags = self._scheme_flags
        if flags is None:
            schemes = self.comminfo.values()
            flags = self._scheme_flags = (any(c._charges_interest for c in schemes),
                                          any(c._marks_to_market for c in schemes))
        return flags

    # -- pre-trade risk ----------------------------------------------------------------
    def set_risk(self, risk: RiskLimits | None) -> None:
        """Set the opt-in pre-trade limits (None switches them off)."""
        self.p.risk = risk

    def get_risk(self) -> RiskLimits | None:
        """The opt-in pre-trade limits in force."""
        return self.p.risk

    def risk_reason(self, order: Any) -> str | None:
        """Why ``order`` breaks the opt-in limits, or None when it passes (or none are set)."""
        limits = self.p.risk
        if limits is None or not limits.active:
            return None
        data = order.data
        comminfo = self.getcommissioninfo(data)
        return check_limits(limits, order, self.getposition(data).size, data.close[0],
                            comminfo.p.mult)

    # -- notifications -----------------------------------------------------------------
    def notify(self, order: Any) -> None:
        """Queue a snapshot of ``order`` for the strategy."""
        self.notifs.append(order.clone())

    def get_notification(self) -> Any:
        """Next queued order snapshot, or None."""
        notifs = self.notifs
        return notifs.popleft() if notifs else None

    # -- account -----------------------------------------------------------------------
    def getcash(self) -> float:
        """Cash available."""
        raise NotImplementedError

    def get_cash(self) -> float:
        """Alias of ``getcash``."""
        return self.getcash()

    def getvalue(self, datas: Any = None) -> float:
        """Portfolio value (of ``datas`` only, if given)."""
        raise NotImplementedError

    def get_value(self, datas: Any = None) -> float:
        """Alias of ``getvalue``."""
        return self.getvalue(datas)

    def get_fundshares(self) -> float:
        """Fund shares (1 when the broker has no fund mode)."""
        return 1.0

    @property
    def fundshares(self) -> float:
        """Fund shares."""
        return self.get_fundshares()

    def get_fundvalue(self) -> float:
        """Value of one fund share (the portfolio value without fund mode)."""
        return self.getvalue()

    @property
    def fundvalue(self) -> float:
        """Value of one fund share."""
        return self.get_fundvalue()

    def set_fundmode(self, fundmode: bool, fundstartval: float | None = None) -> None:
        """Switch fund mode (ignored by brokers without one)."""

    def get_fundmode(self) -> bool:
        """Whether fund mode is on."""
        return False

    @property
    def fundmode(self) -> bool:
        """Whether fund mode is on."""
        return self.get_fundmode()

    @fundmode.setter
    def fundmode(self, value: bool) -> None:
        self.set_fundmode(value)

    def getposition(self, data: Any) -> Any:
        """The Position of ``data``."""
        raise NotImplementedError

    def get_orders_open(self, safe: bool = False) -> list[Any]:
        """Orders still open (clones when ``safe``)."""
        raise NotImplementedError

    # -- orders ------------------------------------------------------------------------
    def submit(self, order: Any) -> Any:
        """Take an order into the broker."""
        raise NotImplementedError

    def cancel(self, order: Any) -> Any:
        """Cancel an open order."""
        raise NotImplementedError

    def buy(
        self, owner: Any, data: Any, size: float, price: float | None = None,
        plimit: float | None = None, exectype: int | None = None, valid: Any = None,
        tradeid: int = 0, oco: Any = None, trailamount: float | None = None,
        trailpercent: float | None = None, parent: Any = None, transmit: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Create and submit a buy order."""
        raise NotImplementedError

    def sell(
        self, owner: Any, data: Any, size: float, price: float | None = None,
        plimit: float | None = None, exectype: int | None = None, valid: Any = None,
        tradeid: int = 0, oco: Any = None, trailamount: float | None = None,
        trailpercent: float | None = None, parent: Any = None, transmit: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Create and submit a sell order."""
        raise NotImplementedError

    def next(self) -> None:
        """Process one bar (the engine calls it each step)."""
