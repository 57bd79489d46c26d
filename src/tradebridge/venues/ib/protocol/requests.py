"""Client -> server messages (requests) of the TWS API text protocol, as layouts.

``REQUESTS`` maps the message id to (name, layout). Layouts are for the server versions
this package negotiates (157..178); version-dependent fields carry their range. Learned
from the wire format that ib_async 2.1.0 and the official client (ibapi 10.46) produce.
"""

from __future__ import annotations

from typing import Any

from .layout import F, Rep, Spec, When
from .orders import PLACE_ORDER

__all__ = ["REQUESTS", "REQUEST_IDS", "CONTRACT", "is_bag"]

# conId, symbol, ... tradingClass: the 12 contract fields requests carry
CONTRACT: tuple[Spec, ...] = (
    F("conId", "i"), F("symbol"), F("secType"), F("lastTradeDateOrContractMonth"),
    F("strike", "f"), F("right"), F("multiplier"), F("exchange"), F("primaryExchange"),
    F("currency"), F("localSymbol"), F("tradingClass"),
)


def is_bag(values: Any, _version: int) -> bool:
    """True for a combo (BAG) contract, whose legs follow in the message."""
    return values.get("secType") == "BAG"


_BAG_LEGS = When(is_bag, (Rep("comboLegs", (F("conId", "i"), F("ratio", "i"), F("action"),
                                             F("exchange"))),))
_DELTA_NEUTRAL = (F("deltaNeutral", "b"),
                  When(lambda v, _: bool(v.get("deltaNeutral")),
                       (F("dnConId", "i"), F("dnDelta", "f"), F("dnPrice", "f"))))
_V = F("version", "i")
_REQ = F("reqId", "i")

REQUESTS: dict[int, tuple[str, tuple[Spec, ...]]] = {
    1: ("reqMktData", (_V, _REQ, *CONTRACT, _BAG_LEGS, *_DELTA_NEUTRAL, F("genericTickList"),
                       F("snapshot", "b"), F("regulatorySnapshot", "b"), F("mktDataOptions"))),
    2: ("cancelMktData", (_V, _REQ)),
    3: ("placeOrder", PLACE_ORDER),
    4: ("cancelOrder", (_V, F("orderId", "i"), F("manualOrderCancelTime", since=169))),
    5: ("reqOpenOrders", (_V,)),
    6: ("reqAccountUpdates", (_V, F("subscribe", "b"), F("acctCode"))),
    7: ("reqExecutions", (_V, _REQ, F("clientId", "i"), F("acctCode"), F("time"), F("symbol"),
                          F("secType"), F("exchange"), F("side"))),
    8: ("reqIds", (_V, F("numIds", "i"))),
    9: ("reqContractDetails", (_V, _REQ, *CONTRACT, F("includeExpired", "b"), F("secIdType"),
                               F("secId"), F("issuerId", since=176))),
    15: ("reqAutoOpenOrders", (_V, F("autoBind", "b"))),
    16: ("reqAllOpenOrders", (_V,)),
    17: ("reqManagedAccts", (_V,)),
    20: ("reqHistoricalData", (_REQ, *CONTRACT, F("includeExpired", "b"), F("endDateTime"),
                               F("barSizeSetting"), F("durationStr"), F("useRTH", "i"),
                               F("whatToShow"), F("formatDate", "i"), _BAG_LEGS,
                               F("keepUpToDate", "b"), F("chartOptions"))),
    25: ("cancelHistoricalData", (_V, _REQ)),
    49: ("reqCurrentTime", (_V,)),
    50: ("reqRealTimeBars", (_V, _REQ, *CONTRACT, F("barSize", "i"), F("whatToShow"),
                             F("useRTH", "b"), F("realTimeBarsOptions"))),
    51: ("cancelRealTimeBars", (_V, _REQ)),
    58: ("reqGlobalCancel", (_V,)),
    59: ("reqMarketDataType", (_V, F("marketDataType", "i"))),
    61: ("reqPositions", (_V,)),
    62: ("reqAccountSummary", (_V, _REQ, F("groupName"), F("tags"))),
    63: ("cancelAccountSummary", (_V, _REQ)),
    64: ("cancelPositions", (_V,)),
    71: ("startApi", (_V, F("clientId", "i"), F("optionalCapabilities"))),
    76: ("reqAccountUpdatesMulti", (_V, _REQ, F("account"), F("modelCode"),
                                    F("ledgerAndNLV", "b"))),
    77: ("cancelAccountUpdatesMulti", (_V, _REQ)),
    87: ("reqHeadTimeStamp", (_REQ, *CONTRACT, F("includeExpired", "b"), F("useRTH", "i"),
                              F("whatToShow"), F("formatDate", "i"))),
    90: ("cancelHeadTimeStamp", (_REQ,)),
    99: ("reqCompletedOrders", (F("apiOnly", "b"),)),
}

REQUEST_IDS: dict[str, int] = {name: msg_id for msg_id, (name, _) in REQUESTS.items()}
