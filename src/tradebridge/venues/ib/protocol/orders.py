"""The three large order messages: placeOrder (client -> server), openOrder and
completedOrder (server -> client), as layouts for server versions 157..178."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .layout import UNSET_DOUBLE, F, ProtocolError, Rep, Spec, When

__all__ = ["PLACE_ORDER", "OPEN_ORDER", "COMPLETED_ORDER", "CONDITION_FIELDS"]


def _has(name: str) -> Any:
    return lambda v, _ver: bool(v.get(name))


def _order_type_in(*types: str) -> Any:
    return lambda v, _ver: v.get("orderType") in types


def _scale(v: Mapping[str, Any], _ver: int) -> bool:
    inc = v.get("scalePriceIncrement")
    return inc is not None and 0 < inc < UNSET_DOUBLE


# Order conditions: type -> fields after the type (conjunction "a"/"o" first)
CONDITION_FIELDS: dict[int, tuple[Spec, ...]] = {
    1: (F("conjunction"), F("isMore", "b"), F("price", "f"), F("conId", "i"), F("exch"),
        F("triggerMethod", "i")),
    3: (F("conjunction"), F("isMore", "b"), F("time")),
    4: (F("conjunction"), F("isMore", "b"), F("percent", "i")),
    5: (F("conjunction"), F("secType"), F("exch"), F("symbol")),
    6: (F("conjunction"), F("isMore", "b"), F("volume", "i"), F("conId", "i"), F("exch")),
    7: (F("conjunction"), F("isMore", "b"), F("changePercent", "f"), F("conId", "i"), F("exch")),
}


def _known_condition(v: Mapping[str, Any], _ver: int) -> bool:
    if v.get("condType") not in CONDITION_FIELDS:
        raise ProtocolError(f"order condition type {v.get('condType')!r} is unknown "
                            f"(known: {sorted(CONDITION_FIELDS)})")
    return False


def _cond_type(kind: int) -> Any:
    return lambda v, _ver: v.get("condType") == kind


_CONDITIONS: tuple[Spec, ...] = (
    Rep("conditions", (F("condType", "i"), When(_known_condition, ()),
                       *(When(_cond_type(t), body) for t, body in CONDITION_FIELDS.items()))),
    When(_has("conditions"), (F("conditionsIgnoreRth", "b"), F("conditionsCancelOrder", "b"))),
)
_TAGS = (F("tag"), F("value"))
_COMBO_LEG = (F("conId", "i"), F("ratio", "i"), F("action"), F("exchange"), F("openClose", "i"),
              F("shortSaleSlot", "i"), F("designatedLocation"), F("exemptCode", "i"))
_COMBO_LEGS = (Rep("comboLegs", _COMBO_LEG), Rep("orderComboLegs", (F("price", "f"),)),
               Rep("smartComboRoutingParams", _TAGS))
_SCALE = (F("scaleInitLevelSize", "i"), F("scaleSubsLevelSize", "i"), F("scalePriceIncrement", "f"),
          When(_scale, (F("scalePriceAdjustValue", "f"), F("scalePriceAdjustInterval", "i"),
                        F("scaleProfitOffset", "f"), F("scaleAutoReset", "b"),
                        F("scaleInitPosition", "i"), F("scaleInitFillQty", "i"),
                        F("scaleRandomPercent", "b"))))
_HEDGE = (F("hedgeType"), When(_has("hedgeType"), (F("hedgeParam"),)))
_DELTA_NEUTRAL_CONTRACT = (F("deltaNeutral", "b"),
                           When(_has("deltaNeutral"), (F("dnConId", "i"), F("dnDelta", "f"),
                                                       F("dnPrice", "f"))))
_ALGO = (F("algoStrategy"), When(_has("algoStrategy"), (Rep("algoParams", _TAGS),)))
_PEG_BENCH = When(_order_type_in("PEG BENCH", "PEGBENCH"),
                  (F("referenceContractId", "i"), F("isPeggedChangeAmountDecrease", "b"),
                   F("peggedChangeAmount", "f"), F("referenceChangeAmount", "f"),
                   F("referenceExchangeId")))
_PEG_BEST_MID_OUT = (F("minTradeQty", "i", since=170), F("minCompeteSize", "i", since=170),
                     F("competeAgainstBestOffset", "f", since=170),
                     F("midOffsetAtWhole", "f", since=170), F("midOffsetAtHalf", "f", since=170))
_FA = (F("faGroup"), F("faMethod"), F("faPercentage"), F("faProfile", until=177))
_CONTRACT_OUT = (F("conId", "i"), F("symbol"), F("secType"), F("lastTradeDateOrContractMonth"),
                 F("strike", "f"), F("right"), F("multiplier"), F("exchange"), F("currency"),
                 F("localSymbol"), F("tradingClass"))
_ORDER_HEAD = (F("action"), F("totalQuantity", "d"), F("orderType"), F("lmtPrice", "f"),
               F("auxPrice", "f"), F("tif"), F("ocaGroup"), F("account"), F("openClose"),
               F("origin", "i"), F("orderRef"))


def _mid_offsets(v: Mapping[str, Any], _ver: int) -> bool:
    if v.get("orderType") in ("PEG MID", "PEGMID"):
        return True
    return v.get("orderType") in ("PEG BEST", "PEGBEST") and v.get("competeAgainstBestOffset") == float("inf")


PLACE_ORDER: tuple[Spec, ...] = (
    F("orderId", "i"), F("conId", "i"), F("symbol"), F("secType"), F("lastTradeDateOrContractMonth"),
    F("strike", "f"), F("right"), F("multiplier"), F("exchange"), F("primaryExchange"),
    F("currency"), F("localSymbol"), F("tradingClass"), F("secIdType"), F("secId"),
    *_ORDER_HEAD, F("transmit", "b"), F("parentId", "i"), F("blockOrder", "b"),
    F("sweepToFill", "b"), F("displaySize", "i"), F("triggerMethod", "i"), F("outsideRth", "b"),
    F("hidden", "b"),
    When(lambda v, _ver: v.get("secType") == "BAG",
         (Rep("comboLegs", _COMBO_LEG), Rep("orderComboLegs", (F("price", "f"),)),
          Rep("smartComboRoutingParams", _TAGS))),
    F("sharesAllocation"), F("discretionaryAmt", "f"), F("goodAfterTime"), F("goodTillDate"), *_FA,
    F("modelCode"), F("shortSaleSlot", "i"), F("designatedLocation"), F("exemptCode", "i"),
    F("ocaType", "i"), F("rule80A"), F("settlingFirm"), F("allOrNone", "b"), F("minQty", "i"),
    F("percentOffset", "f"), F("eTradeOnly", "b"), F("firmQuoteOnly", "b"), F("nbboPriceCap", "f"),
    F("auctionStrategy", "i"), F("startingPrice", "f"), F("stockRefPrice", "f"), F("delta", "f"),
    F("stockRangeLower", "f"), F("stockRangeUpper", "f"), F("overridePercentageConstraints", "b"),
    F("volatility", "f"), F("volatilityType", "i"), F("deltaNeutralOrderType"),
    F("deltaNeutralAuxPrice", "f"),
    When(_has("deltaNeutralOrderType"),
         (F("deltaNeutralConId", "i"), F("deltaNeutralSettlingFirm"),
          F("deltaNeutralClearingAccount"), F("deltaNeutralClearingIntent"),
          F("deltaNeutralOpenClose"), F("deltaNeutralShortSale", "b"),
          F("deltaNeutralShortSaleSlot", "i"), F("deltaNeutralDesignatedLocation"))),
    F("continuousUpdate", "b"), F("referencePriceType", "i"), F("trailStopPrice", "f"),
    F("trailingPercent", "f"), *_SCALE, F("scaleTable"), F("activeStartTime"), F("activeStopTime"),
    *_HEDGE, F("optOutSmartRouting", "b"), F("clearingAccount"), F("clearingIntent"),
    F("notHeld", "b"), *_DELTA_NEUTRAL_CONTRACT, *_ALGO, F("algoId"), F("whatIf", "b"),
    F("orderMiscOptions"), F("solicited", "b"), F("randomizeSize", "b"), F("randomizePrice", "b"),
    _PEG_BENCH, *_CONDITIONS,
    F("adjustedOrderType"), F("triggerPrice", "f"), F("lmtPriceOffset", "f"),
    F("adjustedStopPrice", "f"), F("adjustedStopLimitPrice", "f"), F("adjustedTrailingAmount", "f"),
    F("adjustableTrailingUnit", "i"), F("extOperator"), F("softDollarTierName"),
    F("softDollarTierValue"), F("cashQty", "f"), F("mifid2DecisionMaker"),
    F("mifid2DecisionAlgo"), F("mifid2ExecutionTrader"), F("mifid2ExecutionAlgo"),
    F("dontUseAutoPriceForHedge", "b"), F("isOmsContainer", "b"),
    F("discretionaryUpToLimitPrice", "b"), F("usePriceMgmtAlgo", "b"),
    F("duration", "i", since=158), F("postToAts", "i", since=160),
    F("autoCancelParent", "b", since=162), F("advancedErrorOverride", since=166),
    F("manualOrderTime", since=169),
    When(lambda v, ver: ver >= 170 and v.get("exchange") == "IBKRATS", (F("minTradeQty", "i"),)),
    When(lambda v, ver: ver >= 170 and v.get("orderType") in ("PEG BEST", "PEGBEST"),
         (F("minCompeteSize", "i"), F("competeAgainstBestOffset", "f"))),
    When(lambda v, ver: ver >= 170 and _mid_offsets(v, ver),
         (F("midOffsetAtWhole", "f"), F("midOffsetAtHalf", "f"))),
)

_ORDER_STATE = (F("status"), F("initMarginBefore"), F("maintMarginBefore"),
                F("equityWithLoanBefore"), F("initMarginChange"), F("maintMarginChange"),
                F("equityWithLoanChange"), F("initMarginAfter"), F("maintMarginAfter"),
                F("equityWithLoanAfter"), F("commission", "f"), F("minCommission", "f"),
                F("maxCommission", "f"), F("commissionCurrency"), F("warningText"))

OPEN_ORDER: tuple[Spec, ...] = (
    F("orderId", "i"), *_CONTRACT_OUT, *_ORDER_HEAD, F("clientId", "i"), F("permId", "i"),
    F("outsideRth", "b"), F("hidden", "b"), F("discretionaryAmt", "f"), F("goodAfterTime"),
    F("sharesAllocation"), *_FA, F("modelCode"), F("goodTillDate"), F("rule80A"),
    F("percentOffset", "f"), F("settlingFirm"), F("shortSaleSlot", "i"), F("designatedLocation"),
    F("exemptCode", "i"), F("auctionStrategy", "i"), F("startingPrice", "f"),
    F("stockRefPrice", "f"), F("delta", "f"), F("stockRangeLower", "f"), F("stockRangeUpper", "f"),
    F("displaySize", "i"), F("blockOrder", "b"), F("sweepToFill", "b"), F("allOrNone", "b"),
    F("minQty", "i"), F("ocaType", "i"), F("eTradeOnly", "b"), F("firmQuoteOnly", "b"),
    F("nbboPriceCap", "f"), F("parentId", "i"), F("triggerMethod", "i"), F("volatility", "f"),
    F("volatilityType", "i"), F("deltaNeutralOrderType"), F("deltaNeutralAuxPrice", "f"),
    When(_has("deltaNeutralOrderType"),
         (F("deltaNeutralConId", "i"), F("deltaNeutralSettlingFirm"),
          F("deltaNeutralClearingAccount"), F("deltaNeutralClearingIntent"),
          F("deltaNeutralOpenClose"), F("deltaNeutralShortSale", "b"),
          F("deltaNeutralShortSaleSlot", "i"), F("deltaNeutralDesignatedLocation"))),
    F("continuousUpdate", "b"), F("referencePriceType", "i"), F("trailStopPrice", "f"),
    F("trailingPercent", "f"), F("basisPoints", "f"), F("basisPointsType", "i"),
    F("comboLegsDescrip"), *_COMBO_LEGS, *_SCALE, *_HEDGE, F("optOutSmartRouting", "b"),
    F("clearingAccount"), F("clearingIntent"), F("notHeld", "b"), *_DELTA_NEUTRAL_CONTRACT,
    *_ALGO, F("solicited", "b"), F("whatIf", "b"), *_ORDER_STATE, F("randomizeSize", "b"),
    F("randomizePrice", "b"), _PEG_BENCH, *_CONDITIONS,
    F("adjustedOrderType"), F("triggerPrice", "f"), F("trailStopPrice", "f"),
    F("lmtPriceOffset", "f"), F("adjustedStopPrice", "f"), F("adjustedStopLimitPrice", "f"),
    F("adjustedTrailingAmount", "f"), F("adjustableTrailingUnit", "i"), F("softDollarTierName"),
    F("softDollarTierValue"), F("softDollarTierDisplayName"), F("cashQty", "f"),
    F("dontUseAutoPriceForHedge", "b"), F("isOmsContainer", "b"),
    F("discretionaryUpToLimitPrice", "b"), F("usePriceMgmtAlgo", "b"),
    F("duration", "i", since=158), F("postToAts", "i", since=160),
    F("autoCancelParent", "b", since=162), *_PEG_BEST_MID_OUT,
)

COMPLETED_ORDER: tuple[Spec, ...] = (
    *_CONTRACT_OUT, *_ORDER_HEAD, F("permId", "i"), F("outsideRth", "b"), F("hidden", "b"),
    F("discretionaryAmt", "f"), F("goodAfterTime"), *_FA, F("modelCode"), F("goodTillDate"),
    F("rule80A"), F("percentOffset", "f"), F("settlingFirm"), F("shortSaleSlot", "i"),
    F("designatedLocation"), F("exemptCode", "i"), F("startingPrice", "f"),
    F("stockRefPrice", "f"), F("delta", "f"), F("stockRangeLower", "f"), F("stockRangeUpper", "f"),
    F("displaySize", "i"), F("sweepToFill", "b"), F("allOrNone", "b"), F("minQty", "i"),
    F("ocaType", "i"), F("triggerMethod", "i"), F("volatility", "f"), F("volatilityType", "i"),
    F("deltaNeutralOrderType"), F("deltaNeutralAuxPrice", "f"),
    When(_has("deltaNeutralOrderType"),
         (F("deltaNeutralConId", "i"), F("deltaNeutralShortSale", "b"),
          F("deltaNeutralShortSaleSlot", "i"), F("deltaNeutralDesignatedLocation"))),
    F("continuousUpdate", "b"), F("referencePriceType", "i"), F("trailStopPrice", "f"),
    F("trailingPercent", "f"), F("comboLegsDescrip"), *_COMBO_LEGS, *_SCALE, *_HEDGE,
    F("clearingAccount"), F("clearingIntent"), F("notHeld", "b"), *_DELTA_NEUTRAL_CONTRACT,
    *_ALGO, F("solicited", "b"), F("status"), F("randomizeSize", "b"), F("randomizePrice", "b"),
    _PEG_BENCH, *_CONDITIONS, F("trailStopPrice", "f"), F("lmtPriceOffset", "f"),
    F("cashQty", "f"), F("dontUseAutoPriceForHedge", "b"), F("isOmsContainer", "b"),
    F("autoCancelDate"), F("filledQuantity", "d"), F("refFuturesConId", "i"),
    F("autoCancelParent", "b"), F("shareholder"), F("imbalanceOnly", "b"),
    F("routeMarketableToBbo", "b"), F("parentPermId", "i"), F("completedTime"),
    F("completedStatus"), *_PEG_BEST_MID_OUT,
)
