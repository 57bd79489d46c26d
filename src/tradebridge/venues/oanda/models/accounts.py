"""Accounts, account changes, and whole answers (changes, transactions, writes, errors)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..codec import Model, ModelError
from .trading import Order, OrderFillTransaction, Position, TradeSummary, Transaction

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
