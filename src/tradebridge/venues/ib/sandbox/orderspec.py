"""IB order fields: validation with TWS's error codes, and translation to tradebridge order args.

IB -> tradebridge: MKT Market, MOC Close, LMT Limit (lmtPrice), STP Stop (auxPrice), STP LMT
StopLimit (auxPrice stop, lmtPrice limit), TRAIL StopTrail (auxPrice amount or trailingPercent,
optional trailStopPrice as the first stop), TRAIL LIMIT StopTrailLimit (plus lmtPriceOffset).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tradebridge.orders.order import Order

from .codes import text
from .events import OrderRequest
from .instruments import Instrument

__all__ = ["EXECTYPES", "OrderSpecError", "bt_args", "check_request", "parse_gtd"]

EXECTYPES: dict[str, int] = {
    "MKT": Order.Market, "MOC": Order.Close, "LMT": Order.Limit, "STP": Order.Stop,
    "STP LMT": Order.StopLimit, "TRAIL": Order.StopTrail, "TRAIL LIMIT": Order.StopTrailLimit,
}
TIFS = frozenset({"DAY", "GTC", "GTD", "IOC"})
_NEEDS = {  # order type -> (field, what IB calls it) that must be a positive price
    "LMT": (("lmt_price", "lmtPrice"),),
    "STP": (("aux_price", "auxPrice"),),
    "STP LMT": (("lmt_price", "lmtPrice"), ("aux_price", "auxPrice")),
}
_TICKED = ("lmt_price", "aux_price", "trail_stop_price")
_GTD = re.compile(r"^(\d{8})[ -](\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$")


class OrderSpecError(ValueError):
    """An order TWS would refuse: ``code`` and ``text`` as TWS sends them."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"IB error {code}: {msg}")
        self.code, self.text = code, msg


def _bad(cause: str) -> OrderSpecError:
    return OrderSpecError(321, text(321, cause))


def _price(value: Any) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def check_request(req: OrderRequest, inst: Instrument, account: str) -> None:
    """Raise OrderSpecError (321, 387, 110, 201) for fields TWS would reject."""
    if req.action not in ("BUY", "SELL"):
        raise _bad(f"Invalid action {req.action!r}: BUY or SELL")
    qty = req.total_quantity
    if not isinstance(qty, (int, float)) or not math.isfinite(qty) or qty <= 0:
        raise _bad(f"Invalid totalQuantity {qty!r}: must be positive")
    if req.order_type not in EXECTYPES:
        raise OrderSpecError(387, text(387))
    if req.tif not in TIFS:
        raise _bad(f"Invalid time in force {req.tif!r}: DAY, GTC, GTD or IOC")
    if req.tif == "GTD" and not req.good_till_date:
        raise _bad("goodTillDate is required for tif GTD")
    if req.account and req.account != account:
        raise OrderSpecError(201, text(201, f"Invalid account code {req.account!r}"))
    for name, ib_name in _NEEDS.get(req.order_type, ()):
        if not _price(getattr(req, name)):
            raise _bad(f"{ib_name} must be a positive price for a {req.order_type} order, "
                       f"got {getattr(req, name)!r}")
    if req.order_type.startswith("TRAIL"):
        _check_trail(req)
    for name in _TICKED:
        value = getattr(req, name)
        if name == "aux_price" and req.order_type.startswith("TRAIL"):
            continue  # a trailing amount, not a price
        if value is not None and _price(value) and not inst.on_tick(value):
            raise OrderSpecError(110, text(110))


def _check_trail(req: OrderRequest) -> None:
    """A trailing order needs one trail: auxPrice (amount) or trailingPercent."""
    amount, percent = req.aux_price, req.trailing_percent
    if _price(amount) == _price(percent):
        raise _bad("a trailing order needs exactly one of auxPrice (trailing amount) and trailingPercent")
    if _price(percent) and float(percent or 0.0) >= 100.0:
        raise _bad(f"trailingPercent must be below 100, got {percent!r}")
    if req.order_type == "TRAIL LIMIT":
        offset = req.lmt_price_offset
        if offset is None and not (_price(req.lmt_price) and _price(req.trail_stop_price)):
            raise _bad("a TRAIL LIMIT order needs lmtPriceOffset (or lmtPrice with trailStopPrice)")
        if offset is not None and (not math.isfinite(offset) or offset < 0):
            raise _bad(f"lmtPriceOffset must not be negative, got {offset!r}")


def parse_gtd(value: str, default_tz: str) -> _dt.datetime:
    """goodTillDate (``YYYYMMDD HH:MM:SS [zone]``, or ``YYYYMMDD-HH:MM:SS`` in UTC) as an aware time."""
    m = _GTD.match(value.strip())
    if m is None:
        raise _bad(f"goodTillDate {value!r} is not 'YYYYMMDD HH:MM:SS [time zone]'")
    day, hh, mm, ss, zone = m.groups()
    if zone is None:
        zone = "UTC" if "-" in value else default_tz
    try:
        tz = ZoneInfo(zone)
        when = _dt.datetime.strptime(day, "%Y%m%d").replace(hour=int(hh), minute=int(mm), second=int(ss))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _bad(f"goodTillDate {value!r}: {exc}") from None
    return when.replace(tzinfo=tz)


def _trail_args(req: OrderRequest, inst: Instrument) -> dict[str, Any]:
    """price (the reference the stop trails from), plimit, trailamount/trailpercent."""
    buy = req.action == "BUY"
    percent = float(req.trailing_percent or 0.0) / 100.0 if _price(req.trailing_percent) else 0.0
    amount = 0.0 if percent else float(req.aux_price or 0.0)
    stop = float(req.trail_stop_price or 0.0) if _price(req.trail_stop_price) else 0.0
    if stop:
        if percent:
            ref = stop / (1 + percent) if buy else stop / (1 - percent)
        else:
            ref = stop - amount if buy else stop + amount
    elif inst.last is not None:
        ref = inst.last.close
    else:
        why = "no market price to start the trailing stop from; give trailStopPrice"
        raise OrderSpecError(201, text(201, why))
    args: dict[str, Any] = {"price": ref, "trailamount": amount or None, "trailpercent": percent or None}
    if req.order_type == "TRAIL LIMIT":
        offset = req.lmt_price_offset
        if offset is None:
            offset = abs(stop - float(req.lmt_price or 0.0))
        args["pricelimit"] = ref + offset if buy else ref - offset
        if args["pricelimit"] <= 0:
            raise _bad(f"lmtPriceOffset {offset!r} puts the limit at or below zero")
    return args


def bt_args(req: OrderRequest, inst: Instrument) -> dict[str, Any]:
    """Keyword arguments for a tradebridge Buy/SellOrder doing what ``req`` asks."""
    kind = req.order_type
    args: dict[str, Any] = {"exectype": EXECTYPES[kind]}
    if kind == "LMT":
        args["price"] = req.lmt_price
    elif kind == "STP":
        args["price"] = req.aux_price
    elif kind == "STP LMT":
        args["price"], args["pricelimit"] = req.aux_price, req.lmt_price
    elif kind.startswith("TRAIL"):
        args.update(_trail_args(req, inst))
    if req.tif == "GTD":
        valid = inst.localnum(parse_gtd(req.good_till_date, inst.tz))
        if valid < inst.view.datetime[0]:
            raise _bad(f"goodTillDate {req.good_till_date!r} is in the past")
        args["valid"] = valid
    return args
