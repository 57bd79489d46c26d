"""VCStore and VCData through Cerebro on the fake Visual Chart: history then live bars, ticks,
historical downloads, unknown symbols, server shutdown and return with the missed bars."""

from __future__ import annotations

import datetime as dt
import sys
import threading

import pytest
import vc_kit as kit
from vc_kit import ES, ES_SERIE, Script, bars_of, statuses_of

import tradebridge as bt
from tradebridge.venues.vc.seam import VCUnavailableError
from tradebridge.venues.vc.store import VCStore

UTC = dt.UTC


def _run(fake, bars=(), steps=None, history=3, strat=Script, **data_kw):
    store = VCStore(backend=fake)
    cerebro = bt.Cerebro(stdstats=False)
    data = store.getdata(dataname=ES, timeframe=bt.TimeFrame.Minutes, usetimezones=False, **data_kw)
    cerebro.adddata(data)
    cerebro.addstrategy(strat, fake=fake, bars=list(bars), steps=steps or {}, history=history)
    return cerebro.run()[0]


def _minute(i: int) -> dt.datetime:
    return kit.T0 + dt.timedelta(minutes=i)


def test_history_comes_delayed_then_live_bars_one_by_one_in_utc() -> None:
    fake = kit.fake(history=3)
    strat = _run(fake, bars=kit.live_bars(3, [103, 104]))
    assert statuses_of(strat.log) == ["CONNECTED", "DELAYED", "LIVE"]
    assert bars_of(strat.log) == [(_minute(i), 100.0 + i) for i in range(5)]
    assert strat.stores[0] == "Visual Chart is connected"


def test_market_time_zones_turn_bar_stamps_into_utc_and_show_them_in_market_time() -> None:
    fake = kit.fake(history=2)
    store = VCStore(backend=fake)
    cerebro = bt.Cerebro(stdstats=False)
    data = store.getdata(dataname=ES, timeframe=bt.TimeFrame.Minutes)  # market 001: Chicago
    cerebro.adddata(data)
    cerebro.addstrategy(Script, fake=fake, bars=[], history=2)
    strat = cerebro.run()[0]
    assert bars_of(strat.log) == [(_minute(0), 100.0), (_minute(1), 101.0)]  # shown in Chicago time
    assert data.num2date(data.datetime[0], tz=UTC) == _minute(1).replace(hour=15)  # 09:01 CST = 15:01 UTC


def test_without_backfill_start_only_live_bars_are_delivered() -> None:
    fake = kit.fake(history=3)
    strat = _run(fake, bars=kit.live_bars(3, [103, 104]), history=0, backfill_start=False)
    assert statuses_of(strat.log) == ["CONNECTED", "LIVE"]
    assert bars_of(strat.log) == [(_minute(3), 103.0), (_minute(4), 104.0)]


def test_historical_download_between_dates_then_the_data_ends() -> None:
    fake = kit.fake(history=6)
    strat = _run(fake, history=99, historical=True, fromdate=_minute(1), todate=_minute(3))
    assert statuses_of(strat.log) == ["CONNECTED", "DELAYED", "DISCONNECTED"]
    assert bars_of(strat.log) == [(_minute(i), 100.0 + i) for i in (1, 2, 3)]


def test_an_unknown_symbol_is_not_subscribed_and_the_store_says_which() -> None:
    fake = kit.fake()
    store = VCStore(backend=fake)
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(store.getdata(dataname="001NOPE", timeframe=bt.TimeFrame.Minutes))
    cerebro.addstrategy(Script, fake=fake)
    strat = cerebro.run()[0]
    assert statuses_of(strat.log) == ["NOTSUBSCRIBED"]
    assert any("does not serve 010001NOPE" in str(m) for m in strat.stores)


def test_server_shutdown_breaks_the_data_and_its_return_delivers_the_missed_bars_once() -> None:
    fake = kit.fake(history=2)
    bars = kit.live_bars(2, [102, 103, 104, 105, 106])
    strat = _run(fake, bars=bars, history=2, steps={1: lambda s: s.outage(bars=2)})
    assert statuses_of(strat.log) == ["CONNECTED", "DELAYED", "LIVE", "CONNBROKEN", "CONNECTED",
                                      "DELAYED", "LIVE"]
    assert bars_of(strat.log) == [(_minute(i), 100.0 + i) for i in range(7)]
    assert "Visual Chart's server shut down" in strat.stores
    assert strat.stores.count("Visual Chart is connected") == 2


def test_a_dropped_connection_with_events_lost_still_delivers_every_bar_from_the_serie() -> None:
    fake = kit.fake(history=2, missed="drop")
    bars = kit.live_bars(2, [102, 103, 104, 105])

    def drop(s: Script) -> None:
        todo = list(s.p.bars[s.pushed:s.pushed + 2])
        s.pushed += 2

        def play() -> None:
            fake.disconnect()
            for b in todo:
                fake.push_bar(ES_SERIE, b)
            fake.restore()
        s.market(play)
    strat = _run(fake, bars=bars, history=2, steps={1: drop})
    assert bars_of(strat.log) == [(_minute(i), 100.0 + i) for i in range(6)]
    assert "Visual Chart is disconnected" in strat.stores


class _Ticks(bt.Strategy):
    params = (("fake", None), ("bars", ()), ("steps", {}), ("history", 0))

    def __init__(self) -> None:
        self.ticks: list[tuple[dt.datetime, float, float]] = []
        self.log: list[str] = []

    def notify_data(self, data, status, *args, **kwargs):
        self.log.append(data._getstatusname(status))
        if status == data.LIVE:
            fake = self.p.fake
            for k, price in enumerate((104.25, 104.5, 104.0)):
                when = _minute(4) + dt.timedelta(seconds=k)
                self.data._store.call_soon(fake.push_tick, ES_SERIE, price, k + 1, when)

    def next(self):
        self.ticks.append((self.data.datetime.datetime(0), self.data.close[0], self.data.volume[0]))
        if len(self.ticks) == 3:
            self.env.runstop()


def test_tick_data_gets_live_trades_from_the_real_time_feed() -> None:
    fake = kit.fake(history=0)
    store = VCStore(backend=fake)
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(store.getdata(dataname=ES, timeframe=bt.TimeFrame.Ticks, usetimezones=False))
    cerebro.addstrategy(_Ticks, fake=fake)
    strat = cerebro.run()[0]
    assert strat.log == ["CONNECTED", "LIVE"]
    assert strat.ticks == [(_minute(4) + dt.timedelta(seconds=k), p, k + 1.0)
                           for k, p in enumerate((104.25, 104.5, 104.0))]


def test_the_pump_thread_ends_with_the_run_and_the_store_frees_its_identity() -> None:
    fake = kit.fake(history=1)
    _run(fake, history=1)
    assert not [t for t in threading.enumerate() if t.name == "vcstore-pump"]
    assert VCStore(backend=fake) is not None  # a new store on the same backend: the old one is gone


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows the comtypes backend may be usable")
def test_a_store_on_visual_chart_itself_off_windows_says_it_needs_windows() -> None:
    with pytest.raises(VCUnavailableError, match="Visual Chart needs Windows with Visual Chart 6 installed"):
        VCStore()
    with pytest.raises(VCUnavailableError, match="needs Windows"):
        bt.feeds.VCData(dataname=ES)
    with pytest.raises(VCUnavailableError, match="needs Windows"):
        bt.brokers.VCBroker()
    with pytest.raises(VCUnavailableError, match="needs Windows"):  # and the failed store left nothing behind
        VCStore()


def test_a_backend_that_is_not_a_com_backend_is_refused_naming_it() -> None:
    with pytest.raises(TypeError, match="backend must be a ComBackend.*got str"):
        VCStore(backend="fake")


def test_fromdate_is_market_time_as_visual_chart_takes_it_so_no_history_bar_is_dropped() -> None:
    fake = kit.fake(history=6)
    store = VCStore(backend=fake)
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(store.getdata(dataname=ES, timeframe=bt.TimeFrame.Minutes, fromdate=_minute(2),
                                  historical=True))  # market 001: Chicago time
    cerebro.addstrategy(Script, fake=fake, history=99)
    strat = cerebro.run()[0]
    assert bars_of(strat.log) == [(_minute(i), 100.0 + i) for i in range(2, 6)]
