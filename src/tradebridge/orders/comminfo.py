"""Commission, margin, leverage and interest schemes: the one place P&L and costs are computed.

Formulas follow backtrader 1.9.78 exactly. Users subclass and override ``_getcommission``
(and ``_get_credit_interest``), so those hooks keep backtrader's signatures.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ._base import Parametrized

__all__ = [
    "CommInfoBase",
    "CommissionInfo",
    "CommInfo",
    "CommInfo_Futures",
    "CommInfo_Futures_Perc",
    "CommInfo_Futures_Fixed",
    "CommInfo_Stocks",
    "CommInfo_Stocks_Perc",
    "CommInfo_Stocks_Fixed",
]


class CommInfoBase(Parametrized):
    """Base commission scheme; ``commtype=None`` keeps the old margin-decides behaviour."""

    COMM_PERC, COMM_FIXED = range(2)

    params = (
        ("commission", 0.0),
        ("mult", 1.0),
        ("margin", None),
        ("commtype", None),
        ("stocklike", False),
        ("percabs", False),
        ("interest", 0.0),
        ("interest_long", False),
        ("leverage", 1.0),
        ("automargin", False),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        p = self.p
        self._stocklike = p.stocklike
        self._commtype = p.commtype
        if self._commtype is None:  # margin decides: futures-like fixed or stock-like perc
            self._stocklike = not p.margin
            self._commtype = self.COMM_PERC if self._stocklike else self.COMM_FIXED
        if not self._stocklike and not p.margin:
            p.margin = 1.0
        if self._commtype == self.COMM_PERC and not p.percabs:
            p.commission /= 100.0
        self._creditrate = p.interest / 365.0
        cls = type(self)
        self._charges_interest = bool(self._creditrate) or (
            cls.get_credit_interest is not CommInfoBase.get_credit_interest
            or cls._get_credit_interest is not CommInfoBase._get_credit_interest
        )
        self._marks_to_market = (not self._stocklike
                                 or cls.cashadjust is not CommInfoBase.cashadjust)

    @property
    def margin(self) -> Any:
        """The margin per contract (None for stock-like schemes)."""
        return self.p.margin

    @property
    def stocklike(self) -> bool:
        """Whether the asset is paid in full (True) or held on margin (False)."""
        return self._stocklike

    def get_margin(self, price: float) -> float:
        """Margin for one unit at ``price``; ``automargin`` derives it from the price."""
        automargin = self.p.automargin
        if not automargin:
            return self.p.margin
        if automargin < 0:
            return price * self.p.mult
        return price * automargin

    def get_leverage(self) -> float:
        """The leverage the scheme allows."""
        return self.p.leverage

    def getsize(self, price: float, cash: float) -> int:
        """How many units ``cash`` buys at ``price``."""
        unit = price if self._stocklike else self.get_margin(price)
        return int(self.p.leverage * (cash // unit))

    def getoperationcost(self, size: float, price: float) -> float:
        """Cash needed (always positive) to open ``size`` at ``price``."""
        unit = price if self._stocklike else self.get_margin(price)
        return abs(size) * unit

    def getvaluesize(self, size: float, price: float) -> float:
        """Value of ``size`` at ``price`` (negative for stock-like shorts)."""
        if not self._stocklike:
            return abs(size) * self.get_margin(price)
        return size * price

    def getvalue(self, position: Any, price: float) -> float:
        """Value of a position at ``price``; a stock-like short gains as the price falls."""
        size = position.size
        if not self._stocklike:
            return abs(size) * self.get_margin(price)
        if size >= 0:
            return size * price
        return position.price * size + (position.price - price) * size

    def _getcommission(self, size: float, price: float, pseudoexec: bool) -> float:
        """Commission for ``size`` at ``price``; ``pseudoexec`` is False on a real fill."""
        if self._commtype == self.COMM_PERC:
            return abs(size) * self.p.commission * price
        return abs(size) * self.p.commission

    def getcommission(self, size: float, price: float) -> float:
        """Commission for a (possibly simulated) execution."""
        return self._getcommission(size, price, pseudoexec=True)

    def confirmexec(self, size: float, price: float) -> float:
        """Commission for a confirmed execution (lets stateful schemes count fills)."""
        return self._getcommission(size, price, pseudoexec=False)

    def profitandloss(self, size: float, price: float, newprice: float) -> float:
        """P&L of ``size`` moved from ``price`` to ``newprice``."""
        return size * (newprice - price) * self.p.mult

    def cashadjust(self, size: float, price: float, newprice: float) -> float:
        """Mark-to-market cash change for futures-like schemes (0 for stock-like)."""
        if not self._stocklike:
            return size * (newprice - price) * self.p.mult
        return 0.0

    def get_credit_interest(self, data: Any, pos: Any, dt: _dt.datetime) -> float:
        """Interest owed on ``pos`` for the days since it was last charged."""
        size = pos.size
        if size > 0 and not self.p.interest_long:
            return 0.0
        dt0 = dt.date()
        dt1 = pos.datetime.date()
        if dt0 <= dt1:
            return 0.0
        return self._get_credit_interest(data, size, pos.price, (dt0 - dt1).days, dt0, dt1)

    def _get_credit_interest(
        self, data: Any, size: float, price: float, days: int, dt0: _dt.date, dt1: _dt.date
    ) -> float:
        """Simple yearly-rate interest over ``days`` on the position's value."""
        return days * self._creditrate * abs(size) * price

    def charges_interest(self) -> bool:
        """Whether this scheme can ever charge interest (lets the broker skip the work)."""
        return self._charges_interest

    def marks_to_market(self) -> bool:
        """Whether price moves change cash every bar (futures-like or a custom cashadjust)."""
        return self._marks_to_market


class CommissionInfo(CommInfoBase):
    """The original scheme: percentages given as fractions (0.001 = 0.1%)."""

    params = (("percabs", True),)


class CommInfo(CommInfoBase):
    """Same as CommInfoBase: percentages given as xx% (0.1 = 0.1%)."""


class CommInfo_Futures(CommInfoBase):
    """Futures-like: margin instead of full price, mark-to-market cash."""

    params = (("stocklike", False),)


class CommInfo_Futures_Perc(CommInfo_Futures):
    """Futures-like with a percentage commission."""

    params = (("commtype", CommInfoBase.COMM_PERC),)


class CommInfo_Futures_Fixed(CommInfo_Futures):
    """Futures-like with a fixed commission per contract."""

    params = (("commtype", CommInfoBase.COMM_FIXED),)


class CommInfo_Stocks(CommInfoBase):
    """Stock-like: full price paid, no mark-to-market."""

    params = (("stocklike", True),)


class CommInfo_Stocks_Perc(CommInfo_Stocks):
    """Stock-like with a percentage commission."""

    params = (("commtype", CommInfoBase.COMM_PERC),)


class CommInfo_Stocks_Fixed(CommInfo_Stocks):
    """Stock-like with a fixed commission per share."""

    params = (("commtype", CommInfoBase.COMM_FIXED),)
