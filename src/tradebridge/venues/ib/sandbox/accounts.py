"""The sandbox account: commissions as IB charges them, cash per currency, positions, P&L.

Per-share and percentage arithmetic is tradebridge's commission scheme (``CommInfoBase``);
this module adds only IB's per-order minimum and maximum. Average cost includes the opening
commission, as IB's does, so that at any time
``NetLiquidation = starting cash + realized P&L + unrealized P&L`` holds exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tradebridge.orders.comminfo import CommInfoBase
from tradebridge.orders.position import Position

from .instruments import Instrument

__all__ = ["PRICING", "Account", "CommissionPlan", "Fill", "TieredShares", "default_plans"]


@dataclass(slots=True)
class CommissionPlan:
    """A commission scheme (per share or per value) bounded per order by ``minimum``/``max_pct``."""

    scheme: CommInfoBase
    minimum: float = 0.0
    max_pct: float | None = None  # cap, as a fraction of the order's traded value

    def raw(self, size: float, price: float) -> float:
        """The scheme's commission for one execution, before the per-order bounds."""
        return self.scheme.confirmexec(size, price)

    def due(self, raw_total: float, value_total: float) -> float:
        """What the whole order owes after executions summing to ``raw_total`` and ``value_total``."""
        due = max(self.minimum, raw_total)
        if self.max_pct is not None:
            due = min(due, self.max_pct * abs(value_total))
        return due


class TieredShares(CommInfoBase):
    """IB's tiered stock pricing: the rate a share falls as the month's traded volume grows.

    ``tiers`` are (volume up to, rate a share); confirmed executions count towards the volume."""

    params: Any = (
        ("commtype", CommInfoBase.COMM_FIXED),
        ("stocklike", True),
        ("tiers", ((300_000, 0.0035), (3_000_000, 0.002), (20_000_000, 0.0015), (100_000_000, 0.001),
                   (float("inf"), 0.0005))),
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.volume = 0.0

    def rate(self) -> float:
        """The rate a share at the volume traded so far."""
        return next(rate for upto, rate in self.p.tiers if self.volume < upto)

    def _getcommission(self, size: float, price: float, pseudoexec: bool) -> float:
        commission = abs(size) * self.rate()
        if not pseudoexec:
            self.volume += abs(size)
        return commission


PRICING = ("fixed", "tiered")


def default_plans(pricing: str = "fixed") -> dict[str, CommissionPlan]:
    """IB's pricing by secType. Fixed: stocks USD 0.005/share (min 1, max 1%); tiered: stocks
    0.0035/share falling with monthly volume (min 0.35, max 1%). Forex 0.2 bps (min 2) in both."""
    if pricing not in PRICING:
        raise ValueError(f"commission pricing must be one of {PRICING}, got {pricing!r}")
    stock = (CommissionPlan(TieredShares(), minimum=0.35, max_pct=0.01) if pricing == "tiered" else
             CommissionPlan(CommInfoBase(commission=0.005, commtype=CommInfoBase.COMM_FIXED, stocklike=True),
                            minimum=1.0, max_pct=0.01))
    return {
        "STK": stock,
        "CASH": CommissionPlan(CommInfoBase(commission=0.002, commtype=CommInfoBase.COMM_PERC,
                                            stocklike=True), minimum=2.0),
        "FUT": CommissionPlan(CommInfoBase(commission=0.85, commtype=CommInfoBase.COMM_FIXED,
                                           stocklike=True)),
    }


@dataclass(frozen=True, slots=True)
class Fill:
    """What one execution did to the account."""

    realized_pnl: float | None  # None when the execution closed nothing
    position: float
    avg_cost: float  # per unit, multiplier included (IB's averageCost)


@dataclass(slots=True)
class Account:
    """Cash per currency, positions by conId (average price includes commissions), realized P&L."""

    code: str
    base: str = "USD"
    margin: float = 1.0  # initial margin as a fraction of position value (1.0: a cash account)
    cash: dict[str, float] = field(default_factory=dict)
    positions: dict[int, Position] = field(default_factory=dict)
    realized: dict[int, float] = field(default_factory=dict)
    start_cash: dict[str, float] = field(default_factory=dict)

    def deposit(self, amount: float, currency: str | None = None) -> None:
        """Add starting cash in ``currency`` (the base currency by default)."""
        cur = currency or self.base
        self.cash[cur] = self.cash.get(cur, 0.0) + amount
        self.start_cash[cur] = self.start_cash.get(cur, 0.0) + amount

    def position(self, con_id: int) -> Position:
        """The position of a contract (flat if never traded)."""
        pos = self.positions.get(con_id)
        if pos is None:
            pos = self.positions[con_id] = Position()
        return pos

    def apply(self, inst: Instrument, size: float, price: float, commission: float) -> Fill:
        """Book an execution of signed ``size`` at ``price`` that cost ``commission``."""
        con_id, mult = inst.contract.con_id, inst.multiplier
        pos = self.position(con_id)
        avg = pos.price
        _, _, opened, closed = pos.pseudoupdate(size, price)
        share = abs(closed) / abs(size)
        close_comm, open_comm = commission * share, commission * (1.0 - share)
        pnl: float | None = None
        if closed:
            pnl = -closed * (price - avg) * mult - close_comm
            pos.update(closed, price)
            self.realized[con_id] = self.realized.get(con_id, 0.0) + pnl
        if opened:
            pos.update(opened, price + open_comm / (opened * mult))
        cur = inst.contract.currency
        self.cash[cur] = self.cash.get(cur, 0.0) - size * price * mult - commission
        return Fill(pnl, pos.size, pos.price * mult)

    def unrealized(self, inst: Instrument) -> float:
        """Unrealized P&L of the instrument's position at its last close."""
        pos = self.positions.get(inst.contract.con_id)
        if not pos or inst.last is None:
            return 0.0
        return pos.size * (inst.last.close - pos.price) * inst.multiplier

    def market_value(self, inst: Instrument) -> float:
        """Position size times the last close (and multiplier), 0 without a position or a bar."""
        pos = self.positions.get(inst.contract.con_id)
        if not pos or inst.last is None:
            return 0.0
        return pos.size * inst.last.close * inst.multiplier
