"""Pre-trade risk checks run by every broker before an order leaves it.

The cash/margin check is always on (backtrader's ``checksubmit``: a refused order ends with
status ``Margin``). The limits below are opt-in; a refused order ends ``Rejected`` with a
human-readable ``order.info['reason']``. With the defaults nothing is limited, so results
match backtrader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["RiskLimits", "cash_reason", "check_limits"]

_COLLARED = ("Limit", "Stop", "StopLimit")


@dataclass(frozen=True)
class RiskLimits:
    """Opt-in pre-trade limits; ``None`` switches a limit off.

    - ``max_order_size``: largest absolute size of one order.
    - ``max_position``: largest absolute position per data once the order fills.
    - ``max_notional``: largest ``size * price * mult`` of one order (price: the order's
      price, or the last close for Market/Close orders).
    - ``price_collar``: largest distance, as a fraction of the last close (0.05 = 5%),
      of a Limit/Stop/StopLimit order's price and limit price from the last close.
    """

    max_order_size: float | None = None
    max_position: float | None = None
    max_notional: float | None = None
    price_collar: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_order_size", "max_position", "max_notional", "price_collar"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive or None, got {value!r}")

    @property
    def active(self) -> bool:
        """Whether any limit is set."""
        return any(
            v is not None
            for v in (self.max_order_size, self.max_position, self.max_notional,
                      self.price_collar)
        )


def _collar_reason(limits: RiskLimits, order: Any, last: float) -> str | None:
    """Reason if a priced order's price or limit lies beyond the collar."""
    if not last or order.getordername() not in _COLLARED:
        return None
    for label, price in (("price", order.price), ("limit price", order.pricelimit)):
        if not price:
            continue
        dist = abs(price - last) / abs(last)
        if dist > limits.price_collar:
            return (f"{label} {price:,.2f} is {dist:.2%} from last price {last:,.2f}, "
                    f"beyond price_collar {limits.price_collar:.2%}")
    return None


def check_limits(limits: RiskLimits, order: Any, position_size: float, last: float,
                 mult: float = 1.0) -> str | None:
    """The reason ``order`` breaks ``limits``, or None if it passes."""
    size = abs(order.size)
    if limits.max_order_size is not None and size > limits.max_order_size:
        return f"order size {size:,.2f} exceeds max_order_size {limits.max_order_size:,.2f}"
    if limits.max_position is not None:
        after = abs(position_size + order.size)
        if after > limits.max_position and after > abs(position_size):
            return (f"position {after:,.2f} after the order exceeds max_position "
                    f"{limits.max_position:,.2f}")
    if limits.max_notional is not None:
        value = size * abs(order.created.price) * mult
        if value > limits.max_notional:
            return f"order value {value:,.2f} exceeds max_notional {limits.max_notional:,.2f}"
    if limits.price_collar is not None:
        return _collar_reason(limits, order, last)
    return None


def cash_reason(cash_before: float, cash_after: float) -> str:
    """Why a cash/margin check refused an order."""
    needed = cash_before - cash_after
    return (f"order needs cash {needed:,.2f} but only {cash_before:,.2f} is available "
            "(cash/margin check)")
