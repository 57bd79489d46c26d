"""Prices, candles and the small building blocks shared by orders (client extensions, TP/SL details)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ....utils.dates import as_utc
from ..codec import Model

_RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def rfc3339(when: datetime) -> str:
    """A datetime as v20's RFC 3339 (naive values are taken as UTC)."""
    return as_utc(when).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def parse_time(value: str) -> datetime:
    """A v20 time (RFC 3339, nanoseconds allowed, or UNIX seconds) as an aware UTC datetime (microseconds)."""
    match = _RFC3339.match(value)
    if match:
        base, frac, zone = match.groups()
        micro = (frac or "").ljust(6, "0")[:6]
        stamp = datetime.fromisoformat(f"{base}.{micro}{'+00:00' if zone == 'Z' else zone}")
        return stamp.astimezone(UTC)
    try:
        seconds = Decimal(value)
    except ArithmeticError:
        raise ValueError(f"not a v20 time (RFC 3339 or UNIX seconds): {value!r}") from None
    if not seconds.is_finite():
        raise ValueError(f"not a v20 time (RFC 3339 or UNIX seconds): {value!r}")
    whole = int(seconds)
    micro = int((seconds - whole) * 1_000_000)
    return datetime.fromtimestamp(whole, UTC).replace(microsecond=micro)


def _camel_type(value: str) -> str:
    return "".join(part.capitalize() for part in value.split("_"))


# -- small building blocks ------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ClientExtensions(Model):
    """id/tag/comment attached to an order or trade; tradebridge's client order id travels in ``id``."""

    id: str | None = None
    tag: str | None = None
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class TakeProfitDetails(Model):
    """Take-profit to create when an order fills (``takeProfitOnFill``)."""

    price: Decimal | None = None
    time_in_force: str | None = None
    gtd_time: str | None = None
    client_extensions: ClientExtensions | None = None


@dataclass(frozen=True, kw_only=True)
class StopLossDetails(Model):
    """Stop-loss to create when an order fills (``stopLossOnFill``): a price or a distance."""

    price: Decimal | None = None
    distance: Decimal | None = None
    time_in_force: str | None = None
    gtd_time: str | None = None
    client_extensions: ClientExtensions | None = None
    guaranteed: bool | None = None


@dataclass(frozen=True, kw_only=True)
class TrailingStopLossDetails(Model):
    """Trailing stop-loss to create when an order fills (``trailingStopLossOnFill``)."""

    distance: Decimal | None = None
    time_in_force: str | None = None
    gtd_time: str | None = None
    client_extensions: ClientExtensions | None = None


# -- candles and prices ---------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class CandlestickData(Model):
    """Open, high, low, close of one side (bid, ask or mid) of a candle."""

    o: Decimal
    h: Decimal
    l: Decimal
    c: Decimal


@dataclass(frozen=True, kw_only=True)
class Candlestick(Model):
    """One candle: start time, bid/ask/mid prices as requested, tick volume, complete flag."""

    time: str
    bid: CandlestickData | None = None
    ask: CandlestickData | None = None
    mid: CandlestickData | None = None
    volume: int | None = None
    complete: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CandlesResponse(Model):
    """The answer of ``GET /v3/instruments/{instrument}/candles``."""

    instrument: str | None = None
    granularity: str | None = None
    candles: tuple[Candlestick, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PriceBucket(Model):
    """A price available for an amount of liquidity."""

    price: Decimal
    liquidity: int | None = None


@dataclass(frozen=True, kw_only=True)
class QuoteHomeConversionFactors(Model):
    """Factors converting quote-currency amounts to the account's home currency."""

    positive_units: Decimal | None = None
    negative_units: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class ClientPrice(Model):
    """An account-specific price (``type`` "PRICE"), as the pricing endpoint and stream send it."""

    type: str | None = "PRICE"
    instrument: str | None = None
    time: str | None = None
    status: str | None = None
    tradeable: bool | None = None
    bids: tuple[PriceBucket, ...] = ()
    asks: tuple[PriceBucket, ...] = ()
    closeout_bid: Decimal | None = None
    closeout_ask: Decimal | None = None
    quote_home_conversion_factors: QuoteHomeConversionFactors | None = None


@dataclass(frozen=True, kw_only=True)
class Price(Model):
    """The spec's older Price definition (``timestamp``, ``baseBid``/``baseAsk``)."""

    instrument: str | None = None
    tradeable: bool | None = None
    timestamp: str | None = None
    base_bid: Decimal | None = None
    base_ask: Decimal | None = None
    bids: tuple[PriceBucket, ...] = ()
    asks: tuple[PriceBucket, ...] = ()
    closeout_bid: Decimal | None = None
    closeout_ask: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class PricingHeartbeat(Model):
    """The pricing stream's keep-alive line (``type`` "HEARTBEAT")."""

    type: str = "HEARTBEAT"
    time: str


@dataclass(frozen=True, kw_only=True)
class PricingResponse(Model):
    """The answer of ``GET /v3/accounts/{id}/pricing``."""

    prices: tuple[ClientPrice, ...] = ()
    time: str | None = None
