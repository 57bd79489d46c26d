"""Order requests: v20's rules per order type as tables, validation to a reject reason, normalisation.

Sans-IO: :func:`check_request` turns the ``order`` object of a POST/PUT body into the normalised
fields the sandbox stores and echoes (prices formatted, defaults filled in), or raises
:class:`Reject` with OANDA's ``rejectReason`` and a message naming the field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .data import InstrumentSpec

__all__ = ["ENTRY_TYPES", "TIF", "TRADE_TYPES", "Reject", "check_on_fill", "check_request", "decimal"]

ENTRY_TYPES = ("MARKET", "LIMIT", "STOP", "MARKET_IF_TOUCHED")
TRADE_TYPES = ("TAKE_PROFIT", "STOP_LOSS", "TRAILING_STOP_LOSS")
# type -> (default timeInForce, allowed timeInForce values)
TIF: dict[str, tuple[str, tuple[str, ...]]] = {
    "MARKET": ("FOK", ("FOK", "IOC")),
    "LIMIT": ("GTC", ("GTC", "GTD", "GFD", "FOK", "IOC")),
    "STOP": ("GTC", ("GTC", "GTD", "GFD", "FOK", "IOC")),
    "MARKET_IF_TOUCHED": ("GTC", ("GTC", "GTD", "GFD")),
    "TAKE_PROFIT": ("GTC", ("GTC", "GTD", "GFD")),
    "STOP_LOSS": ("GTC", ("GTC", "GTD", "GFD")),
    "TRAILING_STOP_LOSS": ("GTC", ("GTC", "GTD", "GFD")),
}
# fields each type accepts besides type/timeInForce/gtdTime/clientExtensions
_FIELDS: dict[str, tuple[str, ...]] = {
    "MARKET": ("instrument", "units", "priceBound", "positionFill"),
    "LIMIT": ("instrument", "units", "price", "positionFill", "triggerCondition"),
    "STOP": ("instrument", "units", "price", "priceBound", "positionFill", "triggerCondition"),
    "MARKET_IF_TOUCHED": ("instrument", "units", "price", "priceBound", "positionFill", "triggerCondition"),
    "TAKE_PROFIT": ("tradeID", "clientTradeID", "price", "triggerCondition"),
    "STOP_LOSS": ("tradeID", "clientTradeID", "price", "distance", "triggerCondition"),
    "TRAILING_STOP_LOSS": ("tradeID", "clientTradeID", "distance", "triggerCondition"),
}
_POSITION_FILL = ("DEFAULT", "REDUCE_FIRST", "REDUCE_ONLY", "OPEN_ONLY")
_TRIGGER = ("DEFAULT", "INVERSE", "BID", "ASK", "MID")
# on-fill key -> (reject reason prefix, the type of the order it creates)
_ON_FILL = {
    "takeProfitOnFill": ("TAKE_PROFIT_ON_FILL_", "TAKE_PROFIT"),
    "stopLossOnFill": ("STOP_LOSS_ON_FILL_", "STOP_LOSS"),
    "trailingStopLossOnFill": ("TRAILING_STOP_LOSS_ON_FILL_", "TRAILING_STOP_LOSS"),
}
_EXT_LIMITS = (("id", 128), ("tag", 128), ("comment", 256))


class Reject(Exception):
    """An order request v20 refuses: ``reason`` is the ``rejectReason``/``errorCode`` (empty when
    the request is malformed: then no reject transaction is written)."""

    def __init__(self, reason: str, message: str, status: int = 400) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason, self.message, self.status = reason, message, status


def decimal(value: Any, reason: str, field: str) -> Decimal:
    """A finite decimal from a v20 decimal string (or number); Reject(reason) naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Reject(reason, f"'{field}' must be a decimal number as a string, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Reject(reason, f"'{field}' is not a decimal number: {value!r}") from None
    if not number.is_finite():
        raise Reject(reason, f"'{field}' must be finite, got {value!r}")
    return number


def _positive(value: Any, spec: InstrumentSpec, code: str, field: str, where: str = "") -> Any:
    """``value`` as a positive decimal within the instrument's precision; reject reasons
    ``<code>MISSING``, ``<code>INVALID``, ``<code>PRECISION_EXCEEDED``."""
    if value is None:
        raise Reject(f"{code}MISSING", f"'{field}' is required")
    number = decimal(value, f"{code}INVALID", field)
    if number <= 0:
        raise Reject(f"{code}INVALID", f"'{field}' must be positive, got {value!r}")
    if -number.as_tuple().exponent > spec.display_precision:  # type: ignore[operator]
        raise Reject(
            f"{code}PRECISION_EXCEEDED",
            f"'{field}' {value} has more than {spec.display_precision} decimals{where}",
        )
    return number


def _price(value: Any, spec: InstrumentSpec, prefix: str, field: str) -> str:
    """A positive price within the instrument's precision, formatted as OANDA echoes it;
    reject reasons ``<prefix>MISSING``, ``<prefix>INVALID``, ``<prefix>PRECISION_EXCEEDED``."""
    return spec.fmt(float(_positive(value, spec, prefix, field, f" for {spec.name}")))


def _distance(value: Any, spec: InstrumentSpec, prefix: str, field: str, minimum: float = 0.0) -> str:
    number = _positive(value, spec, f"{prefix}PRICE_DISTANCE_", field)
    if float(number) < minimum:
        raise Reject(
            f"{prefix}PRICE_DISTANCE_MINIMUM_NOT_MET",
            f"'{field}' {value} is below the minimum distance {spec.fmt(minimum)} for {spec.name}",
        )
    return spec.fmt(float(number))


def check_extensions(ext: Any, prefix: str = "CLIENT_ORDER_") -> dict[str, str] | None:
    """clientExtensions {id, tag, comment} as strings within v20's lengths."""
    if ext is None:
        return None
    if not isinstance(ext, dict):
        raise Reject(f"{prefix}ID_INVALID", "'clientExtensions' must be an object with id, tag, comment")
    out = {}
    for key, limit in _EXT_LIMITS:
        if key in ext:
            value = ext[key]
            if not isinstance(value, str) or len(value) > limit or (key == "id" and not value):
                raise Reject(
                    f"{prefix}{key.upper()}_INVALID",
                    f"clientExtensions.{key} must be a string of 1..{limit} characters, got {value!r}",
                )
            out[key] = value
    return out


def _tif(body: dict[str, Any], kind: str, now: float, prefix: str, parse_time: Any) -> dict[str, Any]:
    default, allowed = TIF[kind]
    tif = body.get("timeInForce", default)
    if tif not in allowed:
        raise Reject(
            f"{prefix}TIME_IN_FORCE_INVALID",
            f"timeInForce {tif!r} is not allowed for {kind} orders (allowed: {', '.join(allowed)})",
        )
    out: dict[str, Any] = {"timeInForce": tif}
    gtd = prefix or "TIME_IN_FORCE_"
    if tif == "GTD":
        if "gtdTime" not in body:
            raise Reject(f"{gtd}GTD_TIMESTAMP_MISSING", "timeInForce GTD needs 'gtdTime'")
        when = parse_time(body["gtdTime"])
        if when <= now:
            raise Reject(f"{gtd}GTD_TIMESTAMP_IN_PAST", f"gtdTime {body['gtdTime']} is not in the future")
        out["gtdTime"] = when
    return out


def check_on_fill(body: dict[str, Any], spec: InstrumentSpec, now: float, parse_time: Any) -> dict[str, Any]:
    """The takeProfitOnFill/stopLossOnFill/trailingStopLossOnFill details of an entry order."""
    out: dict[str, Any] = {}
    for key, (prefix, kind) in _ON_FILL.items():
        details = body.get(key)
        if details is None:
            continue
        if not isinstance(details, dict):
            raise Reject(f"{prefix}PRICE_INVALID", f"'{key}' must be an object")
        norm: dict[str, Any] = {}
        if kind == "TRAILING_STOP_LOSS":
            norm["distance"] = _distance(
                details.get("distance"), spec, prefix, f"{key}.distance", 5 * 10.0**spec.pip_location
            )
        elif kind == "STOP_LOSS" and "distance" in details:
            if "price" in details:
                raise Reject(
                    f"{prefix}PRICE_AND_DISTANCE_BOTH_SPECIFIED", f"'{key}' has both price and distance"
                )
            norm["distance"] = _distance(details["distance"], spec, prefix, f"{key}.distance")
        else:
            norm["price"] = _price(details.get("price"), spec, f"{prefix}PRICE_", f"{key}.price")
        norm.update(_tif(details, kind, now, prefix, parse_time))
        ext = check_extensions(details.get("clientExtensions"), f"{prefix}CLIENT_ORDER_")
        if ext:
            norm["clientExtensions"] = ext
        out[key] = norm
    return out


def _units(value: Any) -> str:
    if value is None:
        raise Reject("UNITS_MISSING", "'units' is required")
    number = decimal(value, "UNITS_INVALID", "units")
    if number == 0:
        raise Reject("UNITS_INVALID", "'units' must not be zero")
    if number != number.to_integral_value():
        raise Reject("UNITS_PRECISION_EXCEEDED", f"'units' {value} must be whole units for currency pairs")
    if abs(number) > 100_000_000:
        raise Reject("UNITS_LIMIT_EXCEEDED", f"'units' {value} exceeds the maximum order units 100000000")
    return str(int(number))


def _entry_fields(
    body: dict[str, Any], specs: dict[str, InstrumentSpec], now: float, parse_time: Any, out: dict[str, Any]
) -> InstrumentSpec:
    """The instrument, units, positionFill, on-fill and trade fields of an entry order, into ``out``."""
    name = body.get("instrument")
    if not name:
        raise Reject("INSTRUMENT_MISSING", "'instrument' is required")
    if name not in specs:
        raise Reject("INSTRUMENT_UNKNOWN", f"instrument {name!r} is not traded by this account")
    spec = specs[name]
    out["instrument"] = name
    out["units"] = _units(body.get("units"))
    fill = body.get("positionFill", "DEFAULT")
    if fill not in _POSITION_FILL:
        raise Reject(
            "ORDER_FILL_POSITION_ACTION_INVALID",
            f"positionFill {fill!r} is not one of {', '.join(_POSITION_FILL)}",
        )
    out["positionFill"] = fill
    out.update(check_on_fill(body, spec, now, parse_time))
    ext = check_extensions(body.get("tradeClientExtensions"), "CLIENT_TRADE_")
    if ext:
        out["tradeClientExtensions"] = ext
    return spec


def check_request(
    body: Any,
    specs: dict[str, InstrumentSpec],
    now: float,
    parse_time: Any,
    trade_spec: InstrumentSpec | None = None,
) -> dict[str, Any]:
    """Validate the ``order`` object of a create/replace request; the normalised fields."""
    if not isinstance(body, dict):
        raise Reject("", "the request body needs an 'order' object")
    kind = body.get("type", "MARKET")
    if kind not in _FIELDS:
        raise Reject("", f"Invalid value specified for 'order.type': {kind!r} (one of {', '.join(_FIELDS)})")
    out: dict[str, Any] = {"type": kind}
    if kind in ENTRY_TYPES:
        spec = _entry_fields(body, specs, now, parse_time, out)
    else:
        if trade_spec is None:
            raise Reject("TRADE_ID_UNSPECIFIED", f"{kind} orders need the 'tradeID' of an open trade")
        spec = trade_spec
        out["tradeID"] = str(body.get("tradeID"))
    if "price" in _FIELDS[kind] and not (kind == "STOP_LOSS" and "distance" in body):
        out["price"] = _price(body.get("price"), spec, "PRICE_", "price")
    if kind == "STOP_LOSS" and "distance" in body:
        if "price" in body:
            raise Reject("STOP_LOSS_ORDER_PRICE_AND_DISTANCE_BOTH_SPECIFIED", "give either price or distance")
        out["distance"] = _distance(body["distance"], spec, "", "distance")
    if kind == "TRAILING_STOP_LOSS":
        out["distance"] = _distance(body.get("distance"), spec, "", "distance", 5 * 10.0**spec.pip_location)
    if "priceBound" in _FIELDS[kind] and body.get("priceBound") is not None:
        out["priceBound"] = _price(body["priceBound"], spec, "PRICE_BOUND_", "priceBound")
    if "triggerCondition" in _FIELDS[kind]:
        trig = body.get("triggerCondition", "DEFAULT")
        if trig not in _TRIGGER:
            raise Reject(
                "TRIGGER_CONDITION_INVALID", f"triggerCondition {trig!r} is not one of {', '.join(_TRIGGER)}"
            )
        out["triggerCondition"] = trig
    out.update(_tif(body, kind, now, "", parse_time))
    ext = check_extensions(body.get("clientExtensions"))
    if ext:
        out["clientExtensions"] = ext
    return out
