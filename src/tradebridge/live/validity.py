"""An order's ``valid`` as a venue understands it: good till cancelled, for the day, or till a time."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from ..orders.order import Order
from ..utils.dates import as_utc, num2date

__all__ = ["validity"]


def validity(order: Any) -> tuple[Literal["GTC", "DAY", "GTD"], _dt.datetime | None]:
    """``valid`` as the user gave it: None is GTC, DAY (or 0) is DAY, anything else GTD at the
    order's expiry (``order.valid``, a date number) as an aware UTC datetime."""
    valid = order.p.valid
    if valid is None:
        return "GTC", None
    if valid == Order.DAY or (not isinstance(valid, _dt.date | _dt.timedelta) and not valid):
        return "DAY", None
    return "GTD", as_utc(num2date(order.valid))
