"""Server -> client messages (responses and streams) of the TWS API text protocol, as layouts.

``RESPONSES`` maps a message name to (message id, layout) for server versions 157..178.
Fields named ``version`` carry the fixed message version in ``VERSIONS``; the encoder fills
them in, so callers pass only the payload.
"""

from __future__ import annotations

from .layout import F, Rep, Spec
from .orders import COMPLETED_ORDER, OPEN_ORDER

__all__ = ["RESPONSES", "RESPONSE_NAMES", "VERSIONS", "TICK"]

_V = F("version", "i")
_REQ = F("reqId", "i")

# The contract as portfolio/position/execution messages carry it.
_PORTFOLIO_CONTRACT = (F("conId", "i"), F("symbol"), F("secType"), F("lastTradeDateOrContractMonth"),
                       F("strike", "f"), F("right"), F("multiplier"), F("primaryExchange"),
                       F("currency"), F("localSymbol"), F("tradingClass"))
_CONTRACT = (F("conId", "i"), F("symbol"), F("secType"), F("lastTradeDateOrContractMonth"),
             F("strike", "f"), F("right"), F("multiplier"), F("exchange"), F("currency"),
             F("localSymbol"), F("tradingClass"))

_CONTRACT_DETAILS: tuple[Spec, ...] = (
    F("version", "i", until=164), _REQ, F("symbol"), F("secType"),
    F("lastTradeDateOrContractMonth"), F("strike", "f"), F("right"), F("exchange"), F("currency"),
    F("localSymbol"), F("marketName"), F("tradingClass"), F("conId", "i"), F("minTick", "f"),
    F("mdSizeMultiplier", "i", until=164), F("multiplier"), F("orderTypes"), F("validExchanges"),
    F("priceMagnifier", "i"), F("underConId", "i"), F("longName"), F("primaryExchange"),
    F("contractMonth"), F("industry"), F("category"), F("subcategory"), F("timeZoneId"),
    F("tradingHours"), F("liquidHours"), F("evRule"), F("evMultiplier", "i"),
    Rep("secIdList", (F("tag"), F("value"))), F("aggGroup", "i"), F("underSymbol"),
    F("underSecType"), F("marketRuleIds"), F("realExpirationDate"), F("stockType"),
    F("sizeMinTick", "d", since=163, until=164), F("minSize", "d", since=164),
    F("sizeIncrement", "d", since=164), F("suggestedSizeIncrement", "d", since=164),
)

_EXECUTION: tuple[Spec, ...] = (
    _REQ, F("orderId", "i"), *_CONTRACT, F("execId"), F("time"), F("acctNumber"),
    F("exchange"), F("side"), F("shares", "d"), F("price", "f"), F("permId", "i"),
    F("clientId", "i"), F("liquidation", "i"), F("cumQty", "d"), F("avgPrice", "f"),
    F("orderRef"), F("evRule"), F("evMultiplier", "f"), F("modelCode"),
    F("lastLiquidity", "i"), F("pendingPriceRevision", "b", since=178),
)

_BAR = (F("date"), F("open", "f"), F("high", "f"), F("low", "f"), F("close", "f"),
        F("volume", "d"), F("wap", "d"), F("barCount", "i"))

RESPONSES: dict[str, tuple[int, tuple[Spec, ...]]] = {
    "tickPrice": (1, (_V, _REQ, F("tickType", "i"), F("price", "f"), F("size", "d"),
                      F("attrMask", "i"))),
    "tickSize": (2, (_V, _REQ, F("tickType", "i"), F("size", "d"))),
    "orderStatus": (3, (F("orderId", "i"), F("status"), F("filled", "d"), F("remaining", "d"),
                        F("avgFillPrice", "f"), F("permId", "i"), F("parentId", "i"),
                        F("lastFillPrice", "f"), F("clientId", "i"), F("whyHeld"),
                        F("mktCapPrice", "f"))),
    "error": (4, (_V, _REQ, F("errorCode", "i"), F("errorString"),
                  F("advancedOrderRejectJson", since=166))),
    "openOrder": (5, OPEN_ORDER),
    "updateAccountValue": (6, (_V, F("key"), F("val"), F("currency"), F("accountName"))),
    "updatePortfolio": (7, (_V, *_PORTFOLIO_CONTRACT, F("position", "d"), F("marketPrice", "f"),
                            F("marketValue", "f"), F("averageCost", "f"), F("unrealizedPNL", "f"),
                            F("realizedPNL", "f"), F("accountName"))),
    "updateAccountTime": (8, (_V, F("timeStamp"))),
    "nextValidId": (9, (_V, F("orderId", "i"))),
    "contractDetails": (10, _CONTRACT_DETAILS),
    "execDetails": (11, _EXECUTION),
    "managedAccounts": (15, (_V, F("accountsList"))),
    "historicalData": (17, (_REQ, F("startDateStr"), F("endDateStr"), Rep("bars", _BAR))),
    "tickGeneric": (45, (_V, _REQ, F("tickType", "i"), F("value", "f"))),
    "tickString": (46, (_V, _REQ, F("tickType", "i"), F("value"))),
    "currentTime": (49, (_V, F("time", "i"))),
    "realtimeBar": (50, (_V, _REQ, F("time", "i"), F("open", "f"), F("high", "f"), F("low", "f"),
                         F("close", "f"), F("volume", "d"), F("wap", "d"), F("count", "i"))),
    "contractDetailsEnd": (52, (_V, _REQ)),
    "openOrderEnd": (53, (_V,)),
    "accountDownloadEnd": (54, (_V, F("accountName"))),
    "execDetailsEnd": (55, (_V, _REQ)),
    "tickSnapshotEnd": (57, (_V, _REQ)),
    "marketDataType": (58, (_V, _REQ, F("marketDataType", "i"))),
    "commissionReport": (59, (_V, F("execId"), F("commission", "f"), F("currency"),
                              F("realizedPNL", "f"), F("yield_", "f"),
                              F("yieldRedemptionDate", "i"))),
    "position": (61, (_V, F("account"), *_CONTRACT, F("position", "d"), F("avgCost", "f"))),
    "positionEnd": (62, (_V,)),
    "accountSummary": (63, (_V, _REQ, F("account"), F("tag"), F("value"), F("currency"))),
    "accountSummaryEnd": (64, (_V, _REQ)),
    "accountUpdateMulti": (73, (_V, _REQ, F("account"), F("modelCode"), F("key"), F("value"),
                                F("currency"))),
    "accountUpdateMultiEnd": (74, (_V, _REQ)),
    "tickReqParams": (81, (_REQ, F("minTick", "f"), F("bboExchange"),
                           F("snapshotPermissions", "i"))),
    "headTimestamp": (88, (_REQ, F("headTimestamp"))),
    "historicalDataUpdate": (90, (_REQ, F("barCount", "i"), F("date"), F("open", "f"),
                                  F("close", "f"), F("high", "f"), F("low", "f"), F("wap", "d"),
                                  F("volume", "d"))),
    "completedOrder": (101, COMPLETED_ORDER),
    "completedOrdersEnd": (102, ()),
}

# message version the server writes into the ``version`` field
VERSIONS: dict[str, int] = {
    "tickPrice": 6, "tickSize": 6, "error": 2, "updateAccountValue": 2, "updatePortfolio": 8,
    "updateAccountTime": 1, "nextValidId": 1, "contractDetails": 8, "managedAccounts": 1,
    "tickGeneric": 6, "tickString": 6, "currentTime": 1, "realtimeBar": 3,
    "contractDetailsEnd": 1, "openOrderEnd": 1, "accountDownloadEnd": 1, "execDetailsEnd": 1,
    "tickSnapshotEnd": 1, "marketDataType": 1, "commissionReport": 1, "position": 3,
    "positionEnd": 1, "accountSummary": 1, "accountSummaryEnd": 1, "accountUpdateMulti": 1,
    "accountUpdateMultiEnd": 1,
}

RESPONSE_NAMES: dict[int, str] = {msg_id: name for name, (msg_id, _) in RESPONSES.items()}

# tick types the sandbox streams (TWS API TickType numbers)
TICK: dict[str, int] = {
    "BID_SIZE": 0, "BID": 1, "ASK": 2, "ASK_SIZE": 3, "LAST": 4, "LAST_SIZE": 5, "HIGH": 6,
    "LOW": 7, "VOLUME": 8, "CLOSE": 9, "OPEN": 14, "LAST_TIMESTAMP": 45, "RT_VOLUME": 48,
}
