"""The account's records (orders, trades, transactions) and their v20 JSON shapes."""

from __future__ import annotations

import dataclasses
from typing import Any

from tradebridge.orders import Order

from .pricing import ts

__all__ = ["SbOrder", "SbTrade", "amount", "order_json", "render", "trade_json"]

_TIME_KEYS = frozenset(
    ("time", "gtdTime", "createTime", "filledTime", "cancelledTime", "openTime", "closeTime", "triggeredTime")
)


def render(obj: Any) -> Any:
    """A copy of a stored payload with its epoch-second times written as v20 timestamps."""
    if isinstance(obj, dict):
        return {
            k: (
                ts(v)
                if k in _TIME_KEYS and isinstance(v, int | float) and not isinstance(v, bool)
                else render(v)
            )
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [render(v) for v in obj]
    return obj


def amount(value: float) -> str:
    """An account-currency amount as v20 writes it (4 decimals)."""
    text = f"{value:.4f}"
    return "0.0000" if text == "-0.0000" else text


@dataclasses.dataclass
class SbOrder:
    """A v20 order: its normalised request fields plus state; ``bt`` shadows it for matching."""

    id: str
    fields: dict[str, Any]  # type, instrument/tradeID, units, price, timeInForce, ...
    create_time: float
    state: str = "PENDING"
    result: dict[str, Any] = dataclasses.field(default_factory=dict)  # fill/cancel ids and times
    bt: Order | None = None
    expires: float | None = None  # GTD/GFD end (epoch seconds)

    @property
    def type(self) -> str:
        return self.fields["type"]

    @property
    def client_id(self) -> str | None:
        return (self.fields.get("clientExtensions") or {}).get("id")

    @property
    def trade_id(self) -> str | None:
        return self.fields.get("tradeID")


@dataclasses.dataclass
class SbTrade:
    """A v20 trade (one fill that opened units), reduced and closed FIFO by later fills."""

    id: str
    instrument: str
    price: float
    open_time: float
    initial_units: float
    current_units: float
    initial_margin: float
    client_ext: dict[str, str] | None = None
    state: str = "OPEN"
    realized_pl: float = 0.0
    financing: float = 0.0
    closing_ids: list[str] = dataclasses.field(default_factory=list)
    close_value: float = 0.0  # sum(units * price) of the closing fills, for averageClosePrice
    closed_units: float = 0.0
    close_time: float | None = None
    orders: dict[str, str] = dataclasses.field(default_factory=dict)  # TAKE_PROFIT/... -> order id


def order_json(order: SbOrder, fmt_price: Any) -> dict[str, Any]:
    """The v20 ``Order`` of an order (any type)."""
    out: dict[str, Any] = {"id": order.id, "createTime": order.create_time, "state": order.state}
    out.update(order.fields)
    if order.type == "TRAILING_STOP_LOSS" and order.bt is not None and order.state == "PENDING":
        out["trailingStopValue"] = fmt_price(order.bt.created.price)
    out.update(order.result)
    return render(out)


def trade_json(
    trade: SbTrade,
    fmt_price: Any,
    unrealized: float,
    margin: float,
    orders: dict[str, Any] | None,
    summary: bool = False,
) -> dict[str, Any]:
    """The v20 ``Trade`` (or ``TradeSummary``) of a trade; ``orders`` maps type -> order JSON."""
    out: dict[str, Any] = {
        "id": trade.id,
        "instrument": trade.instrument,
        "price": fmt_price(trade.price),
        "openTime": ts(trade.open_time),
        "state": trade.state,
        "initialUnits": str(int(trade.initial_units)),
        "initialMarginRequired": amount(trade.initial_margin),
        "currentUnits": str(int(trade.current_units)),
        "realizedPL": amount(trade.realized_pl),
        "financing": amount(trade.financing),
    }
    if trade.state == "OPEN":
        out["unrealizedPL"] = amount(unrealized)
        out["marginUsed"] = amount(margin)
    if trade.closing_ids:
        out["closingTransactionIDs"] = list(trade.closing_ids)
        out["averageClosePrice"] = fmt_price(trade.close_value / trade.closed_units)
    if trade.close_time is not None:
        out["closeTime"] = ts(trade.close_time)
    if trade.client_ext:
        out["clientExtensions"] = dict(trade.client_ext)
    keys = {
        "TAKE_PROFIT": "takeProfitOrder",
        "STOP_LOSS": "stopLossOrder",
        "TRAILING_STOP_LOSS": "trailingStopLossOrder",
    }
    for kind, order_id in trade.orders.items():
        if summary:
            out[keys[kind] + "ID"] = order_id
        elif orders is not None and kind in orders:
            out[keys[kind]] = orders[kind]
    return out
