"""The venue truth behind the fake Visual Chart: accounts, orders, fills, positions and cash.

Fill prices come from the backtest broker's :class:`~tradebridge.brokers.matching.Matcher`
(no slippage, no cheating on open or close), so an order fills on the fake as it would in a
backtest on the same bars: a market order at the next bar's open, limits and stops when the
bar reaches them, a close-auction order at the next bar's close. ``liquidity`` caps the
volume one order can fill per bar, which produces partial executions. No I/O and no threads:
:mod:`.fake` wraps it in the COM seam.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from tradebridge.brokers.matching import Matcher
from tradebridge.orders.order import Order
from tradebridge.orders.position import Position

from .seam import ComCallError

__all__ = ["FakeVenue", "Fill", "RestingOrder"]

# Visual Chart order type (+ close auction) -> the exec type whose matching rule applies
_EXEC: Mapping[str, int] = {"OT_Market": Order.Market, "OT_Limit": Order.Limit, "OT_StopMarket": Order.Stop,
                            "OT_StopLimit": Order.StopLimit}
_SIDES = {"OS_Buy": 1, "OS_Sell": -1}
# The backtest broker's params the Matcher reads: no slippage, no cheat-on-open/close.
_MATCH_PARAMS = SimpleNamespace(coc=False, coo=False, slip_perc=0.0, slip_fixed=0.0, slip_open=False,
                                slip_match=True, slip_limit=True, slip_out=False)


class _Quote:
    """The current bar of one symbol, shaped as the Matcher reads a data (tick values and time)."""

    def __init__(self) -> None:
        self.tick_open: float | None = None
        self.tick_high: float | None = None
        self.tick_low: float | None = None
        self.tick_close: float | None = None
        self.datetime = [float("-inf")]

    def update(self, bar: Mapping[str, Any]) -> None:
        self.tick_open, self.tick_high = float(bar["Open"]), float(bar["High"])
        self.tick_low, self.tick_close = float(bar["Low"]), float(bar["Close"])
        self.datetime = [float(bar["Date"])]


@dataclass
class RestingOrder:
    """One order at the fake venue, with the attributes the Matcher reads."""

    record: dict[str, Any]
    exectype: int
    sign: int
    data: _Quote
    created: SimpleNamespace
    filled: float = 0.0
    status: str = "Accepted"
    triggered: bool = False
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def order_id(self) -> str:
        return str(self.record["OrderId"])

    @property
    def volume(self) -> float:
        return float(self.record["Volume"])

    @property
    def remaining(self) -> float:
        return self.volume - self.filled

    @property
    def dteos(self) -> float:
        return float(self.created.dt)  # a close auction fills at the close of the next bar

    def isbuy(self) -> bool:
        return self.sign > 0


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution at the fake venue: the order, the size filled and the price."""

    order: RestingOrder
    volume: float
    price: float

    @property
    def total(self) -> bool:
        return self.order.remaining <= 0


class FakeVenue:
    """Accounts with cash, orders matched bar by bar, positions (average price) per account and symbol."""

    def __init__(self, accounts: Mapping[str, float], multipliers: Mapping[str, float] | None = None,
                 liquidity: float | None = None) -> None:
        self.cash = {name: float(cash) for name, cash in accounts.items()}
        self.multipliers = dict(multipliers or {})
        self.liquidity = liquidity
        self.orders: dict[str, RestingOrder] = {}
        self.positions: dict[tuple[str, str], Position] = {}  # (account, symbol) -> position
        self.quotes: dict[str, _Quote] = {}
        self._ids = itertools.count(1)
        self._matcher = Matcher(_MATCH_PARAMS)

    def _quote(self, symbol: str) -> _Quote:
        return self.quotes.setdefault(symbol, _Quote())

    def mark(self, symbol: str, bar: Mapping[str, Any]) -> None:
        """Set ``symbol``'s current bar without matching (the last bar of its history)."""
        self._quote(symbol).update(bar)

    def place(self, record: Mapping[str, Any]) -> RestingOrder:
        """Accept an order record (as ``send_order`` takes it); :class:`ComCallError` naming a bad field."""
        account = record.get("Account")
        if account not in self.cash:
            raise ComCallError(f"SendOrder refused: unknown Account {account!r}")
        if record.get("OrderSide") not in _SIDES:
            raise ComCallError(f"SendOrder refused: OrderSide {record.get('OrderSide')!r}")
        if record.get("OrderType") not in _EXEC:
            raise ComCallError(f"SendOrder refused: OrderType {record.get('OrderType')!r}")
        volume = record.get("Volume")
        if not isinstance(volume, (int, float)) or not volume > 0:
            raise ComCallError(f"SendOrder refused: Volume {volume!r}")
        exectype = _EXEC[record["OrderType"]]
        if record.get("TimeRestriction") == "TR_CloseAuction":
            exectype = Order.Close
        quote = self._quote(str(record["SymbolCode"]))
        stop, limit = float(record.get("StopPrice") or 0.0), float(record.get("Price") or 0.0)
        trigger = stop if exectype in (Order.Stop, Order.StopLimit) else limit
        created = SimpleNamespace(dt=quote.datetime[0], price=trigger, pricelimit=limit,
                                  pclose=quote.tick_close)
        rec = {**record, "OrderId": str(next(self._ids)), "Volume": float(volume)}
        order = RestingOrder(rec, exectype, _SIDES[record["OrderSide"]], quote, created)
        self.orders[order.order_id] = order
        return order

    def alive(self, order_id: str) -> RestingOrder:
        """An order that can still change; :class:`ComCallError` saying why not otherwise."""
        order = self.orders.get(str(order_id))
        if order is None:
            raise ComCallError(f"no order {order_id!r} at Visual Chart")
        if order.status not in ("Accepted", "Partial"):
            raise ComCallError(f"order {order_id!r} is {order.status}: it can no longer change")
        return order

    def cancel(self, order_id: str) -> RestingOrder:
        order = self.alive(order_id)
        order.status = "Canceled"
        return order

    def modify(self, order_id: str, volume: float | None, price: float | None,
               stop_price: float | None) -> RestingOrder:
        """Change the volume or prices of an alive order (not below what has filled)."""
        order = self.alive(order_id)
        if volume is not None:
            if volume <= order.filled:
                raise ComCallError(f"ModifyOrder refused: Volume {volume!r} is not above the filled "
                                   f"{order.filled}")
            order.record["Volume"] = float(volume)
        if price is not None:
            order.record["Price"] = float(price)
            order.created.pricelimit = float(price)
            if order.exectype == Order.Limit:
                order.created.price = float(price)
        if stop_price is not None and order.exectype in (Order.Stop, Order.StopLimit):
            order.record["StopPrice"] = order.created.price = float(stop_price)
        return order

    def on_bar(self, symbol: str, bar: Mapping[str, Any]) -> list[Fill]:
        """Set ``symbol``'s current bar and fill what it reaches, orders in the order they arrived."""
        self._quote(symbol).update(bar)
        fills = []
        for order in list(self.orders.values()):
            if order.record["SymbolCode"] != symbol or order.status not in ("Accepted", "Partial"):
                continue
            match = self._matcher.match(order)
            if match is None or match[1] is None:
                continue
            volume = order.remaining if self.liquidity is None else min(order.remaining, self.liquidity)
            fills.append(self._fill(order, volume, float(match[1])))
        return fills

    def _fill(self, order: RestingOrder, volume: float, price: float) -> Fill:
        order.filled += volume
        order.status = "Completed" if order.remaining <= 0 else "Partial"
        account, symbol = order.record["Account"], order.record["SymbolCode"]
        signed = order.sign * volume
        self.cash[account] -= signed * price * self.multipliers.get(symbol, 1.0)
        self.positions.setdefault((account, symbol), Position()).update(signed, price)
        return Fill(order, volume, price)

    def net_worth(self, account: str) -> float:
        """Cash plus the open positions at their symbols' last close."""
        value = self.cash[account]
        for (acc, symbol), pos in self.positions.items():
            if acc == account:
                close = self._quote(symbol).tick_close
                mark = pos.price if close is None else close
                value += pos.size * mark * self.multipliers.get(symbol, 1.0)
        return value

    def position_records(self, account: str) -> list[dict[str, Any]]:
        """Open positions as Visual Chart lists them (flat ones absent)."""
        return [{"Account": acc, "SymbolCode": symbol, "Side": "OS_Buy" if pos.size > 0 else "OS_Sell",
                 "Volume": abs(pos.size), "Price": pos.price}
                for (acc, symbol), pos in self.positions.items() if acc == account and pos.size]
