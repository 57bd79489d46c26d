"""The official IB client (ibapi: EClient/EWrapper on its own reader thread) against the sandbox:
handshake, contract details, history, an order through its life; replies checked field by field."""

from __future__ import annotations

import queue
import threading
from decimal import Decimal
from typing import Any

import pytest
from ib_sandbox_helpers import START
from ibapi.client import EClient
from ibapi.contract import Contract
from ibapi.execution import ExecutionFilter
from ibapi.order import Order
from ibapi.order_cancel import OrderCancel
from ibapi.wrapper import EWrapper

from tradebridge.venues.ib.sandbox.server import start_in_thread

_WAIT = 10.0


class _App(EWrapper, EClient):
    """Records every callback as (name, args) in a queue the test reads."""

    def __init__(self) -> None:
        EWrapper.__init__(self)
        EClient.__init__(self, wrapper=self)
        self.inbox: queue.Queue[tuple[str, tuple[Any, ...]]] = queue.Queue()

    def _put(self, name: str, *args: Any) -> None:
        self.inbox.put((name, args))

    def nextValidId(self, orderId):
        self._put("nextValidId", orderId)

    def managedAccounts(self, accountsList):
        self._put("managedAccounts", accountsList)

    def error(self, reqId, errorTime, errorCode, errorString, advancedOrderRejectJson=""):
        self._put("error", reqId, errorCode, errorString)

    def contractDetails(self, reqId, contractDetails):
        self._put("contractDetails", reqId, contractDetails)

    def contractDetailsEnd(self, reqId):
        self._put("contractDetailsEnd", reqId)

    def historicalData(self, reqId, bar):
        self._put("historicalData", reqId, bar)

    def historicalDataEnd(self, reqId, start, end):
        self._put("historicalDataEnd", reqId, start, end)

    def orderStatus(self, orderId, status, filled, remaining, avgFillPrice, permId, parentId,
                    lastFillPrice, clientId, whyHeld, mktCapPrice):
        self._put("orderStatus", orderId, status, filled, remaining, avgFillPrice, permId, parentId,
                  lastFillPrice, clientId)

    def openOrder(self, orderId, contract, order, orderState):
        self._put("openOrder", orderId, contract, order, orderState)

    def openOrderEnd(self):
        self._put("openOrderEnd")

    def execDetails(self, reqId, contract, execution):
        self._put("execDetails", reqId, contract, execution)

    def execDetailsEnd(self, reqId):
        self._put("execDetailsEnd", reqId)

    def commissionAndFeesReport(self, commissionAndFeesReport):
        self._put("commission", commissionAndFeesReport)

    def position(self, account, contract, position, avgCost):
        self._put("position", account, contract, position, avgCost)

    def positionEnd(self):
        self._put("positionEnd")

    def realtimeBar(self, reqId, time, open_, high, low, close, volume, wap, count):
        self._put("realtimeBar", reqId, time, open_, high, low, close, volume, wap, count)

    def currentTime(self, time):
        self._put("currentTime", time)

    def completedOrder(self, contract, order, orderState):
        self._put("completedOrder", contract, order, orderState)

    def tickPrice(self, reqId, tickType, price, attrib):
        self._put("tickPrice", reqId, tickType, price)

    def tickSize(self, reqId, tickType, size):
        self._put("tickSize", reqId, tickType, size)

    def tickString(self, reqId, tickType, value):
        self._put("tickString", reqId, tickType, value)

    def tickReqParams(self, tickerId, minTick, bboExchange, snapshotPermissions):
        self._put("tickReqParams", tickerId, minTick, bboExchange, snapshotPermissions)

    def marketDataType(self, reqId, marketDataType):
        self._put("marketDataType", reqId, marketDataType)

    def tickSnapshotEnd(self, reqId):
        self._put("tickSnapshotEnd", reqId)

    def updateAccountValue(self, key, val, currency, accountName):
        self._put("updateAccountValue", key, val, currency, accountName)

    def updatePortfolio(self, contract, position, marketPrice, marketValue, averageCost, unrealizedPNL,
                        realizedPNL, accountName):
        self._put("updatePortfolio", contract, position, marketPrice, marketValue, averageCost, accountName)

    def updateAccountTime(self, timeStamp):
        self._put("updateAccountTime", timeStamp)

    def accountDownloadEnd(self, accountName):
        self._put("accountDownloadEnd", accountName)

    def accountSummary(self, reqId, account, tag, value, currency):
        self._put("accountSummary", reqId, account, tag, value, currency)

    def accountSummaryEnd(self, reqId):
        self._put("accountSummaryEnd", reqId)

    def accountUpdateMulti(self, reqId, account, modelCode, key, value, currency):
        self._put("accountUpdateMulti", reqId, account, modelCode, key, value, currency)

    def accountUpdateMultiEnd(self, reqId):
        self._put("accountUpdateMultiEnd", reqId)

    def take(self, name: str) -> tuple[Any, ...]:
        """The args of the next ``name`` callback (others are skipped)."""
        while True:
            got, args = self.inbox.get(timeout=_WAIT)
            if got == name:
                return args
            if got == "error" and args[1] not in (202,):
                raise AssertionError(f"unexpected error while waiting for {name}: {args}")

    def collect(self, name: str, end: str) -> list[tuple[Any, ...]]:
        """Every ``name`` callback until the ``end`` one."""
        out = []
        while True:
            got, args = self.inbox.get(timeout=_WAIT)
            if got == end:
                return out
            if got == name:
                out.append(args)


@pytest.fixture(params=[178, 176], ids=["v178", "v176"])
def sandbox_app(request):
    box = start_in_thread(start=START, versions=(157, request.param))
    app = _App()
    app.connect(box.host, box.port, clientId=11)
    reader = threading.Thread(target=app.run, daemon=True)
    reader.start()
    try:
        yield box, app
    finally:
        # server first: the client's loop then ends on its own (disconnecting it while its loop
        # still decodes a message trips ibapi on its reset server version)
        box.stop()
        reader.join(5)
        app.disconnect()


def _aapl() -> Contract:
    c = Contract()
    c.symbol, c.secType, c.exchange, c.currency = "AAPL", "STK", "SMART", "USD"
    return c


def test_official_client_handshake_accounts_and_time(sandbox_app):
    box, app = sandbox_app
    assert app.serverVersion() == box.server.versions[1]
    assert app.take("managedAccounts") == ("DU000001",)
    assert app.take("nextValidId")[0] >= 1
    app.reqCurrentTime()
    assert app.take("currentTime") == (int(START.timestamp()),)


def test_official_client_contract_details_field_by_field(sandbox_app):
    box, app = sandbox_app
    app.reqContractDetails(7, _aapl())
    ((req_id, cd),) = app.collect("contractDetails", "contractDetailsEnd")
    c = cd.contract
    assert req_id == 7
    assert (c.conId, c.symbol, c.secType, c.exchange, c.primaryExchange, c.currency) == (
        265598, "AAPL", "STK", "SMART", "NASDAQ", "USD")
    assert (c.localSymbol, c.tradingClass, cd.marketName) == ("AAPL", "NMS", "NMS")
    assert cd.minTick == 0.01 and cd.priceMagnifier == 1 and cd.longName == "APPLE INC"
    assert cd.timeZoneId == "America/New_York" and cd.stockType == "COMMON"
    assert (cd.minSize, cd.sizeIncrement, cd.suggestedSizeIncrement) == (
        Decimal("1.0"), Decimal("1.0"), Decimal("100.0"))
    assert "STP LMT" in cd.orderTypes.split(",") and "NASDAQ" in cd.validExchanges
    fx = Contract()
    fx.symbol, fx.secType, fx.exchange, fx.currency = "EUR", "CASH", "IDEALPRO", "USD"
    app.reqContractDetails(8, fx)
    ((_, eur),) = app.collect("contractDetails", "contractDetailsEnd")
    assert (eur.contract.conId, eur.contract.localSymbol, eur.minTick) == (12087792, "EUR.USD", 5e-05)


def test_official_client_historical_and_real_time_bars(sandbox_app):
    box, app = sandbox_app
    app.reqHistoricalData(3, _aapl(), "", "1800 S", "5 mins", "TRADES", 1, 2, False, [])
    bars = app.collect("historicalData", "historicalDataEnd")
    assert len(bars) == 6 and all(r == 3 for r, _ in bars)
    times = [int(b.date) for _, b in bars]
    assert times == [int(START.timestamp()) - 300 * (6 - i) for i in range(6)]
    assert all(b.low <= b.open <= b.high and isinstance(b.volume, Decimal) for _, b in bars)
    assert bars[-1][1].close == 190.0
    app.reqRealTimeBars(4, _aapl(), 5, "TRADES", False, [])
    box.run(lambda: None)  # the request is in once a later call on the server's loop returns
    box.step(2)
    first = app.take("realtimeBar")
    second = app.take("realtimeBar")
    tape = box.server.market.tapes["AAPL"].live
    assert first[:6] == (4, int(START.timestamp()), tape[0].open, tape[0].high, tape[0].low, tape[0].close)
    assert second[1] == int(START.timestamp()) + 5


def test_official_client_order_life_open_order_status_execution_commission_position(sandbox_app):
    box, app = sandbox_app
    order_id = app.take("nextValidId")[0]
    order = Order()
    order.action, order.orderType, order.totalQuantity = "BUY", "MKT", Decimal(25)
    order.orderRef = "official-1"
    app.placeOrder(order_id, _aapl(), order)
    (oid, contract, echoed, state) = app.take("openOrder")
    assert (oid, contract.conId, echoed.action, echoed.orderType) == (order_id, 265598, "BUY", "MKT")
    assert (echoed.totalQuantity, echoed.orderRef, echoed.clientId, state.status) == (
        Decimal("25.0"), "official-1", 11, "Submitted")
    status = app.take("orderStatus")
    assert status[:4] == (order_id, "Submitted", Decimal("0.0"), Decimal("25.0"))
    box.step()
    bar = box.server.market.tapes["AAPL"].live[0]
    seen = []
    while "commission" not in dict(seen) or not any(n == "orderStatus" and a[1] == "Filled" for n, a in seen):
        seen.append(app.inbox.get(timeout=_WAIT))
    names = [name for name, _ in seen]
    assert names.index("execDetails") < names.index("commission")  # a report follows its fill
    (req_id, contract, execution) = dict(seen)["execDetails"]
    assert (req_id, contract.symbol, execution.orderId, execution.side) == (-1, "AAPL", order_id, "BOT")
    assert (execution.shares, execution.price) == (Decimal("25.0"), bar.open)
    assert execution.cumQty == Decimal("25.0")
    assert (execution.clientId, execution.acctNumber, execution.orderRef) == (11, "DU000001", "official-1")
    report = dict(seen)["commission"][0]
    assert report.execId == execution.execId and report.commissionAndFees == pytest.approx(1.0)
    assert report.currency == "USD"
    filled = next(a for n, a in seen if n == "orderStatus" and a[1] == "Filled")
    assert filled[2:5] == (Decimal("25.0"), Decimal("0.0"), bar.open)
    app.reqPositions()
    (account, contract, size, avg) = app.take("position")
    assert (account, contract.conId, size) == ("DU000001", 265598, Decimal("25.0"))
    assert avg == pytest.approx(bar.open + 1.0 / 25)
    app.reqCompletedOrders(False)
    (contract, done, state) = app.take("completedOrder")
    assert (done.orderRef, state.status, done.filledQuantity) == ("official-1", "Filled", Decimal("25.0"))


def test_official_client_cancel_and_reject(sandbox_app):
    box, app = sandbox_app
    order_id = app.take("nextValidId")[0]
    order = Order()
    order.action, order.orderType, order.totalQuantity, order.lmtPrice = "BUY", "LMT", Decimal(5), 100.0
    app.placeOrder(order_id, _aapl(), order)
    app.take("openOrder")
    app.cancelOrder(order_id, OrderCancel())
    while (args := app.inbox.get(timeout=_WAIT))[0] != "error":
        pass
    assert args[1][:2] == (order_id, 202)
    box.run(box.server.reject_next_order, "NO TRADING TODAY")
    app.placeOrder(order_id + 1, _aapl(), order)
    while (args := app.inbox.get(timeout=_WAIT))[0] != "error":
        pass
    assert args[1] == (order_id + 1, 201, "Order rejected - reason:NO TRADING TODAY")


def test_official_client_market_data_ticks_and_snapshot(sandbox_app):
    box, app = sandbox_app
    app.reqMktData(21, _aapl(), "", False, False, [])
    assert app.take("tickReqParams") == (21, 0.01, "9c0001", 3)
    assert app.take("marketDataType") == (21, 1)
    prices = {}
    while len(prices) < 4:
        req_id, tick_type, price = app.take("tickPrice")
        prices[tick_type] = price
    assert prices == {1: 189.99, 2: 190.01, 4: 190.0, 9: 190.0}  # bid, ask, last, close
    box.step()
    bar = box.server.market.tapes["AAPL"].live[0]
    assert app.take("tickString") == (21, 45, str(int(START.timestamp()) + 5))
    assert app.take("tickSize")[1:] == (8, Decimal(str(bar.volume)))
    app.cancelMktData(21)
    app.reqMktData(22, _aapl(), "", True, False, [])
    assert app.take("tickSnapshotEnd") == (22,)


def test_official_client_account_updates_summary_and_multi(sandbox_app):
    box, app = sandbox_app
    app.reqAccountUpdates(True, "DU000001")
    values = {}
    while True:
        name, args = app.inbox.get(timeout=_WAIT)
        if name == "updateAccountValue":
            values[(args[0], args[2])] = args[1]
        elif name == "accountDownloadEnd":
            assert args == ("DU000001",)
            break
    assert float(values[("NetLiquidation", "USD")]) == 1_000_000.0
    assert values[("AccountCode", "")] == "DU000001"
    app.reqAccountSummary(31, "All", "NetLiquidation,TotalCashValue")
    rows = app.collect("accountSummary", "accountSummaryEnd")
    assert {(r[0], r[1], r[2]) for r in rows} >= {(31, "DU000001", "NetLiquidation")}
    assert all(r[2] in ("NetLiquidation", "TotalCashValue") for r in rows)
    app.reqAccountUpdatesMulti(32, "DU000001", "", False)
    multi = app.collect("accountUpdateMulti", "accountUpdateMultiEnd")
    assert ("NetLiquidation", "1000000.00", "USD") in {(m[3], m[4], m[5]) for m in multi}


def test_official_client_portfolio_update_after_a_fill(sandbox_app):
    box, app = sandbox_app
    order_id = app.take("nextValidId")[0]
    app.reqAccountUpdates(True, "DU000001")
    app.take("accountDownloadEnd")
    order = Order()
    order.action, order.orderType, order.totalQuantity = "BUY", "MKT", Decimal(10)
    app.placeOrder(order_id, _aapl(), order)
    app.take("openOrder")
    box.step()
    (contract, position, price, value, avg_cost, account) = app.take("updatePortfolio")
    assert (contract.conId, position, account) == (265598, Decimal("10.0"), "DU000001")
    assert value == pytest.approx(float(position) * price)
    app.reqOpenOrders()
    assert app.take("openOrderEnd") == ()
    app.reqExecutions(41, ExecutionFilter())
    (req_id, contract, execution) = app.take("execDetails")
    assert (req_id, execution.orderId, execution.shares) == (41, order_id, Decimal("10.0"))
    assert app.take("execDetailsEnd") == (41,)
