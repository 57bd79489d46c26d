"""Typed OANDA v20 payloads (frozen dataclasses) for the endpoints tradebridge uses.

Built from the ``definitions`` of OANDA's v20 spec (``../shared/oanda/v20.json``): each class
names its definition (``spec_definition()``), attributes are the definition's properties in
snake_case. Prices, units and amounts are ``Decimal`` (v20 sends exact decimal strings);
times stay the strings v20 sent (RFC 3339 with nanoseconds or UNIX seconds), see
:func:`parse_time`. Keys a model does not know are kept in ``extra`` and written back by
``to_json``. Polymorphic payloads go through :func:`transaction_from_json` and
:func:`order_from_json`, which pick the class from the ``type`` field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .codec import Model, ModelError

__all__ = [
    "Account", "AccountChanges", "AccountChangesResponse", "AccountChangesState", "AccountSummary",
    "CalculatedPositionState", "CalculatedTradeState", "Candlestick", "CandlestickData",
    "CandlesResponse", "ClientExtensions", "ClientPrice", "DailyFinancingTransaction",
    "DynamicOrderState", "ErrorResponse", "MarketOrderPositionCloseout", "MarketOrderTradeClose",
    "Model", "ModelError", "Order", "OrderCancelRejectTransaction", "OrderCancelTransaction",
    "OrderFillTransaction", "OrderRequest", "OrderTransaction", "Position", "PositionSide", "Price",
    "PriceBucket", "PricingHeartbeat", "PricingResponse", "QuoteHomeConversionFactors",
    "StopLossDetails", "TakeProfitDetails", "Trade", "TradeOpen", "TradeReduce", "TradeSummary",
    "Transaction", "TransactionHeartbeat", "TransactionsResponse", "TrailingStopLossDetails",
    "WriteResponse", "order_from_json", "parse_time", "stream_line_from_json", "transaction_from_json",
]

_RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def parse_time(value: str) -> datetime:
    """A v20 time (RFC 3339, nanoseconds allowed, or UNIX seconds) as an aware UTC datetime (microseconds)."""
    match = _RFC3339.match(value)
    if match:
        base, frac, zone = match.groups()
        micro = (frac or "").ljust(6, "0")[:6]
        stamp = datetime.fromisoformat(f"{base}.{micro}{'+00:00' if zone == 'Z' else zone}")
        return stamp.astimezone(UTC)
    try:
        seconds = Decimal(value)
    except ArithmeticError:
        raise ValueError(f"not a v20 time (RFC 3339 or UNIX seconds): {value!r}") from None
    if not seconds.is_finite():
        raise ValueError(f"not a v20 time (RFC 3339 or UNIX seconds): {value!r}")
    whole = int(seconds)
    micro = int((seconds - whole) * 1_000_000)
    return datetime.fromtimestamp(whole, UTC).replace(microsecond=micro)


def _camel_type(value: str) -> str:
    return "".join(part.capitalize() for part in value.split("_"))


# -- small building blocks ------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ClientExtensions(Model):
    """id/tag/comment attached to an order or trade; tradebridge's client order id travels in ``id``."""

    id: str | None = None
    tag: str | None = None
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class TakeProfitDetails(Model):
    """Take-profit to create when an order fills (``takeProfitOnFill``)."""

    price: Decimal | None = None
    time_in_force: str | None = None
    gtd_time: str | None = None
    client_extensions: ClientExtensions | None = None


@dataclass(frozen=True, kw_only=True)
class StopLossDetails(Model):
    """Stop-loss to create when an order fills (``stopLossOnFill``): a price or a distance."""

    price: Decimal | None = None
    distance: Decimal | None = None
    time_in_force: str | None = None
    gtd_time: str | None = None
    client_extensions: ClientExtensions | None = None
    guaranteed: bool | None = None


@dataclass(frozen=True, kw_only=True)
class TrailingStopLossDetails(Model):
    """Trailing stop-loss to create when an order fills (``trailingStopLossOnFill``)."""

    distance: Decimal | None = None
    time_in_force: str | None = None
    gtd_time: str | None = None
    client_extensions: ClientExtensions | None = None


# -- candles and prices ---------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class CandlestickData(Model):
    """Open, high, low, close of one side (bid, ask or mid) of a candle."""

    o: Decimal
    h: Decimal
    l: Decimal
    c: Decimal


@dataclass(frozen=True, kw_only=True)
class Candlestick(Model):
    """One candle: start time, bid/ask/mid prices as requested, tick volume, complete flag."""

    time: str
    bid: CandlestickData | None = None
    ask: CandlestickData | None = None
    mid: CandlestickData | None = None
    volume: int | None = None
    complete: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CandlesResponse(Model):
    """The answer of ``GET /v3/instruments/{instrument}/candles``."""

    instrument: str | None = None
    granularity: str | None = None
    candles: tuple[Candlestick, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PriceBucket(Model):
    """A price available for an amount of liquidity."""

    price: Decimal
    liquidity: int | None = None


@dataclass(frozen=True, kw_only=True)
class QuoteHomeConversionFactors(Model):
    """Factors converting quote-currency amounts to the account's home currency."""

    positive_units: Decimal | None = None
    negative_units: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class ClientPrice(Model):
    """An account-specific price (``type`` "PRICE"), as the pricing endpoint and stream send it."""

    type: str | None = "PRICE"
    instrument: str | None = None
    time: str | None = None
    status: str | None = None
    tradeable: bool | None = None
    bids: tuple[PriceBucket, ...] = ()
    asks: tuple[PriceBucket, ...] = ()
    closeout_bid: Decimal | None = None
    closeout_ask: Decimal | None = None
    quote_home_conversion_factors: QuoteHomeConversionFactors | None = None


@dataclass(frozen=True, kw_only=True)
class Price(Model):
    """The spec's older Price definition (``timestamp``, ``baseBid``/``baseAsk``)."""

    instrument: str | None = None
    tradeable: bool | None = None
    timestamp: str | None = None
    base_bid: Decimal | None = None
    base_ask: Decimal | None = None
    bids: tuple[PriceBucket, ...] = ()
    asks: tuple[PriceBucket, ...] = ()
    closeout_bid: Decimal | None = None
    closeout_ask: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class PricingHeartbeat(Model):
    """The pricing stream's keep-alive line (``type`` "HEARTBEAT")."""

    type: str = "HEARTBEAT"
    time: str


@dataclass(frozen=True, kw_only=True)
class PricingResponse(Model):
    """The answer of ``GET /v3/accounts/{id}/pricing``."""

    prices: tuple[ClientPrice, ...] = ()
    time: str | None = None


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
_REQUEST_NEEDS: dict[str, tuple[str, ...]] = {
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
        needs = _REQUEST_NEEDS.get(self.type)
        if needs is None:
            raise ModelError("OrderRequest", "type", f"unknown order type {self.type!r} "
                             f"(one of {', '.join(_REQUEST_NEEDS)})")
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



# -- accounts -------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class AccountProperties(Model):
    """One entry of the accounts list."""

    id: str
    mt4_account_id: int | None = None
    tags: tuple[str, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class AccountSummary(Model):
    """An account's figures without its orders, trades and positions."""

    id: str
    alias: str | None = None
    currency: str | None = None
    balance: Decimal | None = None
    created_by_user_id: int | None = None
    created_time: str | None = None
    guaranteed_stop_loss_order_mode: str | None = None
    pl: Decimal | None = None
    resettable_pl: Decimal | None = None
    resettable_pl_time: str | None = None
    financing: Decimal | None = None
    commission: Decimal | None = None
    guaranteed_execution_fees: Decimal | None = None
    margin_rate: Decimal | None = None
    margin_call_enter_time: str | None = None
    margin_call_extension_count: int | None = None
    last_margin_call_extension_time: str | None = None
    open_trade_count: int | None = None
    open_position_count: int | None = None
    pending_order_count: int | None = None
    hedging_enabled: bool | None = None
    last_order_fill_timestamp: str | None = None
    unrealized_pl: Decimal | None = None
    nav: Decimal | None = None
    margin_used: Decimal | None = None
    margin_available: Decimal | None = None
    position_value: Decimal | None = None
    margin_closeout_unrealized_pl: Decimal | None = None
    margin_closeout_nav: Decimal | None = None
    margin_closeout_margin_used: Decimal | None = None
    margin_closeout_percent: Decimal | None = None
    margin_closeout_position_value: Decimal | None = None
    withdrawal_limit: Decimal | None = None
    margin_call_margin_used: Decimal | None = None
    margin_call_percent: Decimal | None = None
    last_transaction_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Account(AccountSummary):
    """An account with its open trades, positions and pending orders."""

    trades: tuple[TradeSummary, ...] = ()
    positions: tuple[Position, ...] = ()
    orders: tuple[Order, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DynamicOrderState(Model):
    """Price-dependent state of a pending order (trailing stop value, trigger distance)."""

    id: str
    trailing_stop_value: Decimal | None = None
    trigger_distance: Decimal | None = None
    is_trigger_distance_exact: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CalculatedTradeState(Model):
    """Price-dependent state of an open trade."""

    id: str
    unrealized_pl: Decimal | None = None
    margin_used: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class CalculatedPositionState(Model):
    """Price-dependent state of a position."""

    instrument: str
    net_unrealized_pl: Decimal | None = None
    long_unrealized_pl: Decimal | None = None
    short_unrealized_pl: Decimal | None = None
    margin_used: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class AccountChanges(Model):
    """What changed in an account since a transaction id."""

    orders_created: tuple[Order, ...] = ()
    orders_cancelled: tuple[Order, ...] = ()
    orders_filled: tuple[Order, ...] = ()
    orders_triggered: tuple[Order, ...] = ()
    trades_opened: tuple[TradeSummary, ...] = ()
    trades_reduced: tuple[TradeSummary, ...] = ()
    trades_closed: tuple[TradeSummary, ...] = ()
    positions: tuple[Position, ...] = ()
    transactions: tuple[Transaction, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AccountChangesState(Model):
    """An account's price-dependent figures now."""

    unrealized_pl: Decimal | None = None
    nav: Decimal | None = None
    margin_used: Decimal | None = None
    margin_available: Decimal | None = None
    position_value: Decimal | None = None
    margin_closeout_unrealized_pl: Decimal | None = None
    margin_closeout_nav: Decimal | None = None
    margin_closeout_margin_used: Decimal | None = None
    margin_closeout_percent: Decimal | None = None
    margin_closeout_position_value: Decimal | None = None
    withdrawal_limit: Decimal | None = None
    margin_call_margin_used: Decimal | None = None
    margin_call_percent: Decimal | None = None
    orders: tuple[DynamicOrderState, ...] = ()
    trades: tuple[CalculatedTradeState, ...] = ()
    positions: tuple[CalculatedPositionState, ...] = ()


# -- whole responses ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class AccountChangesResponse(Model):
    """The answer of ``GET /v3/accounts/{id}/changes``."""

    changes: AccountChanges
    state: AccountChangesState | None = None
    last_transaction_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class TransactionsResponse(Model):
    """The answer of ``GET /v3/accounts/{id}/transactions/sinceid`` (and idrange)."""

    transactions: tuple[Transaction, ...] = ()
    last_transaction_id: str | None = None


def _transactions_in(model: Model) -> dict[str, Transaction]:
    """Parse every ``...Transaction`` key kept in ``extra``; errors name the model and the key."""
    found: dict[str, Transaction] = {}
    for key, value in model.extra.items():
        if key.endswith("Transaction"):
            try:
                found[key] = Transaction.parse(value)
            except ModelError as err:
                raise ModelError(type(model).__name__, f"{key}.{err.path}".rstrip("."), err.problem) from None
    return found


@dataclass(frozen=True, kw_only=True)
class WriteResponse(Model):
    """The answer of a write (order create/replace/cancel, trade close, TP/SL, position close).

    v20 names each transaction by its role (``orderCreateTransaction``, ``orderFillTransaction``,
    ``longOrderFillTransaction``, ``takeProfitOrderTransaction``...): ``transactions`` maps those
    keys to parsed transactions.
    """

    related_transaction_ids: tuple[str, ...] = ()
    last_transaction_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_transactions", _transactions_in(self))

    @property
    def transactions(self) -> dict[str, Transaction]:
        """Role key (``orderFillTransaction``...) -> transaction."""
        return dict(self._transactions)  # type: ignore[attr-defined]

    def fills(self) -> list[OrderFillTransaction]:
        """Every fill in this answer."""
        return [t for t in self._transactions.values()  # type: ignore[attr-defined]
                if isinstance(t, OrderFillTransaction)]


@dataclass(frozen=True, kw_only=True)
class ErrorResponse(Model):
    """An error answer: OANDA's errorCode/errorMessage and, for refused orders, the reject transaction."""

    error_code: str | None = None
    error_message: str | None = None
    related_transaction_ids: tuple[str, ...] | None = None
    last_transaction_id: str | None = None

    def __post_init__(self) -> None:
        rejects = [t for k, t in _transactions_in(self).items() if k.endswith("RejectTransaction")]
        object.__setattr__(self, "_reject", rejects[0] if rejects else None)

    @property
    def reject_transaction(self) -> Transaction | None:
        """The ``*RejectTransaction`` of the answer, if any."""
        return self._reject  # type: ignore[attr-defined,no-any-return]

    @property
    def reject_reason(self) -> str | None:
        """OANDA's rejectReason (from the reject transaction), if any."""
        reason = getattr(self.reject_transaction, "reject_reason", None)
        if reason is None and self.reject_transaction is not None:
            reason = self.reject_transaction.extra.get("rejectReason")
        return reason
