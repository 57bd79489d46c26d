"""backtrader's IBData ``dataname`` forms parsed into a plain contract description.

Forms (``-`` separated; ``SECTYPE`` one of :data:`SECTYPES`, ``DATE`` YYYYMM or YYYYMMDD)::

    TICKER[-SECTYPE[-EXCHANGE[-CURRENCY]]]                 STK, CFD, IND, CASH, CMDTY, ...
    CUR1.CUR2-CASH-IDEALPRO                                forex (symbol CUR1, currency CUR2)
    TICKER-DATE-EXCHANGE[-CURRENCY[-MULT]]                 future
    TICKER-DATE-EXCHANGE-CURRENCY-STRIKE-RIGHT[-MULT]      option (YYYYMMDD) / future option (YYYYMM)
    TICKER-FUT-EXCHANGE-CURRENCY-DATE[-MULT]               future, sectype first
    TICKER-OPT|FOP-EXCHANGE-CURRENCY-DATE-STRIKE-RIGHT[-MULT]

Missing parts come from the data's ``sectype``/``exchange``/``currency`` params (backtrader's
defaults ``STK``, ``SMART``, ``''``). ib_async is imported only by :meth:`IBContract.to_ib`.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["IBContract", "IBContractError", "SECTYPES", "parse_dataname"]

SECTYPES = frozenset({"STK", "CFD", "IND", "CASH", "CMDTY", "FUT", "OPT", "FOP", "WAR", "BOND", "FUND",
                      "CRYPTO"})
DERIVATIVES = frozenset({"FUT", "OPT", "FOP", "WAR"})
_OPTIONS = frozenset({"OPT", "FOP", "WAR"})
_RIGHTS = {"C": "C", "CALL": "C", "P": "P", "PUT": "P"}
# Exchange used when the dataname names none and the exchange param is left at SMART.
_DEFAULT_EXCHANGE = {"CASH": "IDEALPRO"}
_DATE = re.compile(r"\d{6}(\d{2})?")
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9. /&+_:]*")
_EXCHANGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._]*")
_CURRENCY = re.compile(r"[A-Za-z]{3}")


class IBContractError(ValueError):
    """A dataname (or sectype/exchange/currency param) that does not describe an IB contract."""

    def __init__(self, dataname: str, part: str, value: Any, expected: str) -> None:
        super().__init__(f"IB dataname {dataname!r}: {part} {value!r} is not valid; expected {expected}")
        self.dataname, self.part, self.value = dataname, part, value


@dataclass(frozen=True, slots=True)
class IBContract:
    """What an IBData dataname says: enough to build an ib_async ``Contract``."""

    symbol: str
    sectype: str = "STK"
    exchange: str = "SMART"
    currency: str = ""
    expiry: str = ""  # IB lastTradeDateOrContractMonth: YYYYMM or YYYYMMDD
    strike: float = 0.0
    right: str = ""  # 'C' or 'P'
    multiplier: str = ""

    @property
    def is_option(self) -> bool:
        """Whether strike and right are part of the contract."""
        return self.sectype in _OPTIONS

    @property
    def dataname(self) -> str:
        """The canonical dataname (sectype spelled out): parsing it gives this contract back."""
        if self.sectype == "FUT" and self.multiplier and not self.currency:
            raise IBContractError(self.symbol, "currency", "", "a currency: backtrader's future forms with a "
                                  "multiplier name the currency before it")
        symbol = f"{self.symbol}.{self.currency}" if self.sectype == "CASH" else self.symbol
        if self.sectype == "FUT" and not self.currency:  # the sectype-first form needs a currency
            return "-".join(p for p in (symbol, self.expiry, self.exchange, "", self.multiplier) if p)
        parts = [symbol, self.sectype, self.exchange]
        if self.sectype != "CASH" and (self.currency or self.expiry):
            parts.append(self.currency)
        if self.expiry:
            parts.append(self.expiry)
        if self.is_option:
            parts += [_fmt_strike(self.strike), self.right]
        if self.multiplier:
            parts.append(self.multiplier)
        return "-".join(parts)

    def to_ib(self) -> Any:
        """An ib_async ``Contract`` for this description (imports ib_async here, not at import time)."""
        from ib_async import Contract

        return Contract(
            secType=self.sectype, symbol=self.symbol, exchange=self.exchange, currency=self.currency,
            lastTradeDateOrContractMonth=self.expiry, strike=self.strike, right=self.right,
            multiplier=self.multiplier,
        )


def _fmt_strike(strike: float) -> str:
    return str(int(strike)) if strike == int(strike) else repr(strike)


class _Parts:
    """The dataname's tokens consumed left to right, each checked as it is taken."""

    def __init__(self, dataname: str) -> None:
        self.dataname = dataname
        self.tokens = dataname.split("-")
        self.pos = 1

    def left(self) -> int:
        return len(self.tokens) - self.pos

    def take(self, part: str, pattern: re.Pattern[str] | None = None, expected: str = "") -> str:
        if self.pos >= len(self.tokens):
            raise IBContractError(self.dataname, part, "", f"a {part} ({expected or 'missing part'})")
        token = self.tokens[self.pos]
        self.pos += 1
        if not token or (pattern is not None and not pattern.fullmatch(token)):
            raise IBContractError(self.dataname, part, token, expected or f"a non-empty {part}")
        return token

    def optional(self, part: str, pattern: re.Pattern[str], expected: str, default: str) -> str:
        return self.take(part, pattern, expected) if self.left() else default

    def done(self) -> None:
        if self.left():
            extra = "-".join(self.tokens[self.pos:])
            raise IBContractError(self.dataname, "trailing part", extra, "nothing more for this form")


def _date(parts: _Parts) -> str:
    value = parts.take("expiry", _DATE, "YYYYMM or YYYYMMDD")
    try:
        _dt.date(int(value[:4]), int(value[4:6]), int(value[6:8] or 1))
    except ValueError:
        expected = "a real month/day (YYYYMM or YYYYMMDD)"
        raise IBContractError(parts.dataname, "expiry", value, expected) from None
    return value


def _strike(parts: _Parts) -> float:
    token = parts.take("strike", None, "a positive number")
    try:
        strike = float(token)
    except ValueError:
        strike = math.nan
    if not (math.isfinite(strike) and strike > 0):
        raise IBContractError(parts.dataname, "strike", token, "a positive number")
    return strike


def _right(parts: _Parts) -> str:
    token = parts.take("right", None, "C, P, CALL or PUT")
    if token.upper() not in _RIGHTS:
        raise IBContractError(parts.dataname, "right", token, "C, P, CALL or PUT")
    return _RIGHTS[token.upper()]


def _multiplier(parts: _Parts) -> str:
    if not parts.left():
        return ""
    token = parts.take("multiplier", None, "a positive number")
    try:
        ok = math.isfinite(float(token)) and float(token) > 0
    except ValueError:
        ok = False
    if not ok:
        raise IBContractError(parts.dataname, "multiplier", token, "a positive number")
    return token


def _exchange_currency(parts: _Parts, sectype: str, exchange: str, currency: str) -> tuple[str, str]:
    if exchange == "SMART" and not parts.left():
        exchange = _DEFAULT_EXCHANGE.get(sectype, exchange)
    exchange = parts.optional("exchange", _EXCHANGE, "an exchange such as SMART or GLOBEX", exchange)
    currency = parts.optional("currency", _CURRENCY, "a 3-letter currency such as USD", currency)
    return exchange.upper(), currency.upper()


def parse_dataname(dataname: str, sectype: str = "STK", exchange: str = "SMART",
                   currency: str = "") -> IBContract:
    """Parse an IBData ``dataname`` (params fill what it leaves out); raises :class:`IBContractError`."""
    if not isinstance(dataname, str) or not dataname.strip():
        expected = "a non-empty string such as 'AAPL-STK-SMART'"
        raise IBContractError(str(dataname), "dataname", dataname, expected)
    dataname = dataname.strip()
    parts = _Parts(dataname)
    symbol = parts.tokens[0]
    if not _SYMBOL.fullmatch(symbol):
        raise IBContractError(dataname, "symbol", symbol, "a ticker such as AAPL or EUR.USD")
    second = parts.tokens[1].upper() if len(parts.tokens) > 1 else ""
    if _DATE.fullmatch(second):
        return _parse_dated(parts, symbol, exchange, currency)
    if len(parts.tokens) > 1:
        sectype = second
        parts.pos = 2
    sectype = sectype.upper()
    if sectype not in SECTYPES:
        raise IBContractError(dataname, "sectype", sectype, f"one of {', '.join(sorted(SECTYPES))}")
    exchange, currency = _exchange_currency(parts, sectype, exchange, currency)
    fields: dict[str, Any] = {}
    if sectype in DERIVATIVES:
        fields["expiry"] = _date(parts)
        if sectype in _OPTIONS:
            fields["strike"], fields["right"] = _strike(parts), _right(parts)
        fields["multiplier"] = _multiplier(parts)
    parts.done()
    if sectype == "CASH":
        symbol, currency = _split_pair(dataname, symbol, currency)
    return IBContract(symbol=symbol, sectype=sectype, exchange=exchange, currency=currency, **fields)


def _parse_dated(parts: _Parts, symbol: str, exchange: str, currency: str) -> IBContract:
    """``TICKER-DATE-...``: a future, or an option when strike and right follow the currency."""
    expiry = _date(parts)
    exchange = parts.take("exchange", _EXCHANGE, "an exchange such as GLOBEX").upper()
    currency = parts.optional("currency", _CURRENCY, "a 3-letter currency such as USD", currency).upper()
    if parts.left() >= 2:
        sectype = "OPT" if len(expiry) == 8 else "FOP"
        strike, right = _strike(parts), _right(parts)
        mult = _multiplier(parts)
        parts.done()
        return IBContract(symbol, sectype, exchange, currency, expiry, strike, right, mult)
    mult = _multiplier(parts)
    parts.done()
    return IBContract(symbol, "FUT", exchange, currency, expiry, multiplier=mult)


def _split_pair(dataname: str, symbol: str, currency: str) -> tuple[str, str]:
    """``EUR.USD`` (or ``EURUSD``) -> (``EUR``, ``USD``); a currency given as well must agree."""
    base, _, quote = symbol.partition(".")
    if not quote and len(symbol) == 6:
        base, quote = symbol[:3], symbol[3:]
    if not quote:
        if _CURRENCY.fullmatch(symbol) and currency:
            return symbol.upper(), currency
        raise IBContractError(dataname, "forex pair", symbol, "CUR1.CUR2 such as EUR.USD")
    if not (_CURRENCY.fullmatch(base) and _CURRENCY.fullmatch(quote)):
        raise IBContractError(dataname, "forex pair", symbol, "CUR1.CUR2 such as EUR.USD")
    base, quote = base.upper(), quote.upper()
    if currency and currency != quote:
        raise IBContractError(dataname, "currency", currency, f"{quote}, the pair's quote currency")
    return base, quote
