"""The sandbox account: balance, orders, trades, positions and the transaction log (ids 1, 2, 3, ...).

Fills come from :mod:`.matching` (the backtest broker's rules), P&L and commission from
:class:`tradebridge.orders.comminfo.CommInfoBase`. Positions are netted (hedging disabled): a fill
first reduces the opposite trades first-in first-out, then opens a trade with the rest. No I/O:
listeners get each new transaction (the transaction stream subscribes).
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from tradebridge.orders.comminfo import CommInfoBase

from .book import SbOrder, SbTrade, amount, order_json, render, trade_json
from .matching import QuoteView, make_order, match, new_matcher
from .orders import ENTRY_TYPES
from .pricing import Market

__all__ = ["Account"]

_NY = ZoneInfo("America/New_York")
_TRADE_KEYS = {
    "TAKE_PROFIT": "takeProfitOnFill",
    "STOP_LOSS": "stopLossOnFill",
    "TRAILING_STOP_LOSS": "trailingStopLossOnFill",
}


def next_rollover(epoch: float) -> float:
    """The first 17:00 New York time after ``epoch`` (v20's trading day end, GFD expiry, financing)."""
    local = _dt.datetime.fromtimestamp(epoch, _NY)
    roll = local.replace(hour=17, minute=0, second=0, microsecond=0)
    if roll <= local:
        roll = (local + _dt.timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0)
    return roll.timestamp()


class Account:
    """One v20 account on a :class:`Market`."""

    def __init__(
        self,
        market: Market,
        account_id: str = "101-001-0000001-001",
        balance: float = 100_000.0,
        currency: str = "USD",
        commission: float = 0.0,
    ) -> None:
        self.market, self.id, self.currency = market, account_id, currency
        self.specs = {name: s.spec for name, s in market.series.items()}
        self.balance = 0.0
        self.pl = self.financing = self.commission_paid = self.half_spread = 0.0
        self.txns: list[dict[str, Any]] = []
        self.orders: dict[str, SbOrder] = {}
        self.trades: dict[str, SbTrade] = {}
        self.side_stats: dict[tuple[str, str], dict[str, float]] = {}
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self.comm = CommInfoBase(commission=commission, commtype=CommInfoBase.COMM_FIXED, stocklike=False)
        self.matcher = new_matcher()
        self._views = {(n, sign): QuoteView(market, n, sign) for n in self.specs for sign in (-1, 1)}
        self._requests = itertools.count(1)
        self._batch = "0"
        self.created = market.clock
        self._rollover = next_rollover(market.clock)
        self.begin()
        self.txn("CREATE", divisionID=1, siteID=101, accountUserID=1, accountNumber=1, homeCurrency=currency)
        self.balance = balance
        self.txn(
            "TRANSFER_FUNDS",
            amount=amount(balance),
            fundingReason="CLIENT_FUNDING",
            accountBalance=amount(balance),
        )

    # -- transactions -------------------------------------------------------------------

    @property
    def last_id(self) -> str:
        return str(len(self.txns))

    def begin(self) -> None:
        """Start a batch: the transactions of one request share the first one's id."""
        self._batch = str(len(self.txns) + 1)
        self._request = str(next(self._requests))

    def txn(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Append a transaction (next id, the clock's time) and tell the listeners."""
        txn = {
            "id": str(len(self.txns) + 1),
            "time": self.market.clock,
            "userID": 1,
            "accountID": self.id,
            "batchID": self._batch,
            "requestID": self._request,
            "type": kind,
            **fields,
        }
        self.txns.append(txn)
        for listener in list(self.listeners):
            listener(txn)
        return txn

    def since(self, txn_id: int) -> list[dict[str, Any]]:
        """Rendered transactions with an id above ``txn_id``."""
        return [render(t) for t in self.txns[max(0, txn_id) :]]

    # -- numbers ------------------------------------------------------------------------

    def fmt(self, name: str) -> Callable[[float], str]:
        return self.specs[name].fmt

    def conv(self, name: str, which: str = "quote") -> float:
        spec = self.specs[name]
        return self.market.to_home(spec.quote if which == "quote" else spec.base, self.currency)

    def unrealized(self, trade: SbTrade) -> float:
        bid, ask = self.market.quote(trade.instrument)
        close = bid if trade.current_units > 0 else ask
        return self.comm.profitandloss(trade.current_units, trade.price, close) * self.conv(trade.instrument)

    def margin(self, name: str, units: float) -> float:
        return abs(units) * self.conv(name, "base") * self.specs[name].margin_rate

    def open_trades(self, name: str | None = None) -> list[SbTrade]:
        return [
            t for t in self.trades.values() if t.state == "OPEN" and (name is None or t.instrument == name)
        ]

    def totals(self) -> dict[str, float]:
        """unrealizedPL, NAV, marginUsed, positionValue of the account now."""
        upl = sum(self.unrealized(t) for t in self.open_trades())
        used = sum(self.margin(t.instrument, t.current_units) for t in self.open_trades())
        value = sum(abs(t.current_units) * self.conv(t.instrument, "base") for t in self.open_trades())
        return {"unrealizedPL": upl, "NAV": self.balance + upl, "marginUsed": used, "positionValue": value}

    def summary(self) -> dict[str, Any]:
        """The v20 ``AccountSummary``."""
        tot = self.totals()
        avail = max(0.0, tot["NAV"] - tot["marginUsed"])
        closeout = tot["marginUsed"] / 2 / tot["NAV"] if tot["NAV"] > 0 else 0.0
        positions = {t.instrument for t in self.open_trades()}
        return {
            "id": self.id,
            "alias": "tradebridge sandbox",
            "currency": self.currency,
            "balance": amount(self.balance),
            "createdByUserID": 1,
            "createdTime": render({"time": self.created})["time"],
            "guaranteedStopLossOrderMode": "DISABLED",
            "pl": amount(self.pl),
            "resettablePL": amount(self.pl),
            "financing": amount(self.financing),
            "commission": amount(self.commission_paid),
            "guaranteedExecutionFees": "0.0000",
            "marginRate": "0.02",
            "openTradeCount": len(self.open_trades()),
            "openPositionCount": len(positions),
            "pendingOrderCount": len(self.pending()),
            "hedgingEnabled": False,
            "unrealizedPL": amount(tot["unrealizedPL"]),
            "NAV": amount(tot["NAV"]),
            "marginUsed": amount(tot["marginUsed"]),
            "marginAvailable": amount(avail),
            "positionValue": amount(tot["positionValue"]),
            "marginCloseoutUnrealizedPL": amount(tot["unrealizedPL"]),
            "marginCloseoutNAV": amount(tot["NAV"]),
            "marginCloseoutMarginUsed": amount(tot["marginUsed"]),
            "marginCloseoutPercent": f"{closeout:.5f}",
            "marginCloseoutPositionValue": amount(tot["positionValue"]),
            "withdrawalLimit": amount(avail),
            "marginCallMarginUsed": amount(tot["marginUsed"]),
            "marginCallPercent": f"{closeout * 2:.5f}",
            "lastTransactionID": self.last_id,
        }

    def details(self) -> dict[str, Any]:
        """The full v20 ``Account``: the summary plus open trades, positions and pending orders."""
        out = self.summary()
        out["trades"] = [self.trade_json(t, summary=True) for t in self.open_trades()]
        out["positions"] = [self.position_json(n) for n in self.traded_instruments()]
        out["orders"] = [self.order_json(o) for o in self.pending()]
        return out

    # -- JSON views ---------------------------------------------------------------------

    def pending(self, name: str | None = None) -> list[SbOrder]:
        return [
            o
            for o in self.orders.values()
            if o.state == "PENDING" and (name is None or self.instrument_of(o) == name)
        ]

    def instrument_of(self, order: SbOrder) -> str:
        if "instrument" in order.fields:
            return order.fields["instrument"]
        return self.trades[order.fields["tradeID"]].instrument

    def order_json(self, order: SbOrder) -> dict[str, Any]:
        return order_json(order, self.fmt(self.instrument_of(order)))

    def trade_json(self, trade: SbTrade, summary: bool = False) -> dict[str, Any]:
        is_open = trade.state == "OPEN"
        orders = {k: self.order_json(self.orders[oid]) for k, oid in trade.orders.items()}
        return trade_json(
            trade,
            self.fmt(trade.instrument),
            self.unrealized(trade) if is_open else 0.0,
            self.margin(trade.instrument, trade.current_units) if is_open else 0.0,
            orders,
            summary,
        )

    def traded_instruments(self) -> list[str]:
        return sorted({name for name, _ in self.side_stats} | {t.instrument for t in self.open_trades()})

    def position_json(self, name: str) -> dict[str, Any]:
        """The v20 ``Position`` of ``name`` (long and short sides)."""
        sides, total = (
            {},
            {"pl": 0.0, "unrealizedPL": 0.0, "financing": 0.0, "commission": 0.0, "margin": 0.0},
        )
        for side, sign in (("long", 1), ("short", -1)):
            trades = [t for t in self.open_trades(name) if t.current_units * sign > 0]
            stats = self.side_stats.get((name, side), {"pl": 0.0, "financing": 0.0, "commission": 0.0})
            units = sum(t.current_units for t in trades)
            upl = sum(self.unrealized(t) for t in trades)
            sides[side] = {
                "units": str(int(units)),
                "pl": amount(stats["pl"]),
                "unrealizedPL": amount(upl),
                "resettablePL": amount(stats["pl"]),
                "financing": amount(stats["financing"]),
                "guaranteedExecutionFees": "0.0000",
                "tradeIDs": [t.id for t in trades],
            }
            if units:
                sides[side]["averagePrice"] = self.fmt(name)(
                    sum(t.price * t.current_units for t in trades) / units
                )
            for key in ("pl", "financing", "commission"):
                total[key] += stats[key]
            total["unrealizedPL"] += upl
            total["margin"] += self.margin(name, units)
        return {
            "instrument": name,
            "pl": amount(total["pl"]),
            "unrealizedPL": amount(total["unrealizedPL"]),
            "marginUsed": amount(total["margin"]),
            "resettablePL": amount(total["pl"]),
            "financing": amount(total["financing"]),
            "commission": amount(total["commission"]),
            "guaranteedExecutionFees": "0.0000",
            "long": sides["long"],
            "short": sides["short"],
        }

    def _stats(self, name: str, units: float) -> dict[str, float]:
        key = (name, "long" if units > 0 else "short")
        return self.side_stats.setdefault(key, {"pl": 0.0, "financing": 0.0, "commission": 0.0})

    # -- orders: activation, fills, cancels ---------------------------------------------

    def order_units(self, order: SbOrder) -> float:
        """Signed units an order fills now (a trade's orders close what is left of it)."""
        if order.trade_id is not None:
            return -self.trades[order.trade_id].current_units
        return float(order.fields["units"])

    def shadow(self, order: SbOrder) -> None:
        """Give a pending order its tradebridge twin for matching."""
        name, units = self.instrument_of(order), self.order_units(order)
        fields = order.fields
        price = float(fields["price"]) if "price" in fields else None
        if order.type == "STOP_LOSS" and "distance" in fields:
            trade = self.trades[order.trade_id]  # type: ignore[index]
            step = float(fields["distance"])
            price = trade.price - step if trade.current_units > 0 else trade.price + step
        distance = float(fields["distance"]) if order.type == "TRAILING_STOP_LOSS" else None
        order.bt = make_order(self._views[(name, 1 if units > 0 else -1)], order.type, units, price, distance)
        tif = fields.get("timeInForce")
        if tif == "GTD":
            order.expires = float(fields["gtdTime"])
        elif tif == "GFD":
            order.expires = next_rollover(self.market.clock)

    def try_fill(self, order: SbOrder, quote_only: bool, out: dict[str, Any], prefix: str = "order") -> bool:
        """Match ``order``; fill it (or cancel it on a bound/margin violation). True if it ended."""
        if order.bt is None:
            self.shadow(order)
        price = match(self.matcher, order.bt, quote_only)  # type: ignore[arg-type]
        if price is None:
            return False
        bound = order.fields.get("priceBound")
        if bound is not None and (
            price > float(bound) if self.order_units(order) > 0 else price < float(bound)
        ):
            out[f"{prefix}CancelTransaction"] = self.cancel(order, "BOUNDS_VIOLATION")
            return True
        reason = self.margin_problem(order)
        if reason:
            out[f"{prefix}CancelTransaction"] = self.cancel(order, reason)
            return True
        out[f"{prefix}FillTransaction"] = self.fill(order, price)
        return True

    def margin_problem(self, order: SbOrder) -> str | None:
        """INSUFFICIENT_MARGIN when the units this fill would open need more margin than is free."""
        if order.trade_id is not None:
            return None
        name, units = self.instrument_of(order), self.order_units(order)
        opposite = sum(t.current_units for t in self.open_trades(name) if t.current_units * units < 0)
        opening = units + opposite if abs(units) > abs(opposite) else 0.0
        if order.fields.get("positionFill") == "REDUCE_ONLY" or not opening:
            return None
        tot = self.totals()
        needed = tot["marginUsed"] - self.margin(name, opposite) + self.margin(name, opening)
        return "INSUFFICIENT_MARGIN" if needed > tot["NAV"] else None

    def activate(self, order: SbOrder, out: dict[str, Any], prefix: str = "order") -> None:
        """A just-created order: fill it on the current quote, or cancel a FOK/IOC one that cannot."""
        self.shadow(order)
        if not self.try_fill(order, True, out, prefix) and order.fields.get("timeInForce") in ("FOK", "IOC"):
            out[f"{prefix}CancelTransaction"] = self.cancel(order, "TIME_IN_FORCE_EXPIRED")

    def add_order(self, fields: dict[str, Any], reason: str, **extra: Any) -> tuple[SbOrder, dict[str, Any]]:
        """Write the ``<TYPE>_ORDER`` transaction and record the pending order."""
        txn = self.txn(
            f"{fields['type']}_ORDER",
            reason=reason,
            **{k: v for k, v in fields.items() if k != "type"},
            **extra,
        )
        order = SbOrder(
            txn["id"],
            dict(fields, **{k: v for k, v in extra.items() if k == "replacesOrderID"}),
            self.market.clock,
        )
        self.orders[order.id] = order
        if order.trade_id is not None:
            self.trades[order.trade_id].orders[order.type] = order.id
        return order, txn

    def cancel(self, order: SbOrder, reason: str, replaced_by: str | None = None) -> dict[str, Any]:
        """Cancel a pending order (``ORDER_CANCEL`` with ``reason``)."""
        fields: dict[str, Any] = {"orderID": order.id, "reason": reason}
        if order.client_id:
            fields["clientOrderID"] = order.client_id
        if replaced_by:
            fields["replacedByOrderID"] = replaced_by
        txn = self.txn("ORDER_CANCEL", **fields)
        order.state = "CANCELLED"
        order.result.update(cancellingTransactionID=txn["id"], cancelledTime=self.market.clock)
        if replaced_by:
            order.result["replacedByOrderID"] = replaced_by
        if order.trade_id is not None:
            self.trades[order.trade_id].orders.pop(order.type, None)
        return txn

    def fill(self, order: SbOrder, price: float) -> dict[str, Any]:
        """Fill ``order`` at ``price``: reduce/close trades FIFO, open the rest, write ``ORDER_FILL``."""
        name, units = self.instrument_of(order), self.order_units(order)
        conv, (bid, ask) = self.conv(name), self.market.quote(name)
        fill_id = str(len(self.txns) + 1)
        closed, reduced, pl = self._reduce(order, name, units, price, fill_id)
        taken = sum(float(c["units"]) for c in closed) + (float(reduced["units"]) if reduced else 0.0)
        remaining = units - taken
        commission = round(self.comm.getcommission(units, price), 4)  # account currency precision
        self.balance += pl - commission
        self.pl += pl
        self.commission_paid += commission
        self._stats(name, -units if (closed or reduced) else units)["commission"] += commission
        fields = self._fill_fields(order, name, units, price, pl, commission)
        opened = None
        if remaining and order.trade_id is None and order.fields.get("positionFill") != "REDUCE_ONLY":
            half_spread = abs(remaining) * (ask - bid) / 2 * conv
            opened = fields["tradeOpened"] = self._open(order, name, remaining, price, fill_id, half_spread)
        if closed:
            fields["tradesClosed"] = closed
        if reduced:
            fields["tradeReduced"] = reduced
        txn = self.txn("ORDER_FILL", accountBalance=amount(self.balance), **fields)
        order.state = "FILLED"
        order.result.update(fillingTransactionID=txn["id"], filledTime=self.market.clock)
        if opened:
            order.result["tradeOpenedID"] = opened["tradeID"]
        if reduced:
            order.result["tradeReducedID"] = reduced["tradeID"]
        if closed:
            order.result["tradeClosedIDs"] = [c["tradeID"] for c in closed]
        self._after_fill(order, closed, opened, txn["id"])
        return txn

    def _fill_fields(
        self, order: SbOrder, name: str, units: float, price: float, pl: float, commission: float
    ) -> dict[str, Any]:
        """The price, cost and conversion fields of an ``ORDER_FILL``."""
        conv, (bid, ask), fmt = self.conv(name), self.market.quote(name), self.fmt(name)
        fields: dict[str, Any] = {
            "orderID": order.id,
            "instrument": name,
            "units": str(int(units)),
            "price": fmt(price),
            "fullVWAP": fmt(price),
            "reason": self._fill_reason(order),
            "pl": amount(pl),
            "financing": "0.0000",
            "commission": amount(commission),
            "guaranteedExecutionFee": "0.0000",
            "halfSpreadCost": amount(abs(units) * (ask - bid) / 2 * conv),
            "gainQuoteHomeConversionFactor": f"{conv:.8f}",
            "lossQuoteHomeConversionFactor": f"{conv:.8f}",
            "fullPrice": self.market.client_price(name, self.currency),
        }
        if order.client_id:
            fields["clientOrderID"] = order.client_id
        return fields

    def _fill_reason(self, order: SbOrder) -> str:
        close = order.fields.get("tradeClose")
        if order.type == "MARKET" and close is not None:
            return "MARKET_ORDER_TRADE_CLOSE"
        if order.type == "MARKET" and (
            "longPositionCloseout" in order.fields or "shortPositionCloseout" in order.fields
        ):
            return "MARKET_ORDER_POSITION_CLOSEOUT"
        return f"{order.type}_ORDER"

    def _reduce(
        self, order: SbOrder, name: str, units: float, price: float, fill_id: str
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None, float]:
        """Reduce/close the trades this fill offsets (FIFO, or the order's own trade)."""
        targets = self._targets(order, name)
        closed, reduced, total = [], None, 0.0
        remaining, conv, fmt = units, self.conv(name), self.fmt(name)
        for trade in targets:
            if not remaining or trade.current_units * remaining >= 0:
                continue
            take = -trade.current_units if abs(remaining) >= abs(trade.current_units) else remaining
            pl = round(self.comm.profitandloss(-take, trade.price, price) * conv, 4)
            self._stats(name, trade.current_units)["pl"] += pl
            trade.current_units += take
            trade.realized_pl += pl
            trade.closing_ids.append(fill_id)
            trade.close_value += abs(take) * price
            trade.closed_units += abs(take)
            remaining -= take
            total += pl
            row = {
                "tradeID": trade.id,
                "units": str(int(take)),
                "price": fmt(price),
                "realizedPL": amount(pl),
                "financing": "0.0000",
                "guaranteedExecutionFee": "0.0000",
                "halfSpreadCost": "0.0000",
            }
            if trade.current_units:
                reduced = row
            else:
                trade.state, trade.close_time = "CLOSED", self.market.clock
                closed.append(row)
        return closed, reduced, total

    def _targets(self, order: SbOrder, name: str) -> list[SbTrade]:
        if order.trade_id is not None:
            return [self.trades[order.trade_id]]
        close = order.fields.get("tradeClose")
        if close is not None:
            return [self.trades[close["tradeID"]]]
        if order.fields.get("positionFill") == "OPEN_ONLY":
            return []
        return sorted(self.open_trades(name), key=lambda t: int(t.id))

    def _open(
        self, order: SbOrder, name: str, units: float, price: float, fill_id: str, half_spread: float
    ) -> dict[str, Any]:
        margin = self.margin(name, units)
        ext = order.fields.get("tradeClientExtensions")
        self.trades[fill_id] = SbTrade(fill_id, name, price, self.market.clock, units, units, margin, ext)
        self._stats(name, units)
        opened = {
            "tradeID": fill_id,
            "units": str(int(units)),
            "price": self.fmt(name)(price),
            "guaranteedExecutionFee": "0.0000",
            "halfSpreadCost": amount(half_spread),
            "initialMarginRequired": amount(margin),
        }
        if ext:
            opened["clientExtensions"] = ext
        return opened

    def _after_fill(
        self, order: SbOrder, closed: list[dict[str, Any]], opened: dict[str, Any] | None, fill_id: str
    ) -> None:
        """Cancel the orders of closed trades; create the on-fill orders of an opened trade."""
        for row in closed:
            trade = self.trades[row["tradeID"]]
            for oid in list(trade.orders.values()):
                if self.orders[oid].state == "PENDING" and oid != order.id:
                    self.cancel(self.orders[oid], "LINKED_TRADE_CLOSED")
            trade.orders.clear()
        if opened is None or order.type not in ENTRY_TYPES:
            return
        for kind, key in _TRADE_KEYS.items():
            details = order.fields.get(key)
            if details is not None:
                fields = {
                    "type": kind,
                    "tradeID": opened["tradeID"],
                    "triggerCondition": "DEFAULT",
                    **details,
                }
                self.shadow(self.add_order(fields, "ON_FILL", orderFillTransactionID=fill_id)[0])

    # -- time -----------------------------------------------------------------------------

    def on_step(self, updated: list[str]) -> None:
        """A new bar for ``updated`` instruments: expire, match and trail their pending orders;
        charge daily financing when the clock passes 17:00 New York."""
        if updated:
            self.begin()
        for order in sorted(self.pending(), key=lambda o: int(o.id)):
            if order.state != "PENDING" or self.instrument_of(order) not in updated:
                continue
            if order.expires is not None and self.market.clock >= order.expires:
                self.cancel(order, "TIME_IN_FORCE_EXPIRED")
                continue
            self.try_fill(order, False, {})
        if self.market.clock >= self._rollover:
            self._rollover = next_rollover(self.market.clock)
            self._charge_financing()

    def _charge_financing(self) -> None:
        """One ``DAILY_FINANCING`` over the open trades (yearly rates / 365, in the home currency)."""
        per_instrument: dict[str, list[dict[str, str]]] = {}
        total = 0.0
        for trade in self.open_trades():
            spec = self.specs[trade.instrument]
            rate = spec.financing_long if trade.current_units > 0 else spec.financing_short
            value = round(abs(trade.current_units) * self.conv(trade.instrument, "base") * rate / 365.0, 4)
            trade.financing += value
            self._stats(trade.instrument, trade.current_units)["financing"] += value
            per_instrument.setdefault(trade.instrument, []).append(
                {"tradeID": trade.id, "financing": amount(value)}
            )
            total += value
        if not per_instrument:
            return
        self.begin()
        self.balance += total
        self.financing += total
        rows = [
            {
                "instrument": n,
                "financing": amount(sum(float(r["financing"]) for r in rs)),
                "openTradeFinancings": rs,
            }
            for n, rs in per_instrument.items()
        ]
        self.txn(
            "DAILY_FINANCING",
            financing=amount(total),
            accountBalance=amount(self.balance),
            accountFinancingMode="DAILY",
            positionFinancings=rows,
        )
