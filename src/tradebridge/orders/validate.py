"""Checks on order arguments, run when an order is created so bad input fails at the call.

Each failure is a ValueError whose message starts with the offending field's name.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["check_finite", "check_order_args", "check_valid_not_past"]

_PRICED = {"Limit", "Stop", "StopLimit"}


def check_finite(name: str, value: Any) -> Any:
    """Refuse NaN and infinities (and non-numbers) for a numeric field."""
    try:
        ok = math.isfinite(value)
    except TypeError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not ok:
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def check_order_args(
    size: Any,
    price: Any,
    plimit: Any,
    exectype_name: str,
    trailamount: Any,
    trailpercent: Any,
) -> None:
    """Raise ValueError naming the field when size, prices or trail settings are unusable."""
    if size is None:
        raise ValueError("size is required")
    check_finite("size", size)
    if size <= 0:
        raise ValueError(f"size must be positive (buy/sell give the side), got {size!r}")
    if not (price is None and plimit is None and trailamount is None and trailpercent is None):
        for name, value in (("price", price), ("plimit", plimit), ("trailamount", trailamount),
                            ("trailpercent", trailpercent)):
            if value is not None:
                check_finite(name, value)
                if value < 0:
                    raise ValueError(f"{name} must not be negative, got {value!r}")
    if exectype_name in _PRICED and not price:
        raise ValueError(f"price is required for a {exectype_name} order")


def check_valid_not_past(valid: float | None, now: float, raw: Any) -> None:
    """Refuse a ``valid`` expiry that lies before the bar the order is created on."""
    if valid is not None and valid and valid < now:
        raise ValueError(f"valid {raw!r} lies in the past (before the current bar)")
