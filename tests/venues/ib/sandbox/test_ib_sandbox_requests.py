"""More requests through ib_async: an older negotiated version, keep-up-to-date history, account
summary, head timestamp, the master client 0 seeing other clients' orders, the threaded host."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from ib_async import IB, LimitOrder, MarketOrder, Stock
from ib_sandbox_helpers import START, run, settle

from tradebridge.venues.ib.sandbox.server import SandboxServer, start_in_thread

AAPL = Stock("AAPL", "SMART", "USD", conId=265598)


@pytest.mark.parametrize("version", [163, 170, 176])
def test_a_client_capped_at_an_older_version_trades_with_the_older_layouts(version):
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = IB()
            ib.client.MaxClientVersion = version  # e.g. 176: faProfile, no pendingPriceRevision
            await ib.connectAsync(srv.host, srv.port, clientId=1, timeout=5)
            assert ib.client.serverVersion() == version
            (details,) = await ib.reqContractDetailsAsync(AAPL)
            assert (details.contract.conId, details.minTick, details.longName) == (265598, 0.01, "APPLE INC")
            assert details.marketRuleIds == "26" and details.stockType == "COMMON"
            errors = []
            ib.errorEvent += lambda req_id, code, text, contract: errors.append(code)
            await ib.reqContractDetailsAsync(Stock("NOPE", "SMART", "USD"))
            assert errors == [200]
            trade = ib.placeOrder(AAPL, LimitOrder("BUY", 3, 195.0, orderRef="v176"))
            await srv.until(lambda: srv.exchange.orders)
            await srv.step()
            await settle()
            assert trade.orderStatus.status == "Filled" and trade.fills[0].execution.orderRef == "v176"
            assert trade.fills[0].commissionReport.commission > 0
            ib.disconnect()
    run(go())


def test_keep_up_to_date_history_streams_the_forming_bar():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = IB()
            await ib.connectAsync(srv.host, srv.port, clientId=1, timeout=5)
            bars = await ib.reqHistoricalDataAsync(AAPL, "", "600 S", "1 min", "TRADES", True,
                                                   keepUpToDate=True)
            count = len(bars)
            await srv.step(3)
            await settle()
            live = srv.market.tapes["AAPL"].live
            assert len(bars) == count + 1  # one new minute bar, updated in place
            assert bars[-1].date.astimezone(dt.UTC) == START
            assert (bars[-1].open, bars[-1].close) == (live[0].open, live[2].close)
            ib.cancelHistoricalData(bars)
            await srv.until(lambda: not srv.sessions[1].history_live)
            ib.disconnect()
    run(go())


def test_account_summary_and_head_timestamp():
    async def go():
        async with SandboxServer(port=0, start=START, cash=250_000.0) as srv:
            ib = IB()
            await ib.connectAsync(srv.host, srv.port, clientId=1, timeout=5)
            summary = await ib.accountSummaryAsync()
            tags = {(v.tag, v.currency): v.value for v in summary}
            assert float(tags[("NetLiquidation", "USD")]) == 250_000.0
            assert all(v.account == "DU000001" for v in summary)
            head = await ib.reqHeadTimeStampAsync(AAPL, "TRADES", True, 1)
            assert head.year == START.year - 20
            ib.disconnect()
    run(go())


def test_master_client_zero_sees_orders_of_other_clients():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            master = IB()
            await master.connectAsync(srv.host, srv.port, clientId=0, timeout=5)
            other = IB()
            await other.connectAsync(srv.host, srv.port, clientId=4, timeout=5)
            other.placeOrder(AAPL, MarketOrder("BUY", 2, orderRef="from-4"))
            await srv.until(lambda: srv.exchange.orders)
            await srv.step()
            await settle(0.1)
            seen = [(t.order.clientId, t.order.orderRef, t.orderStatus.status) for t in master.trades()]
            assert seen == [(4, "from-4", "Filled")]
            other.disconnect()
            master.disconnect()
    run(go())


def test_threaded_sandbox_serves_a_synchronous_caller_and_stops():
    box = start_in_thread(start=START)
    loop = asyncio.new_event_loop()  # ib_async's blocking calls run on the caller's loop
    asyncio.set_event_loop(loop)
    try:
        ib = IB()
        errors = []
        ib.errorEvent += lambda req_id, code, text, contract: errors.append(code)
        ib.connect(box.host, box.port, clientId=1, timeout=5)
        assert ib.managedAccounts() == ["DU000001"]
        box.step(2)
        assert box.server.now() == START + dt.timedelta(seconds=10)
        box.run(box.server.send_error, 1100)
        ib.sleep(0.1)
        assert errors == [1100]
        ib.disconnect()
        ib.sleep(0.05)
    finally:
        box.stop()
        loop.close()
        asyncio.set_event_loop(None)
    assert box.loop.is_closed()


def test_frames_given_by_name_add_stock_and_forex_instruments():
    from tradebridge.utils.synthetic import synthetic_ohlcv

    frames = {"MSFT": synthetic_ohlcv(50, seed=1, freq="D"), "GBP.USD": synthetic_ohlcv(50, seed=2, freq="D")}
    srv = SandboxServer(port=0, start=START, data=frames)
    msft, gbp = srv.instruments["MSFT"].contract, srv.instruments["GBP.USD"].contract
    assert (msft.sec_type, msft.exchange, msft.currency) == ("STK", "SMART", "USD")
    assert (gbp.symbol, gbp.currency, gbp.sec_type, gbp.exchange) == ("GBP", "USD", "CASH", "IDEALPRO")
    assert srv.market.tapes["GBP.USD"].price == frames["GBP.USD"]["open"].iloc[40]
    assert sorted(srv.instruments) == ["AAPL", "EUR.USD", "GBP.USD", "MSFT"]
