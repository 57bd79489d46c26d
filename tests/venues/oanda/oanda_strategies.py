"""Hypothesis strategies for the OANDA models, driven by each model's field table.

Strings take their values from the v20 spec's property (an enum, or a value of the property's
format) when the spec is available, so generated models must also validate against it.
"""

from __future__ import annotations

import datetime
import typing
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from tradebridge.venues.oanda import models as m
from tradebridge.venues.oanda import spec as v20spec
from tradebridge.venues.oanda.codec import Model, camel, fields_of

PLAIN_DECIMALS = st.builds(
    lambda n, places: Decimal(n).scaleb(-places), st.integers(-(10**12), 10**12), st.integers(0, 9)
)
TIMES = st.builds(
    lambda d, ns: d.strftime("%Y-%m-%dT%H:%M:%S") + f".{ns:09d}Z",
    st.datetimes(min_value=datetime.datetime(2000, 1, 1)),
    st.integers(0, 999_999_999),
)
IDS = st.integers(1, 10**9).map(str)
INSTRUMENTS = st.sampled_from(["EUR_USD", "GBP_USD", "USD_JPY", "XAU_USD", "DE30_EUR"])
ACCOUNTS = st.builds(
    lambda a, b, c: f"101-{a:03d}-{b}-{c:03d}",
    st.integers(0, 999),
    st.integers(1, 10**7),
    st.integers(1, 999),
)


def spec_or_skip_reason() -> tuple[dict[str, Any] | None, str]:
    """The v20 spec and "", or None and why the spec tests skip."""
    try:
        return v20spec.load_spec(), ""
    except v20spec.SpecNotFoundError as err:
        return None, str(err)


# format words (see spec._FORMATS) -> a strategy of valid strings
_FORMAT_VALUES = (
    ("decimal number", PLAIN_DECIMALS.map(lambda d: format(d, "f"))),
    ("RFC 3339", TIMES),
    ("TransactionID", IDS),
    ("TradeID", IDS),
    ("OrderID", IDS),
    ("base currency and quote currency", INSTRUMENTS),
    ("ISO 4217", st.sampled_from(["USD", "EUR", "JPY"])),
    ("{siteID}", ACCOUNTS),
)

# polymorphic model -> the type values it may carry
TYPE_VALUES: dict[type, list[str]] = {
    m.Order: [
        "MARKET",
        "LIMIT",
        "STOP",
        "MARKET_IF_TOUCHED",
        "TAKE_PROFIT",
        "STOP_LOSS",
        "TRAILING_STOP_LOSS",
    ],
    m.OrderRequest: list(m.REQUEST_NEEDS),
    m.OrderTransaction: [k for k, v in m.TRANSACTION_CLASSES.items() if v is m.OrderTransaction],
    m.OrderFillTransaction: ["ORDER_FILL"],
    m.OrderCancelTransaction: ["ORDER_CANCEL"],
    m.OrderCancelRejectTransaction: ["ORDER_CANCEL_REJECT"],
    m.DailyFinancingTransaction: ["DAILY_FINANCING"],
    m.Transaction: [
        "TRANSFER_FUNDS",
        "CREATE",
        "CLIENT_CONFIGURE",
        "MARGIN_CALL_ENTER",
    ],  # no class of their own
}


def _string_for(prop: dict[str, Any] | None) -> st.SearchStrategy[str]:
    if prop:
        if "enum" in prop:
            return st.sampled_from(prop["enum"])
        for words, strategy in _FORMAT_VALUES:
            if words in str(prop.get("format", "")):
                return strategy
    return st.text(max_size=12)


def _value(hint: Any, prop: dict[str, Any] | None, spec: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is not None and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        return st.one_of(st.none(), _value(inner, prop, spec))
    if origin is tuple:
        item = (prop or {}).get("items")
        return st.lists(_value(args[0], item, spec), max_size=2).map(tuple)
    if hint is str:
        return _string_for(None if prop and "$ref" in prop else prop)
    if hint is Decimal:
        return PLAIN_DECIMALS
    if hint is int:
        return st.integers(0, 10**6)
    if hint is bool:
        return st.booleans()
    if isinstance(hint, type) and issubclass(hint, Model):
        ref = (prop or {}).get("$ref", "").rpartition("/")[2] or None
        if hint is m.Transaction:
            return st.one_of(
                *[
                    models(cls, spec)
                    for cls in (
                        m.Transaction,
                        m.OrderFillTransaction,
                        m.OrderTransaction,
                        m.OrderCancelTransaction,
                        m.DailyFinancingTransaction,
                    )
                ]
            )
        return models(hint, spec, ref)
    raise TypeError(hint)


# Models that are whole answers of an operation (no definition of their own): (path, method, status).
RESPONSES = {
    m.CandlesResponse: ("/instruments/{instrument}/candles", "get", 200),
    m.PricingResponse: ("/accounts/{accountID}/pricing", "get", 200),
    m.AccountChangesResponse: ("/accounts/{accountID}/changes", "get", 200),
    m.TransactionsResponse: ("/accounts/{accountID}/transactions/sinceid", "get", 200),
    m.WriteResponse: ("/accounts/{accountID}/orders", "post", 201),
    m.ErrorResponse: ("/accounts/{accountID}/orders", "post", 400),
}


class _Typed:
    """Stands in for an instance in spec_definition(): only ``type`` is read."""

    spec_name = ""

    def __init__(self, kind: str) -> None:
        self.type = kind


def definition(cls: type[Model], type_value: str | None) -> str:
    """The spec definition of a ``cls`` instance with that ``type``."""
    if type_value is None:
        return cls.spec_name or cls.__name__
    return cls.spec_definition(_Typed(type_value))  # type: ignore[arg-type]


def _properties(cls: type[Model], type_value: str | None, spec: dict[str, Any] | None) -> dict[str, Any]:
    if spec is None:
        return {}
    if cls in RESPONSES:
        path, method, status = RESPONSES[cls]
        return spec["paths"][path][method]["responses"][str(status)]["schema"]["properties"]
    return spec["definitions"].get(definition(cls, type_value), {}).get("properties", {})


def models(
    cls: type[Model],
    spec: dict[str, Any] | None = None,
    ref: str | None = None,
) -> st.SearchStrategy[Model]:
    """Instances of ``cls``; with the spec, strings fit it; ``ref`` (a definition) narrows the type."""
    return _models(cls, spec, ref)


@st.composite
def _models(draw: Any, cls: type[Model], spec: dict[str, Any] | None, ref: str | None) -> Model:
    kinds = TYPE_VALUES.get(cls, [None])
    if ref is not None:
        kinds = [k for k in kinds if definition(cls, k) == ref] or kinds
    type_value = draw(st.sampled_from(kinds))
    props = _properties(cls, type_value, spec)
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in fields_of(cls):
        if f.attr == "type" and type_value is not None:
            kwargs["type"] = type_value
            continue
        if f.attr == "type" and cls in (m.ClientPrice, m.PricingHeartbeat, m.TransactionHeartbeat):
            continue
        kwargs[f.attr] = draw(_value(hints[f.attr], props.get(f.key), spec))
    if cls is m.OrderRequest:
        _complete_request(draw, kwargs, hints, props, spec)
    return cls(**kwargs)


def _complete_request(
    draw: Any,
    kwargs: dict[str, Any],
    hints: dict[str, Any],
    props: dict[str, Any],
    spec: dict[str, Any] | None,
) -> None:
    """Give an order request what its type needs (the constructor refuses it otherwise)."""
    kind = kwargs["type"]
    for attr in m.REQUEST_NEEDS[kind]:
        if kwargs[attr] is None:
            inner = next(a for a in typing.get_args(hints[attr]) if a is not type(None))
            kwargs[attr] = draw(_value(inner, None if inner is not str else props.get(camel(attr)), spec))
    if kind == "STOP_LOSS":
        if kwargs["price"] is None and kwargs["distance"] is None:
            kwargs["price"] = draw(PLAIN_DECIMALS)
        elif kwargs["price"] is not None:
            kwargs["distance"] = None
