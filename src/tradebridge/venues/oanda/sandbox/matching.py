"""The bridge from sandbox orders to the backtest broker's matching rules.

Each pending v20 order is shadowed by a tradebridge :class:`~tradebridge.orders.Order` on a
:class:`QuoteView` (the bid side for sells, the ask side for buys), and
:class:`tradebridge.brokers.matching.Matcher` decides whether and at what price it fills on the
newest bar, exactly as a backtest would. A just-placed order is matched against the current
quote alone (a bar whose open, high, low and close are that quote).
"""

from __future__ import annotations

import datetime as _dt
from types import SimpleNamespace
from typing import Any

from tradebridge.brokers.matching import Matcher
from tradebridge.orders import BuyOrder, Order, SellOrder
from tradebridge.utils.dates import date2num

from .pricing import Market

__all__ = ["EXECTYPE", "QuoteView", "make_order", "match", "new_matcher"]

# v20 order type -> tradebridge exec type (MARKET_IF_TOUCHED fills like a limit once touched)
EXECTYPE = {
    "MARKET": Order.Market,
    "LIMIT": Order.Limit,
    "STOP": Order.Stop,
    "MARKET_IF_TOUCHED": Order.Limit,
    "TAKE_PROFIT": Order.Limit,
    "STOP_LOSS": Order.Stop,
    "TRAILING_STOP_LOSS": Order.StopTrail,
}


class _Line:
    """The ``[0]`` of one value, as the order code reads a data line."""

    def __init__(self, get: Any) -> None:
        self._get = get

    def __getitem__(self, ago: int) -> float:
        return self._get()


class QuoteView:
    """One instrument's bid (sign -1) or ask (+1) side as the data an Order and the Matcher read."""

    p = SimpleNamespace(sessionend=_dt.time(23, 59, 59, 999990))
    _tz = None
    _tzinput = None

    def __init__(self, market: Market, name: str, sign: int) -> None:
        self.market, self.name, self.sign = market, name, sign
        self.quote_only = False
        self.datetime = _Line(
            lambda: date2num(_dt.datetime.fromtimestamp(market.clock, _dt.UTC).replace(tzinfo=None))
        )
        self.close = _Line(lambda: self._bar()[3])

    def _bar(self) -> tuple[float, float, float, float]:
        bar = self.market.bar(self.name, self.sign)
        return (bar[3],) * 4 if self.quote_only else bar

    @property
    def tick_open(self) -> float:
        return self._bar()[0]

    @property
    def tick_high(self) -> float:
        return self._bar()[1]

    @property
    def tick_low(self) -> float:
        return self._bar()[2]

    @property
    def tick_close(self) -> float:
        return self._bar()[3]


def new_matcher() -> Matcher:
    """A Matcher with the sandbox's params: market orders fill at the quote they were placed on
    (cheat-on-close on the creation quote), no slippage."""
    params = SimpleNamespace(
        coc=True,
        coo=False,
        slip_perc=0.0,
        slip_fixed=0.0,
        slip_open=False,
        slip_limit=True,
        slip_match=True,
        slip_out=False,
    )
    return Matcher(params)


def make_order(
    view: QuoteView, kind: str, units: float, price: float | None, distance: float | None
) -> Order:
    """The tradebridge order that shadows a v20 order of ``kind`` for ``units`` (signed)."""
    cls = BuyOrder if units > 0 else SellOrder
    exectype = EXECTYPE[kind]
    if exectype == Order.StopTrail:
        return cls(data=view, size=abs(units), price=None, exectype=exectype, trailamount=distance)
    return cls(data=view, size=abs(units), price=price, exectype=exectype)


def match(matcher: Matcher, order: Order, quote_only: bool) -> float | None:
    """The fill price of ``order`` on the newest bar (or on the current quote alone), else None;
    a trailing stop that does not fill follows the bar's close."""
    view: QuoteView = order.data
    view.quote_only = quote_only
    try:
        fill = matcher.match(order)
        if fill is None or fill[1] is None:
            if Matcher.trails(order, order.triggered):
                order.trailadjust(view.tick_close)
            return None
        return float(fill[1])
    finally:
        view.quote_only = False
