"""Orders through ib_async against the sandbox: every order type, brackets, OCA, partial fills,
rejections with IB's reason, cancels, executions with commission reports, positions, account."""

from __future__ import annotations

import datetime as dt

import pytest
from ib_async import IB, LimitOrder, MarketOrder, Order, Stock, StopLimitOrder, StopOrder
from ib_sandbox_helpers import START, run, settle

from tradebridge.orders.fillers import FixedSize
from tradebridge.venues.ib.sandbox.server import SandboxServer

AAPL = Stock("AAPL", "SMART", "USD", conId=265598)


async def _session(**kwargs) -> tuple[SandboxServer, IB]:
    srv = await SandboxServer(port=0, start=kwargs.pop("start", START), **kwargs).start()
    ib = IB()
    await ib.connectAsync(srv.host, srv.port, clientId=1, timeout=5)
    return srv, ib


async def _place(srv: SandboxServer, ib: IB, order: Order, contract=AAPL):
    n = len(srv.exchange.orders)
    trade = ib.placeOrder(contract, order)
    await srv.until(lambda: len(srv.exchange.orders) > n or srv.exchange.orders.get((1, order.orderId)))
    await settle()
    return trade


async def _step(srv: SandboxServer, n: int = 1) -> None:
    await srv.step(n)
    await settle()


async def _close(srv: SandboxServer, ib: IB) -> None:
    ib.disconnect()
    await srv.stop()


def test_market_order_fills_on_the_next_bar_with_execution_commission_position_and_cash():
    async def go():
        srv, ib = await _session()
        trade = await _place(srv, ib, MarketOrder("BUY", 10, orderRef="tb-1"))
        assert trade.orderStatus.status == "Submitted"
        await _step(srv)
        bar = srv.market.tapes["AAPL"].live[0]
        assert trade.orderStatus.status == "Filled" and trade.orderStatus.filled == 10
        (fill,) = trade.fills
        assert fill.execution.price == bar.open and fill.execution.side == "BOT"
        assert fill.execution.orderRef == "tb-1" and fill.execution.acctNumber == "DU000001"
        assert fill.commissionReport.execId == fill.execution.execId
        assert fill.commissionReport.commission == pytest.approx(1.0)  # IB fixed: 1 USD minimum
        (pos,) = ib.positions()
        assert (pos.contract.conId, pos.position) == (265598, 10.0)
        assert pos.avgCost == pytest.approx(bar.open + 0.1)
        cash = {v.tag: float(v.value) for v in ib.accountValues() if v.currency == "USD"}
        assert cash["TotalCashBalance"] == pytest.approx(1_000_000 - 10 * bar.open - 1.0)
        (item,) = ib.portfolio()
        assert item.position == 10 and item.marketPrice == bar.close
        await _close(srv, ib)
    run(go())


def test_limit_stop_and_stop_limit_orders_rest_or_fill_by_price():
    async def go():
        srv, ib = await _session()
        resting = await _place(srv, ib, LimitOrder("BUY", 5, 150.0))
        marketable = await _place(srv, ib, LimitOrder("BUY", 5, 195.0))
        stop_far = await _place(srv, ib, StopOrder("SELL", 5, 150.0))
        stop_hit = await _place(srv, ib, StopOrder("BUY", 5, 189.0))
        stop_limit = await _place(srv, ib, StopLimitOrder("BUY", 5, 195.0, 189.0))
        await _step(srv, 2)
        assert [t.orderStatus.status for t in (resting, marketable, stop_far, stop_hit, stop_limit)] == [
            "Submitted", "Filled", "Submitted", "Filled", "Filled"]
        assert marketable.fills[0].execution.price <= 195.0
        assert stop_limit.fills[0].execution.price <= 195.0
        await _close(srv, ib)
    run(go())


def test_trailing_orders_carry_their_fields_and_a_tight_trail_fires():
    async def go():
        srv, ib = await _session()
        await _place(srv, ib, MarketOrder("BUY", 20))
        await _step(srv)
        trail = await _place(srv, ib, Order(action="SELL", totalQuantity=10, orderType="TRAIL",
                                            auxPrice=0.05, trailStopPrice=189.0))
        trail_limit = await _place(srv, ib, Order(action="SELL", totalQuantity=10, orderType="TRAIL LIMIT",
                                                  trailingPercent=5.0, lmtPriceOffset=0.5,
                                                  trailStopPrice=180.0))
        req = srv.exchange.orders[(1, trail_limit.order.orderId)].req
        assert (req.trailing_percent, req.lmt_price_offset, req.trail_stop_price) == (5.0, 0.5, 180.0)
        assert srv.exchange.orders[(1, trail.order.orderId)].req.aux_price == 0.05
        for _ in range(200):
            await _step(srv, 5)
            if trail.orderStatus.status == "Filled":
                break
        assert trail.orderStatus.status == "Filled"
        peak = max(b.close for b in srv.market.tapes["AAPL"].live)
        assert trail.fills[0].execution.price <= peak
        assert trail_limit.orderStatus.status == "Submitted"
        await _close(srv, ib)
    run(go())


def test_market_on_close_fills_at_the_close_of_the_session_end_bar():
    async def go():
        start = dt.datetime(2026, 11, 24, 20, 59, 30, tzinfo=dt.UTC)  # 15:59:30 in New York
        srv, ib = await _session(start=start)
        trade = await _place(srv, ib, Order(action="BUY", totalQuantity=10, orderType="MOC"))
        await _step(srv, 5)  # bars from 15:59:30 to 15:59:55
        assert trade.orderStatus.status == "Submitted"
        await _step(srv, 1)  # the bar from 15:59:55 to the 16:00:00 close
        assert trade.orderStatus.status == "Filled"
        assert trade.fills[0].execution.price == srv.market.tapes["AAPL"].live[-1].close
        await _close(srv, ib)
    run(go())


def test_bracket_parent_then_children_and_one_child_fill_cancels_the_other():
    async def go():
        srv, ib = await _session()
        parent, take, stop = ib.bracketOrder("BUY", 10, 195.0, 250.0, 100.0)
        trades = [await _place(srv, ib, o) for o in (parent, take, stop)]
        assert [o.transmit for o in (parent, take, stop)] == [False, False, True]
        assert trades[1].order.parentId == parent.orderId
        assert [t.orderStatus.status for t in trades] == ["Submitted", "PreSubmitted", "PreSubmitted"]
        await _step(srv)
        assert [t.orderStatus.status for t in trades] == ["Filled", "Submitted", "Submitted"]
        stop.auxPrice = 300.0  # move the stop above the market: it fires on the next bar
        ib.placeOrder(AAPL, stop)
        await settle(0.1)
        await _step(srv)
        assert trades[2].orderStatus.status == "Filled"
        assert trades[1].orderStatus.status == "Cancelled"
        assert not [p for p in ib.positions() if p.position]
        await _close(srv, ib)
    run(go())


def test_oca_group_fill_cancels_the_rest_of_the_group():
    async def go():
        srv, ib = await _session()
        a = await _place(srv, ib, LimitOrder("BUY", 5, 195.0, ocaGroup="g1", ocaType=1))
        b = await _place(srv, ib, LimitOrder("BUY", 5, 100.0, ocaGroup="g1", ocaType=1))
        await _step(srv)
        assert (a.orderStatus.status, b.orderStatus.status) == ("Filled", "Cancelled")
        await _close(srv, ib)
    run(go())


def test_partial_fills_arrive_as_separate_executions_each_with_a_commission():
    async def go():
        srv, ib = await _session(liquidity=FixedSize(size=30))
        trade = await _place(srv, ib, MarketOrder("BUY", 100))
        seen = []
        trade.statusEvent += lambda t: seen.append((t.orderStatus.status, t.orderStatus.filled))
        await _step(srv, 4)
        assert [f.execution.shares for f in trade.fills] == [30, 30, 30, 10]
        assert [f.execution.cumQty for f in trade.fills] == [30, 60, 90, 100]
        assert all(f.commissionReport.execId == f.execution.execId for f in trade.fills)
        assert ("Submitted", 30) in seen and seen[-1] == ("Filled", 100)
        assert trade.orderStatus.avgFillPrice == pytest.approx(
            sum(f.execution.price * f.execution.shares for f in trade.fills) / 100)
        await _close(srv, ib)
    run(go())


def test_rejection_carries_ibs_code_and_reason():
    async def go():
        srv, ib = await _session()
        srv.reject_next_order("SIMULATED RISK LIMIT")
        trade = await _place(srv, ib, MarketOrder("BUY", 10))
        assert trade.orderStatus.status == "Inactive"
        entry = next(e for e in trade.log if e.errorCode)
        assert entry.errorCode == 201 and "Order rejected - reason:SIMULATED RISK LIMIT" in entry.message
        bad = await _place(srv, ib, Order(action="BUY", totalQuantity=10, orderType="LMT"))
        entry = next(e for e in bad.log if e.errorCode)
        assert entry.errorCode == 321 and "lmtPrice" in entry.message
        await _close(srv, ib)
    run(go())


def test_cancel_and_modify_a_working_order():
    async def go():
        srv, ib = await _session()
        trade = await _place(srv, ib, LimitOrder("BUY", 5, 150.0))
        trade.order.lmtPrice = 151.0
        trade.order.totalQuantity = 7
        ib.placeOrder(AAPL, trade.order)
        await srv.until(lambda: srv.exchange.orders[(1, trade.order.orderId)].req.lmt_price == 151.0)
        assert srv.exchange.orders[(1, trade.order.orderId)].req.total_quantity == 7
        ib.cancelOrder(trade.order)
        await srv.until(lambda: not srv.exchange.orders[(1, trade.order.orderId)].alive)
        await settle()
        assert trade.orderStatus.status == "Cancelled"
        await _close(srv, ib)
    run(go())


def test_a_reconnecting_client_gets_open_orders_executions_with_commissions_and_positions():
    async def go():
        srv, ib = await _session()
        await _place(srv, ib, MarketOrder("BUY", 10, orderRef="a"))
        await _place(srv, ib, LimitOrder("SELL", 4, 500.0, orderRef="b"))
        await _step(srv)
        exec_id = ib.fills()[0].execution.execId
        ib.disconnect()
        await srv.until(lambda: not srv.sessions)
        again = IB()
        await again.connectAsync(srv.host, srv.port, clientId=1, timeout=5)
        assert [t.order.orderRef for t in again.openTrades()] == ["b"]
        (fill,) = again.fills()
        assert fill.execution.execId == exec_id and fill.commissionReport.commission == pytest.approx(1.0)
        assert [(p.contract.conId, p.position) for p in again.positions()] == [(265598, 10.0)]
        completed = await again.reqCompletedOrdersAsync(apiOnly=False)
        assert [t.order.orderRef for t in completed] == ["a"]
        await _close(srv, again)
    run(go())


def test_what_if_order_reports_margin_and_commission_and_places_nothing():
    async def go():
        srv, ib = await _session()
        state = await ib.whatIfOrderAsync(AAPL, LimitOrder("BUY", 100, 190.0))
        assert float(state.initMarginChange) == pytest.approx(19_000.0)
        assert float(state.equityWithLoanBefore) == pytest.approx(1_000_000.0)
        assert state.commission == pytest.approx(1.0) and state.commissionCurrency == "USD"
        assert not srv.exchange.orders and not ib.openTrades()
        await _close(srv, ib)
    run(go())
