"""IB error codes users meet: what each means, how bad it is, what to do, and the exception to raise.

TWS reports everything (farm status notes, lost connections, rejected orders) through one
``error(reqId, code, text)`` callback. :func:`classify` turns a code (and, for the few codes
IB reuses, its text) into an :class:`ErrorInfo` from the tables below; :func:`make_error`
builds the matching exception with a message that says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CODES",
    "ErrorInfo",
    "IBClientIdError",
    "IBConnectError",
    "IBConnectivityError",
    "IBContractNotFoundError",
    "IBDataError",
    "IBError",
    "IBNotSubscribedError",
    "IBOrderError",
    "IBPacingError",
    "KINDS",
    "SEVERITIES",
    "classify",
    "make_error",
]

KINDS = ("informational", "connectivity", "order", "data", "request", "fatal")
SEVERITIES = ("info", "warning", "error", "fatal")

PORTS_HELP = ("TWS live 7496, TWS paper 7497, IB Gateway live 4001, IB Gateway paper 4002")


class IBError(Exception):
    """An error reported by TWS / IB Gateway (``code`` and ``text`` as IB sent them)."""

    def __init__(self, code: int, text: str = "", req_id: int = -1, info: ErrorInfo | None = None) -> None:
        self.code, self.text, self.req_id = code, text, req_id
        self.info = info if info is not None else classify(code, text)
        reason = f": {text.rstrip('.')}" if text else ""
        advice = f" {self.info.advice}" if self.info.advice else ""
        super().__init__(f"IB error {code} ({self.info.title}){reason}.{advice}")


class IBConnectError(IBError, ConnectionError):
    """The API connection could not be made or was refused."""


class IBClientIdError(IBConnectError):
    """The clientId is already used by another connection to the same TWS / Gateway."""


class IBConnectivityError(IBError):
    """TWS lost (or regained) its own connection to IB's servers."""


class IBPacingError(IBError):
    """A historical-data pacing violation (error 162): wait and ask again."""


class IBDataError(IBError):
    """A market or historical data request failed."""


class IBContractNotFoundError(IBDataError):
    """No security definition matches the contract (error 200)."""


class IBNotSubscribedError(IBDataError):
    """The account has no market data subscription for this contract."""


class IBOrderError(IBError):
    """An order was rejected, cancelled by IB, or could not be modified/cancelled."""


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What an IB code means: kind, severity, a short title, advice, exception class, data status."""

    code: int
    kind: str
    severity: str
    title: str
    advice: str = ""
    exc: type[IBError] = IBError
    data_status: str = ""  # the DataBase status a data on this request moves to ('' = none)


def _info(code: int, kind: str, severity: str, title: str, advice: str = "",
          exc: type[IBError] = IBError, data_status: str = "") -> tuple[int, ErrorInfo]:
    return code, ErrorInfo(code, kind, severity, title, advice, exc, data_status)


_FARM_OK = "informational: a TWS data farm connection is fine; nothing to do"
_FARM_BROKEN = "TWS lost a data farm connection; it reconnects by itself, data may pause"

CODES: dict[int, ErrorInfo] = dict([
    _info(502, "fatal", "fatal", "cannot connect to TWS / IB Gateway",
          "Is TWS or IB Gateway running and logged in? Is the API enabled (Configure > API > Settings > "
          "'Enable ActiveX and Socket Clients')? Is the port right (" + PORTS_HELP + ") and 127.0.0.1 a "
          "trusted IP?", IBConnectError),
    _info(504, "connectivity", "error", "not connected",
          "Connect (or wait for the reconnect) before sending.",
          IBConnectError),
    _info(326, "fatal", "fatal", "clientId already in use",
          "Another program (or a run still exiting) uses this clientId on this TWS/Gateway: choose another "
          "clientId, or leave clientId=None for a random one.", IBClientIdError),
    _info(1100, "connectivity", "warning", "connectivity between IB and TWS lost",
          "TWS keeps retrying; datas are CONNBROKEN until IB answers again (1101/1102).",
          IBConnectivityError, "CONNBROKEN"),
    _info(1101, "connectivity", "warning", "connectivity restored, market data lost",
          "Data subscriptions are renewed and the gap is backfilled.", IBConnectivityError, "LIVE"),
    _info(1102, "connectivity", "info", "connectivity restored, data maintained", "",
          IBConnectivityError, "LIVE"),
    _info(1300, "connectivity", "warning", "TWS socket port reset", "Reconnect on the new port.",
          IBConnectivityError, "CONNBROKEN"),
    _info(2110, "connectivity", "warning", "connectivity between TWS and server broken",
          "TWS restores it by itself.", IBConnectivityError),
    _info(162, "data", "error", "historical data request failed",
          "Check the request (dates, bar size, what).",
          IBDataError),
    _info(165, "informational", "info", "historical data service message"),
    _info(366, "informational", "info", "no historical data query for this request id"),
    _info(200, "data", "error", "no security definition found",
          "Check the dataname: symbol, sectype, exchange, currency, expiry (e.g. AAPL-STK-SMART-USD, "
          "EUR.USD-CASH-IDEALPRO, ES-202612-GLOBEX-USD).", IBContractNotFoundError, "NOTSUBSCRIBED"),
    _info(321, "request", "error", "request rejected by TWS validation",
          "The text says which field is wrong."),
    _info(354, "data", "error", "market data not subscribed",
          "Subscribe to this market's data in Account Management, or accept delayed data.",
          IBNotSubscribedError, "NOTSUBSCRIBED"),
    _info(420, "data", "error", "invalid real-time query (pacing or permissions)",
          "Fewer simultaneous real-time bar requests, or check data permissions.", IBPacingError),
    _info(10167, "data", "warning", "displaying delayed market data",
          "No live subscription: data is delayed 15-20 minutes.", IBDataError, "DELAYED"),
    _info(10168, "data", "error", "market data not subscribed and delayed data not enabled",
          "Subscribe to the data, or enable delayed data (reqMarketDataType 3).",
          IBNotSubscribedError, "NOTSUBSCRIBED"),
    _info(10089, "data", "error", "market data requires an additional subscription",
          "The text names the subscription; add it in Account Management.", IBNotSubscribedError,
          "NOTSUBSCRIBED"),
    _info(10090, "data", "warning", "part of the market data is not subscribed",
          "Some ticks (e.g. depth or one exchange) are missing.", IBDataError),
    _info(10197, "data", "warning", "no market data during a competing live session",
          "Another session (TWS/mobile) holds the data subscription.", IBDataError, "DELAYED"),
    _info(201, "order", "error", "order rejected", "IB's reason is above; the order is Rejected.",
          IBOrderError),
    _info(202, "order", "info", "order cancelled", "IB's reason (if any) is above.", IBOrderError),
    _info(103, "order", "error", "duplicate order id", "Order ids must grow; the store resyncs them.",
          IBOrderError),
    _info(104, "order", "error", "cannot modify a filled order", "", IBOrderError),
    _info(105, "order", "error", "order being modified does not match the original", "", IBOrderError),
    _info(110, "order", "error", "price does not conform to the minimum tick",
          "Round prices to the contract's minTick.", IBOrderError),
    _info(135, "order", "error", "order id not found", "", IBOrderError),
    _info(161, "order", "error", "cancel attempted when the order is not cancellable", "", IBOrderError),
    _info(203, "order", "error", "security not available or allowed for this account", "", IBOrderError),
    _info(399, "order", "info", "order message (warning)", "", IBOrderError),
    _info(10147, "order", "error", "order to cancel not found", "", IBOrderError),
    _info(10148, "order", "error", "order cannot be cancelled in its state", "", IBOrderError),
    _info(2100, "informational", "info", "account data unsubscribed"),
    _info(2103, "informational", "warning", "market data farm connection broken", _FARM_BROKEN),
    _info(2104, "informational", "info", "market data farm connection OK", _FARM_OK),
    _info(2105, "informational", "warning", "historical data farm connection broken", _FARM_BROKEN),
    _info(2106, "informational", "info", "historical data farm connection OK", _FARM_OK),
    _info(2107, "informational", "info", "historical data farm inactive, available on demand", _FARM_OK),
    _info(2108, "informational", "info", "market data farm inactive, available on demand", _FARM_OK),
    _info(2109, "informational", "warning", "order outside regular trading hours ignored (outsideRth)"),
    _info(2119, "informational", "info", "market data farm connecting"),
    _info(2157, "informational", "warning", "security definition server connection broken", _FARM_BROKEN),
    _info(2158, "informational", "info", "security definition server connection OK", _FARM_OK),
])

# Codes IB reuses for different things: (code, lower-case text fragment) -> the finer meaning.
_REFINED: dict[tuple[int, str], ErrorInfo] = {
    (162, "pacing violation"): ErrorInfo(
        162, "data", "warning", "historical data pacing violation",
        "IB allows at most 60 historical requests per 10 minutes, none identical within 15 s and 6 for one "
        "contract within 2 s; the request is retried later.", IBPacingError),
    (162, "no data"): ErrorInfo(162, "data", "info", "historical data query returned no data",
                                "Nothing to download for that period.", IBDataError),
    (162, "cancelled"): ErrorInfo(162, "informational", "info", "historical data query cancelled"),
}

# Codes not listed: ranges IB documents (TWS 'warning' codes 2100-2199, system 1100-1399).
_RANGES: tuple[tuple[range, str, str], ...] = (
    (range(2100, 2200), "informational", "info"),
    (range(1100, 1400), "connectivity", "warning"),
)


def classify(code: int, text: str = "") -> ErrorInfo:
    """The meaning of IB error ``code`` (its ``text`` refines codes IB reuses, such as 162)."""
    lowered = text.lower()
    for (rcode, fragment), info in _REFINED.items():
        if rcode == code and fragment in lowered:
            return info
    if code in CODES:
        return CODES[code]
    for span, kind, severity in _RANGES:
        if code in span:
            return ErrorInfo(code, kind, severity, "TWS message")
    return ErrorInfo(code, "request", "error", "request failed", "The text says why.")


def make_error(code: int, text: str = "", req_id: int = -1) -> IBError:
    """The exception for an IB error, of the class its code calls for, with advice in the message."""
    info = classify(code, text)
    return info.exc(code, text, req_id, info)
