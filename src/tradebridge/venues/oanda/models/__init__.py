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

from ..codec import Model, ModelError
from .accounts import (
    Account,
    AccountChanges,
    AccountChangesResponse,
    AccountChangesState,
    AccountProperties,
    AccountSummary,
    CalculatedPositionState,
    CalculatedTradeState,
    DynamicOrderState,
    ErrorResponse,
    TransactionsResponse,
    WriteResponse,
)
from .market import (
    CandlesResponse,
    Candlestick,
    CandlestickData,
    ClientExtensions,
    ClientPrice,
    Price,
    PriceBucket,
    PricingHeartbeat,
    PricingResponse,
    QuoteHomeConversionFactors,
    StopLossDetails,
    TakeProfitDetails,
    TrailingStopLossDetails,
    parse_time,
    rfc3339,
)
from .trading import (
    REQUEST_NEEDS,
    TRANSACTION_CLASSES,
    DailyFinancingTransaction,
    MarketOrderPositionCloseout,
    MarketOrderTradeClose,
    Order,
    OrderCancelRejectTransaction,
    OrderCancelTransaction,
    OrderFillTransaction,
    OrderRequest,
    OrderTransaction,
    Position,
    PositionSide,
    Trade,
    TradeOpen,
    TradeReduce,
    TradeSummary,
    Transaction,
    TransactionHeartbeat,
    order_from_json,
    stream_line_from_json,
    transaction_from_json,
)

__all__ = [
    "Account", "AccountChanges", "AccountChangesResponse", "AccountChangesState", "AccountProperties",
    "AccountSummary", "CalculatedPositionState", "CalculatedTradeState", "CandlesResponse", "Candlestick",
    "CandlestickData", "ClientExtensions", "ClientPrice", "DailyFinancingTransaction", "DynamicOrderState",
    "ErrorResponse", "MarketOrderPositionCloseout", "MarketOrderTradeClose", "Model", "ModelError", "Order",
    "OrderCancelRejectTransaction", "OrderCancelTransaction", "OrderFillTransaction", "OrderRequest",
    "OrderTransaction", "Position", "PositionSide", "Price", "PriceBucket", "PricingHeartbeat",
    "PricingResponse", "QuoteHomeConversionFactors", "REQUEST_NEEDS", "StopLossDetails",
    "TRANSACTION_CLASSES",
    "TakeProfitDetails", "Trade", "TradeOpen", "TradeReduce", "TradeSummary", "TrailingStopLossDetails",
    "Transaction", "TransactionHeartbeat", "TransactionsResponse", "WriteResponse", "order_from_json",
    "parse_time", "rfc3339", "stream_line_from_json", "transaction_from_json",
]
