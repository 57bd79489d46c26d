"""Pure translation between the sandbox's world and TWS API message values.

Exchange events (``events.py``) become (message name, values) pairs the codec encodes;
placeOrder values become an ``OrderRequest``; instruments become contractDetails values.
No I/O here, so every mapping is testable on its own.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from ..protocol.layout import UNSET_DOUBLE
from .events import (
    AccountValue,
    CommissionEvent,
    Contract,
    ErrorEvent,
    ExecFilter,
    ExecutionEvent,
    OpenOrder,
    OrderRequest,
    OrderStatus,
    PortfolioValue,
    PositionUpdate,
)

__all__ = ["event_message", "order_request", "contract_values", "contract_details", "ib_time",
           "exec_filter", "parse_ib_time", "ORDER_TYPES"]

ORDER_TYPES = "LMT,MKT,MOC,LOC,STP,STP LMT,TRAIL,TRAIL LIMIT,REL,MIT,LIT"
_SEC_TYPE_INFO: dict[str, dict[str, Any]] = {
    "STK": {"validExchanges": "SMART,NASDAQ,NYSE,ARCA,BATS,IEX", "stockType": "COMMON",
            "minSize": 1.0, "sizeIncrement": 1.0, "suggestedSizeIncrement": 100.0,
            "marketRuleIds": "26", "industry": "Technology", "category": "Computers",
            "subcategory": "Computers"},
    "CASH": {"validExchanges": "IDEALPRO", "stockType": "", "minSize": 1.0, "sizeIncrement": 1.0,
             "suggestedSizeIncrement": 1000.0, "marketRuleIds": "239", "industry": "",
             "category": "", "subcategory": ""},
}
_LONG_NAMES = {"AAPL": "APPLE INC", "EUR.USD": "European Monetary Union Euro"}

# fields of placeOrder the exchange's OrderRequest takes, IB name -> dataclass name
_ORDER_FIELDS = {
    "action": "action", "totalQuantity": "total_quantity", "orderType": "order_type",
    "lmtPrice": "lmt_price", "auxPrice": "aux_price", "tif": "tif", "goodTillDate": "good_till_date",
    "parentId": "parent_id", "transmit": "transmit", "ocaGroup": "oca_group", "ocaType": "oca_type",
    "orderRef": "order_ref", "account": "account", "trailStopPrice": "trail_stop_price",
    "trailingPercent": "trailing_percent", "lmtPriceOffset": "lmt_price_offset",
    "outsideRth": "outside_rth",
}
_EXTRA_KEPT = ("secType", "symbol", "conId", "exchange", "currency", "localSymbol", "whatIf",
               "hidden", "displaySize", "goodAfterTime", "cashQty")


def ib_time(when: _dt.datetime, tz: str = "UTC") -> str:
    """``YYYYMMDD HH:MM:SS <zone>`` in ``tz``: how TWS writes times (execution and bar times)."""
    from zoneinfo import ZoneInfo

    local = when.astimezone(ZoneInfo(tz))
    return f"{local:%Y%m%d %H:%M:%S} {tz}"


def parse_ib_time(text: str) -> _dt.datetime:
    """A TWS time: ``YYYYMMDD HH:MM:SS[ zone]`` (UTC without a zone) or ``YYYYMMDD-HH:MM:SS`` (UTC)."""
    from zoneinfo import ZoneInfo

    text = text.strip()
    try:
        if "-" in text[:9]:
            return _dt.datetime.strptime(text, "%Y%m%d-%H:%M:%S").replace(tzinfo=_dt.UTC)
        parts = text.split()
        when = _dt.datetime.strptime(" ".join(parts[:2]), "%Y%m%d %H:%M:%S")
        zone = ZoneInfo(parts[2]) if len(parts) > 2 else _dt.UTC
        return when.replace(tzinfo=zone).astimezone(_dt.UTC)
    except (ValueError, KeyError) as exc:
        raise ValueError(f"time {text!r}: expected 'YYYYMMDD HH:MM:SS[ zone]'") from exc


def exec_filter(values: Mapping[str, Any]) -> ExecFilter:
    """The exchange's ExecFilter from decoded reqExecutions values."""
    when = values.get("time") or ""
    return ExecFilter(client_id=values.get("clientId") or 0, acct_code=values.get("acctCode") or "",
                      time=parse_ib_time(when) if when else None, symbol=values.get("symbol") or "",
                      sec_type=values.get("secType") or "", exchange=values.get("exchange") or "",
                      side=values.get("side") or "")


def _num(value: float | None) -> float | None:
    """None for IB's "unset" double, the value otherwise."""
    return None if value is None or value >= UNSET_DOUBLE else value


def order_request(values: Mapping[str, Any]) -> OrderRequest:
    """The exchange's OrderRequest from decoded placeOrder values (unset prices become None)."""
    kwargs: dict[str, Any] = {}
    for ib_name, name in _ORDER_FIELDS.items():
        value = values.get(ib_name)
        if value is None or value == "":
            continue
        if isinstance(value, float):
            value = _num(value)
            if value is None:
                continue
        kwargs[name] = value
    kwargs["extra"] = {k: values.get(k) for k in _EXTRA_KEPT if values.get(k) not in (None, "")}
    return OrderRequest(**kwargs)


def contract_values(contract: Contract) -> dict[str, Any]:
    """The contract fields of openOrder/execDetails/position/updatePortfolio messages."""
    return {"conId": contract.con_id, "symbol": contract.symbol, "secType": contract.sec_type,
            "lastTradeDateOrContractMonth": contract.last_trade_date, "strike": contract.strike,
            "right": contract.right, "multiplier": contract.multiplier, "exchange": contract.exchange,
            "primaryExchange": contract.primary_exchange, "currency": contract.currency,
            "localSymbol": contract.local_symbol, "tradingClass": contract.trading_class}


def contract_details(req_id: int, contract: Contract, min_tick: float, tz: str,
                     day: _dt.date) -> dict[str, Any]:
    """contractDetails values for one listed contract (trading hours around ``day``)."""
    info = _SEC_TYPE_INFO.get(contract.sec_type, _SEC_TYPE_INFO["STK"])
    name = contract.local_symbol or contract.symbol
    if contract.sec_type == "CASH":
        hours = ";".join(f"{d:%Y%m%d}:1715-{d + _dt.timedelta(days=1):%Y%m%d}:1700"
                         for d in (day, day + _dt.timedelta(days=1)))
        liquid = hours
    else:
        hours = ";".join(f"{d:%Y%m%d}:0400-{d:%Y%m%d}:2000" for d in (day, day + _dt.timedelta(days=1)))
        liquid = ";".join(f"{d:%Y%m%d}:0930-{d:%Y%m%d}:1600" for d in (day, day + _dt.timedelta(days=1)))
    return {
        **contract_values(contract), **info, "reqId": req_id, "marketName": contract.trading_class,
        "minTick": min_tick, "orderTypes": ORDER_TYPES, "priceMagnifier": 1, "underConId": 0,
        "longName": _LONG_NAMES.get(name, name), "contractMonth": "", "timeZoneId": tz,
        "tradingHours": hours, "liquidHours": liquid, "evRule": "", "evMultiplier": 0,
        "secIdList": [], "aggGroup": 1 if contract.sec_type == "STK" else 4, "underSymbol": "",
        "underSecType": "", "realExpirationDate": "",
    }


def _open_order(ev: OpenOrder) -> tuple[str, dict[str, Any]]:
    o = ev.order
    values = {
        **contract_values(ev.contract), "orderId": ev.order_id, "clientId": ev.client_id,
        "permId": ev.perm_id, "action": o.action, "totalQuantity": o.total_quantity,
        "orderType": o.order_type, "lmtPrice": o.lmt_price, "auxPrice": o.aux_price, "tif": o.tif,
        "ocaGroup": o.oca_group, "ocaType": o.oca_type, "account": o.account, "openClose": "",
        "origin": 0, "orderRef": o.order_ref, "outsideRth": o.outside_rth, "goodTillDate": o.good_till_date,
        "parentId": o.parent_id, "trailStopPrice": o.trail_stop_price,
        "trailingPercent": o.trailing_percent, "lmtPriceOffset": o.lmt_price_offset,
        "exemptCode": -1, "triggerMethod": 0, "volatilityType": 0, "referencePriceType": 0,
        "status": ev.status, "commission": _num(ev.commission),
        "commissionCurrency": ev.commission_currency, "warningText": ev.warning_text,
        "filledQuantity": ev.filled, "completedTime": ev.completed_time,
        "completedStatus": ev.completed_status, "softDollarTierName": "", "usePriceMgmtAlgo": False,
    }
    return ("completedOrder" if ev.completed else "openOrder"), values


def _execution(ev: ExecutionEvent) -> tuple[str, dict[str, Any]]:
    x = ev.execution
    return "execDetails", {
        **contract_values(ev.contract), "reqId": ev.req_id, "orderId": x.order_id,
        "execId": x.exec_id, "time": ib_time(x.time), "acctNumber": x.acct_number,
        "exchange": x.exchange, "side": x.side, "shares": x.shares, "price": x.price,
        "permId": x.perm_id, "clientId": x.client_id, "liquidation": x.liquidation,
        "cumQty": x.cum_qty, "avgPrice": x.avg_price, "orderRef": x.order_ref, "evRule": x.ev_rule,
        "evMultiplier": x.ev_multiplier, "modelCode": x.model_code, "lastLiquidity": x.last_liquidity,
        "pendingPriceRevision": False,
    }


def event_message(event: Any) -> tuple[str, dict[str, Any]]:
    """(TWS message name, values) for one exchange event."""
    if isinstance(event, OrderStatus):
        return "orderStatus", {
            "orderId": event.order_id, "status": event.status, "filled": event.filled,
            "remaining": event.remaining, "avgFillPrice": event.avg_fill_price,
            "permId": event.perm_id, "parentId": event.parent_id,
            "lastFillPrice": event.last_fill_price, "clientId": event.client_id,
            "whyHeld": event.why_held, "mktCapPrice": event.mkt_cap_price}
    if isinstance(event, OpenOrder):
        return _open_order(event)
    if isinstance(event, ExecutionEvent):
        return _execution(event)
    if isinstance(event, CommissionEvent):
        r = event.report
        return "commissionReport", {"execId": r.exec_id, "commission": r.commission,
                                    "currency": r.currency, "realizedPNL": r.realized_pnl,
                                    "yield_": r.yield_, "yieldRedemptionDate": r.yield_redemption_date}
    if isinstance(event, ErrorEvent):
        return "error", {"reqId": event.req_id, "errorCode": event.code, "errorString": event.text,
                         "advancedOrderRejectJson": ""}
    if isinstance(event, AccountValue):
        return "updateAccountValue", {"key": event.key, "val": event.value,
                                      "currency": event.currency, "accountName": event.account}
    if isinstance(event, PortfolioValue):
        return "updatePortfolio", {
            **contract_values(event.contract), "position": event.position,
            "marketPrice": event.market_price, "marketValue": event.market_value,
            "averageCost": event.average_cost, "unrealizedPNL": event.unrealized_pnl,
            "realizedPNL": event.realized_pnl, "accountName": event.account}
    if isinstance(event, PositionUpdate):
        return "position", {**contract_values(event.contract), "account": event.account,
                            "position": event.position, "avgCost": event.avg_cost}
    raise TypeError(f"no TWS message for exchange event {type(event).__name__}")
