"""What the sandbox exchange takes in (contracts, order requests, bars) and gives out (events).

Field names follow the TWS API messages in snake case (``totalQuantity`` -> ``total_quantity``)
so the server can encode an event field by field. Every event carries ``targets``: the client
ids it goes to; the server sends it to those of them that are connected.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ....utils.dates import as_utc

__all__ = [
    "UNSET_DOUBLE",
    "AccountValue",
    "Bar",
    "CommissionEvent",
    "CommissionReport",
    "Contract",
    "ErrorEvent",
    "ExecFilter",
    "Execution",
    "ExecutionEvent",
    "OpenOrder",
    "OrderRequest",
    "OrderStatus",
    "PortfolioValue",
    "PositionUpdate",
    "Event",
]

UNSET_DOUBLE = 1.7976931348623157e308  # how TWS spells "no value" for a double (e.g. realizedPNL)


@dataclass(frozen=True, slots=True)
class Contract:
    """An IB contract as the sandbox lists it (the fields contractDetails/openOrder carry)."""

    con_id: int
    symbol: str
    sec_type: str = "STK"
    exchange: str = "SMART"
    currency: str = "USD"
    primary_exchange: str = ""
    local_symbol: str = ""
    trading_class: str = ""
    last_trade_date: str = ""
    strike: float = 0.0
    right: str = ""
    multiplier: str = ""


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of an instrument; ``time`` is tz-aware (UTC if naive input is given)."""

    time: _dt.datetime
    open: float
    high: float
    low: float
    close: float
    volume: float = 0.0

    @classmethod
    def of(cls, bar: Any) -> Bar:
        """A Bar from a Bar, a mapping or an object with time/datetime, open, high, low, close, volume."""
        if isinstance(bar, Bar):
            return bar
        get: Callable[..., Any] = bar.get if isinstance(bar, dict) else (lambda k, d=None: getattr(bar, k, d))
        when = get("time")
        if when is None:
            when = get("datetime")
        if when is None:
            raise ValueError(f"bar {bar!r} has no time/datetime")
        return cls(time=_utc(when), open=float(get("open")), high=float(get("high")),
                   low=float(get("low")), close=float(get("close")), volume=float(get("volume", 0.0) or 0.0))


def _utc(when: Any) -> _dt.datetime:
    """A tz-aware UTC datetime from an aware/naive (taken as UTC) datetime or epoch seconds."""
    if isinstance(when, (int, float)):
        return _dt.datetime.fromtimestamp(float(when), _dt.UTC)
    if isinstance(when, _dt.datetime):
        return as_utc(when)
    raise ValueError(f"bar time must be a datetime or epoch seconds, got {when!r}")


@dataclass(slots=True)
class OrderRequest:
    """The order fields of placeOrder the sandbox understands (IB's names, snake case)."""

    action: str
    total_quantity: float
    order_type: str = "MKT"
    lmt_price: float | None = None
    aux_price: float | None = None
    tif: str = "DAY"
    good_till_date: str = ""
    parent_id: int = 0
    transmit: bool = True
    oca_group: str = ""
    oca_type: int = 0
    order_ref: str = ""
    account: str = ""
    trail_stop_price: float | None = None
    trailing_percent: float | None = None
    lmt_price_offset: float | None = None
    outside_rth: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # fields the server decoded but the exchange ignores


@dataclass(frozen=True, slots=True)
class ExecFilter:
    """IB's ExecutionFilter: empty/zero fields match everything; ``time`` keeps later executions."""

    client_id: int = 0
    acct_code: str = ""
    time: _dt.datetime | None = None
    symbol: str = ""
    sec_type: str = ""
    exchange: str = ""
    side: str = ""  # BUY or SELL


@dataclass(frozen=True, slots=True)
class Execution:
    """One execution (execDetails' Execution); ``exec_id`` is unique and never changes."""

    exec_id: str
    time: _dt.datetime
    acct_number: str
    exchange: str
    side: str  # BOT or SLD
    shares: float
    price: float
    perm_id: int
    client_id: int
    order_id: int
    liquidation: int
    cum_qty: float
    avg_price: float
    order_ref: str
    ev_rule: str = ""
    ev_multiplier: float = 0.0
    model_code: str = ""
    last_liquidity: int = 1  # 1: added liquidity


@dataclass(frozen=True, slots=True)
class CommissionReport:
    """commissionReport: the cost of one execution and, for a closing one, its realized P&L."""

    exec_id: str
    commission: float
    currency: str
    realized_pnl: float = UNSET_DOUBLE
    yield_: float = UNSET_DOUBLE
    yield_redemption_date: int = 0


@dataclass(frozen=True, slots=True)
class OrderStatus:
    """orderStatus; ``status`` is spelled as IB does (Submitted, Filled, Cancelled, ...)."""

    order_id: int
    status: str
    filled: float
    remaining: float
    avg_fill_price: float
    perm_id: int
    parent_id: int
    last_fill_price: float
    client_id: int
    why_held: str = ""
    mkt_cap_price: float = 0.0
    targets: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """openOrder (or, with ``completed``, a completedOrder): the contract, the order, its state."""

    order_id: int
    client_id: int
    perm_id: int
    contract: Contract
    order: OrderRequest
    status: str
    filled: float
    remaining: float
    commission: float = UNSET_DOUBLE
    commission_currency: str = ""
    warning_text: str = ""
    completed: bool = False
    completed_time: str = ""
    completed_status: str = ""
    targets: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class ExecutionEvent:
    """execDetails: ``req_id`` is -1 for a live fill, the request's id for a reqExecutions reply."""

    contract: Contract
    execution: Execution
    req_id: int = -1
    targets: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class CommissionEvent:
    """commissionReport sent after its execution."""

    report: CommissionReport
    targets: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """error(reqId, code, text): ``req_id`` is the order id for order errors, -1 for none."""

    req_id: int
    code: int
    text: str
    targets: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class AccountValue:
    """updateAccountValue: one key (NetLiquidation, TotalCashBalance, ...) in one currency."""

    key: str
    value: str
    currency: str
    account: str
    targets: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class PortfolioValue:
    """updatePortfolio: one position marked to the last close."""

    contract: Contract
    position: float
    market_price: float
    market_value: float
    average_cost: float
    unrealized_pnl: float
    realized_pnl: float
    account: str
    targets: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class PositionUpdate:
    """position (reqPositions): size and average cost (price times multiplier)."""

    account: str
    contract: Contract
    position: float
    avg_cost: float
    targets: frozenset[int] = frozenset()


Event = (OrderStatus | OpenOrder | ExecutionEvent | CommissionEvent | ErrorEvent | AccountValue
         | PortfolioValue | PositionUpdate)
