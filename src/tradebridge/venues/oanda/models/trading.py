"""Orders, trades, positions and transactions (polymorphic on ``type``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..codec import Model, ModelError
from .market import (
    ClientExtensions,
    ClientPrice,
    PricingHeartbeat,
    StopLossDetails,
    TakeProfitDetails,
    TrailingStopLossDetails,
    _camel_type,
)

# -- trades and positions -------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class _TradeBase(Model):
    id: str
    instrument: str | None = None
    price: Decimal | None = None
    open_time: str | None = None
    state: str | None = None
    initial_units: Decimal | None = None
    initial_margin_required: Decimal | None = None
    current_units: Decimal | None = None
    realized_pl: Decimal | None = None
    unrealized_pl: Decimal | None = None
    margin_used: Decimal | None = None
    average_close_price: Decimal | None = None
    closing_transaction_ids: tuple[str, ...] | None = None
    financing: Decimal | None = None
    close_time: str | None = None
    client_extensions: ClientExtensions | None = None


@dataclass(frozen=True, kw_only=True)
class TradeSummary(_TradeBase):
    """A trade with its dependent orders by id (in Account and AccountChanges)."""

    take_profit_order_id: str | None = None
    stop_loss_order_id: str | None = None
    trailing_stop_loss_order_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class PositionSide(Model):
    """The long or the short side of a position."""

    units: Decimal | None = None
    average_price: Decimal | None = None
    trade_ids: tuple[str, ...] | None = None
    pl: Decimal | None = None
    unrealized_pl: Decimal | None = None
    resettable_pl: Decimal | None = None
    financing: Decimal | None = None
    guaranteed_execution_fees: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class Position(Model):
    """An account's position in one instrument (long and short sides)."""

    instrument: str
    pl: Decimal | None = None
    unrealized_pl: Decimal | None = None
    margin_used: Decimal | None = None
    resettable_pl: Decimal | None = None
    financing: Decimal | None = None
    commission: Decimal | None = None
    guaranteed_execution_fees: Decimal | None = None
    long: PositionSide | None = None
    short: PositionSide | None = None

    @property
    def net_units(self) -> Decimal:
        """Long units plus (negative) short units."""
        return sum(((s.units or Decimal(0)) for s in (self.long, self.short) if s), Decimal(0))


# -- orders ---------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class MarketOrderTradeClose(Model):
    """Which trade a market order closes (the trade-close endpoint's order)."""

    trade_id: str | None = None
    client_trade_id: str | None = None
    units: str | None = None  # "ALL" or a decimal string


@dataclass(frozen=True, kw_only=True)
class MarketOrderPositionCloseout(Model):
    """Which position side a market order closes (the position-close endpoint's order)."""

    instrument: str | None = None
    units: str | None = None  # "ALL" or a decimal string


@dataclass(frozen=True, kw_only=True)
class _OrderFields(Model):
    """Fields shared by order requests, orders and order transactions (all types, union)."""

    type: str
    instrument: str | None = None
    units: Decimal | None = None
    price: Decimal | None = None
    price_bound: Decimal | None = None
    distance: Decimal | None = None
    trade_id: str | None = None
    client_trade_id: str | None = None
    time_in_force: str | None = None
    gtd_time: str | None = None
    position_fill: str | None = None
    trigger_condition: str | None = None
    guaranteed: bool | None = None
    client_extensions: ClientExtensions | None = None
    take_profit_on_fill: TakeProfitDetails | None = None
    stop_loss_on_fill: StopLossDetails | None = None
    trailing_stop_loss_on_fill: TrailingStopLossDetails | None = None
    trade_client_extensions: ClientExtensions | None = None


# Fields an order request of each type must carry (stop-loss: price or distance, checked apart).
REQUEST_NEEDS: dict[str, tuple[str, ...]] = {
    "MARKET": ("instrument", "units"),
    "LIMIT": ("instrument", "units", "price"),
    "STOP": ("instrument", "units", "price"),
    "MARKET_IF_TOUCHED": ("instrument", "units", "price"),
    "TAKE_PROFIT": ("trade_id", "price"),
    "STOP_LOSS": ("trade_id",),
    "TRAILING_STOP_LOSS": ("trade_id", "distance"),
}


@dataclass(frozen=True, kw_only=True)
class OrderRequest(_OrderFields):
    """The body's ``order`` of order create/replace; checks that its type has what it needs."""

    def __post_init__(self) -> None:
        needs = REQUEST_NEEDS.get(self.type)
        if needs is None:
            raise ModelError("OrderRequest", "type", f"unknown order type {self.type!r} "
                             f"(one of {', '.join(REQUEST_NEEDS)})")
        for attr in needs:
            if getattr(self, attr) is None:
                raise ModelError("OrderRequest", attr, f"required for a {self.type} order")
        if self.type == "STOP_LOSS" and (self.price is None) == (self.distance is None):
            raise ModelError("OrderRequest", "price",
                             "a STOP_LOSS order needs exactly one of price, distance")

    def spec_definition(self) -> str:
        return _camel_type(self.type) + "OrderRequest"


@dataclass(frozen=True, kw_only=True)
class Order(_OrderFields):
    """An order as the account reports it (any type; fields that a type lacks stay None)."""

    id: str
    create_time: str | None = None
    state: str | None = None
    trailing_stop_value: Decimal | None = None
    filling_transaction_id: str | None = None
    filled_time: str | None = None
    trade_opened_id: str | None = None
    trade_reduced_id: str | None = None
    trade_closed_ids: tuple[str, ...] | None = None
    cancelling_transaction_id: str | None = None
    cancelled_time: str | None = None
    replaces_order_id: str | None = None
    replaced_by_order_id: str | None = None

    def spec_definition(self) -> str:
        return _camel_type(self.type) + "Order"


def order_from_json(data: Any) -> Order:
    """An order payload of any type."""
    return Order.from_json(data)


@dataclass(frozen=True, kw_only=True)
class Trade(_TradeBase):
    """A trade with its dependent orders in full (trades endpoints)."""

    take_profit_order: Order | None = None
    stop_loss_order: Order | None = None
    trailing_stop_loss_order: Order | None = None


# -- transactions ---------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Transaction(Model):
    """Any v20 transaction; types without a class of their own keep their fields in ``extra``."""

    id: str
    type: str
    time: str | None = None
    user_id: int | None = None
    account_id: str | None = None
    batch_id: str | None = None
    request_id: str | None = None

    @classmethod
    def parse(cls, data: Any) -> Transaction:
        """The payload as the class its ``type`` names, when that class is this one or below it."""
        kind = data.get("type") if isinstance(data, Mapping) else None
        if not isinstance(kind, str):
            raise ModelError(cls.__name__, "type", f"missing or not a string: {kind!r}")
        target = TRANSACTION_CLASSES.get(kind, Transaction)
        return (target if issubclass(target, cls) else cls).from_json(data)

    def spec_definition(self) -> str:
        return _camel_type(self.type) + "Transaction"


@dataclass(frozen=True, kw_only=True)
class OrderTransaction(Transaction, _OrderFields):
    """An order created (``MARKET_ORDER``, ``LIMIT_ORDER``, ...) or refused (``*_ORDER_REJECT``)."""

    reason: str | None = None
    trade_close: MarketOrderTradeClose | None = None
    long_position_closeout: MarketOrderPositionCloseout | None = None
    short_position_closeout: MarketOrderPositionCloseout | None = None
    order_fill_transaction_id: str | None = None
    replaces_order_id: str | None = None
    cancelling_transaction_id: str | None = None
    reject_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class TradeOpen(Model):
    """The trade a fill opened."""

    trade_id: str
    units: Decimal | None = None
    price: Decimal | None = None
    guaranteed_execution_fee: Decimal | None = None
    client_extensions: ClientExtensions | None = None
    half_spread_cost: Decimal | None = None
    initial_margin_required: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class TradeReduce(Model):
    """A trade a fill reduced or closed."""

    trade_id: str
    units: Decimal | None = None
    price: Decimal | None = None
    realized_pl: Decimal | None = None
    financing: Decimal | None = None
    guaranteed_execution_fee: Decimal | None = None
    half_spread_cost: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class OrderFillTransaction(Transaction):
    """An order filled (``ORDER_FILL``): units, price, P/L, the trades opened, reduced, closed."""

    order_id: str | None = None
    client_order_id: str | None = None
    instrument: str | None = None
    units: Decimal | None = None
    gain_quote_home_conversion_factor: Decimal | None = None
    loss_quote_home_conversion_factor: Decimal | None = None
    price: Decimal | None = None
    full_vwap: Decimal | None = None
    full_price: ClientPrice | None = None
    reason: str | None = None
    pl: Decimal | None = None
    financing: Decimal | None = None
    commission: Decimal | None = None
    guaranteed_execution_fee: Decimal | None = None
    account_balance: Decimal | None = None
    trade_opened: TradeOpen | None = None
    trades_closed: tuple[TradeReduce, ...] | None = None
    trade_reduced: TradeReduce | None = None
    half_spread_cost: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class OrderCancelTransaction(Transaction):
    """An order cancelled (``ORDER_CANCEL``) with OANDA's reason."""

    order_id: str | None = None
    client_order_id: str | None = None
    reason: str | None = None
    replaced_by_order_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrderCancelRejectTransaction(Transaction):
    """A cancel refused (``ORDER_CANCEL_REJECT``) with OANDA's reason."""

    order_id: str | None = None
    client_order_id: str | None = None
    reject_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class DailyFinancingTransaction(Transaction):
    """Daily financing debited or credited (``DAILY_FINANCING``); per-position detail in ``extra``."""

    financing: Decimal | None = None
    account_balance: Decimal | None = None
    account_financing_mode: str | None = None


_ORDER_TRANSACTION_TYPES = ("FIXED_PRICE_ORDER",) + tuple(  # a fixed-price order is never rejected
    f"{kind}_ORDER{suffix}" for kind in ("MARKET", "LIMIT", "STOP", "MARKET_IF_TOUCHED",
                                         "TAKE_PROFIT", "STOP_LOSS", "TRAILING_STOP_LOSS")
    for suffix in ("", "_REJECT"))

# Transaction type -> class; any other type is a plain Transaction (fields kept in ``extra``).
TRANSACTION_CLASSES: dict[str, type[Transaction]] = {
    **dict.fromkeys(_ORDER_TRANSACTION_TYPES, OrderTransaction),
    "ORDER_FILL": OrderFillTransaction,
    "ORDER_CANCEL": OrderCancelTransaction,
    "ORDER_CANCEL_REJECT": OrderCancelRejectTransaction,
    "DAILY_FINANCING": DailyFinancingTransaction,
}


def transaction_from_json(data: Any) -> Transaction:
    """A transaction payload as the class its ``type`` names (Transaction for the others)."""
    return Transaction.parse(data)


@dataclass(frozen=True, kw_only=True)
class TransactionHeartbeat(Model):
    """The transaction stream's keep-alive line, with the newest transaction id."""

    type: str = "HEARTBEAT"
    last_transaction_id: str | None = None
    time: str


def stream_line_from_json(data: Any) -> Model:
    """One decoded stream line: a heartbeat, a price (pricing stream) or a transaction."""
    kind = data.get("type") if isinstance(data, Mapping) else None
    if kind == "HEARTBEAT":
        if "lastTransactionID" in data:
            return TransactionHeartbeat.from_json(data)
        return PricingHeartbeat.from_json(data)
    if kind == "PRICE":
        return ClientPrice.from_json(data)
    return transaction_from_json(data)
