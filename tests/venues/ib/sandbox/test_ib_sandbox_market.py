"""ib_async against the real sandbox on a loopback port: connect, accounts, contract details,
historical bars, real-time bars and ticks, several clients, state across reconnects."""

from __future__ import annotations

import asyncio
import datetime as dt

from ib_async import IB, Forex, LimitOrder, Stock
from ib_sandbox_helpers import START, run, settle

from tradebridge.venues.ib.sandbox.server import SandboxServer


async def _connect(srv: SandboxServer, client_id: int = 1) -> IB:
    ib = IB()
    await ib.connectAsync(srv.host, srv.port, clientId=client_id, timeout=5)
    return ib


def test_ib_async_connects_and_gets_the_managed_account_and_next_id():
    async def go():
        async with SandboxServer(port=0, start=START, account="DU777") as srv:
            ib = await _connect(srv)
            assert ib.isConnected() and ib.client.serverVersion() == 178
            assert ib.managedAccounts() == ["DU777"]
            assert ib.client.getReqId() >= 1
            values = {(v.tag, v.currency): v.value for v in ib.accountValues()}
            assert float(values[("NetLiquidation", "USD")]) == 1_000_000.0
            assert (await ib.reqCurrentTimeAsync()) == START
            ib.disconnect()
    run(go())


def test_contract_details_for_aapl_and_eurusd():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _connect(srv)
            (aapl,) = await ib.reqContractDetailsAsync(Stock("AAPL", "SMART", "USD"))
            c = aapl.contract
            assert (c.conId, c.secType, c.exchange) == (265598, "STK", "SMART")
            assert aapl.contract.primaryExchange == "NASDAQ" and aapl.minTick == 0.01
            assert aapl.longName == "APPLE INC" and "MKT" in aapl.orderTypes.split(",")
            assert aapl.timeZoneId == "America/New_York" and aapl.liquidHours.startswith("20261124:0930")
            (eur,) = await ib.reqContractDetailsAsync(Forex("EURUSD"))
            c = eur.contract
            assert (c.symbol, c.currency, c.localSymbol) == ("EUR", "USD", "EUR.USD")
            assert eur.contract.exchange == "IDEALPRO" and eur.minTick == 0.00005
            errors = []
            ib.errorEvent += lambda req_id, code, text, contract: errors.append(code)
            assert await ib.reqContractDetailsAsync(Stock("NOPE", "SMART", "USD")) == []
            assert errors == [200]
            ib.disconnect()
    run(go())


def test_historical_bars_daily_and_intraday_end_at_sandbox_time():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _connect(srv)
            aapl = Stock("AAPL", "SMART", "USD", conId=265598)
            daily = await ib.reqHistoricalDataAsync(aapl, "", "30 D", "1 day", "TRADES", True)
            assert 18 <= len(daily) <= 30
            assert all(isinstance(b.date, dt.date) for b in daily)
            assert [b.date for b in daily] == sorted({b.date for b in daily})
            assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in daily)
            mins = await ib.reqHistoricalDataAsync(aapl, "", "3600 S", "1 min", "TRADES", True)
            assert len(mins) == 60
            assert mins[-1].date.astimezone(dt.UTC) == START - dt.timedelta(minutes=1)
            assert mins[-1].close == 190.0  # history joins the live tape's first price
            eur = Forex("EURUSD")
            fx = await ib.reqHistoricalDataAsync(eur, "", "1 D", "1 hour", "MIDPOINT", True)
            assert fx and 1.0 < fx[-1].close < 1.2
            again = await ib.reqHistoricalDataAsync(aapl, "", "3600 S", "1 min", "TRADES", True)
            assert [b.close for b in again] == [b.close for b in mins]  # seeded: reproducible
            ib.disconnect()
    run(go())


def test_history_after_live_bars_includes_them_aggregated():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _connect(srv)
            aapl = Stock("AAPL", "SMART", "USD", conId=265598)
            bars = ib.reqRealTimeBars(aapl, 5, "TRADES", False)
            await srv.until(lambda: srv.sessions[1].rt_bars)
            await srv.step(24)  # two minutes of 5-second bars
            await settle()
            hist = await ib.reqHistoricalDataAsync(aapl, "", "300 S", "1 min", "TRADES", True, formatDate=2)
            last_two = hist[-2:]
            assert [b.date for b in last_two] == [START, START + dt.timedelta(minutes=1)]
            first_minute = list(bars)[:12]
            assert last_two[0].open == first_minute[0].open_ and last_two[0].close == first_minute[-1].close
            assert last_two[0].high == max(b.high for b in first_minute)
            ib.disconnect()
    run(go())


def test_errors_for_history_the_sandbox_cannot_serve():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _connect(srv)
            errors = []
            ib.errorEvent += lambda req_id, code, text, contract: errors.append((code, text))
            eur = Forex("EURUSD")
            assert not list(await ib.reqHistoricalDataAsync(eur, "", "1 D", "1 hour", "TRADES", True))
            assert not list(await ib.reqHistoricalDataAsync(eur, "", "1 X", "1 hour", "MIDPOINT", True))
            assert not list(await ib.reqHistoricalDataAsync(eur, "", "1 D", "7 mins", "MIDPOINT", True))
            assert [code for code, _ in errors] == [162, 162, 162]
            assert "forex has no trades" in errors[0][1]
            assert "durationStr '1 X'" in errors[1][1] and "barSizeSetting '7 mins'" in errors[2][1]
            ib.disconnect()
    run(go())


def test_real_time_bars_are_five_seconds_apart_and_follow_steps():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _connect(srv)
            bars = ib.reqRealTimeBars(Forex("EURUSD"), 5, "MIDPOINT", False)
            await srv.until(lambda: srv.sessions[1].rt_bars)
            await srv.step(3)
            await settle()
            assert [b.time for b in bars] == [START + dt.timedelta(seconds=5 * i) for i in range(3)]
            assert all(b.low <= b.open_ <= b.high and b.low <= b.close <= b.high for b in bars)
            ib.cancelRealTimeBars(bars)
            await srv.until(lambda: not srv.sessions[1].rt_bars)
            await srv.step(2)
            await settle()
            assert len(bars) == 3
            ib.disconnect()
    run(go())


def test_market_data_ticks_bid_ask_last_for_stock_and_bid_ask_for_forex():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _connect(srv)
            stock = ib.reqMktData(Stock("AAPL", "SMART", "USD", conId=265598))
            fx = ib.reqMktData(Forex("EURUSD", conId=12087792))
            await srv.until(lambda: len(srv.sessions[1].mkt_data) == 2)
            await settle()
            assert stock.bid == 189.99 and stock.ask == 190.01 and stock.last == 190.0
            assert stock.close == 190.0 and stock.minTick == 0.01
            assert fx.bid < fx.ask and fx.last != fx.last  # forex: no last trade (nan)
            await srv.step(1)
            await settle()
            bar = srv.market.tapes["AAPL"].live[-1]
            assert stock.last == bar.close and stock.bid == round(bar.close - 0.01, 2)
            assert stock.volume == bar.volume
            ib.disconnect()
    run(go())


def test_many_clients_at_once_and_state_kept_across_reconnects():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            clients = await asyncio.gather(*(_connect(srv, cid) for cid in (1, 2, 3)))
            assert sorted(srv.sessions) == [1, 2, 3]
            aapl = Stock("AAPL", "SMART", "USD", conId=265598)
            trade = clients[0].placeOrder(aapl, LimitOrder("BUY", 5, 150.0, orderRef="keep-me"))
            await srv.until(lambda: srv.exchange.orders)
            await settle()
            assert trade.orderStatus.status == "Submitted"
            clients[0].disconnect()
            await srv.until(lambda: 1 not in srv.sessions)
            back = await _connect(srv, 1)
            refs = [t.order.orderRef for t in back.openTrades()]
            assert refs == ["keep-me"]
            assert back.client.getReqId() > trade.order.orderId
            for ib in (back, *clients[1:]):
                ib.disconnect()
    run(go())


def test_a_client_id_in_use_is_refused_with_326():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            first = await _connect(srv, 5)
            second = IB()
            errors = []
            second.errorEvent += lambda req_id, code, text, contract: errors.append(code)
            try:
                await second.connectAsync(srv.host, srv.port, clientId=5, timeout=0.5)
            except (ConnectionError, TimeoutError):
                pass
            assert errors == [326] and not second.isConnected() and first.isConnected()
            first.disconnect()
    run(go())


def test_rt_volume_ticks_for_generic_tick_233():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _connect(srv)
            ticker = ib.reqMktData(Stock("AAPL", "SMART", "USD", conId=265598), "233")
            await srv.until(lambda: srv.sessions[1].rt_volume)
            await srv.step(2)
            await settle()
            bar = srv.market.tapes["AAPL"].live[-1]
            assert ticker.rtTime == START + dt.timedelta(seconds=10)
            assert ticker.last == bar.close and ticker.lastSize == bar.volume
            ib.disconnect()
    run(go())
