"""OandaData through Cerebro on the v20 sandbox: candles backfilled (DELAYED) then streamed prices
(LIVE) as bid, ask or mid ticks, history paged beyond 5000 candles, the gap after a pricing-stream
cut backfilled, resampling of live ticks, and clear errors for bad instruments and bar sizes."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from oanda_live_kit import Stepper, sandbox, store_for

import tradebridge as bt
from tradebridge.venues.oanda.granularity import UnsupportedGranularityError


class Recorder(bt.Strategy):
    """Records every bar (status, time, close) and stops after ``live`` live bars."""

    params = (("live", 10),)

    def __init__(self):
        self.status, self.statuses, self.bars, self.messages = "", [], [], []

    def notify_data(self, data, status, *args, **kwargs):
        self.status = data._getstatusname(status)
        self.statuses.append(self.status)
        if self.status in ("DISCONNECTED", "NOTSUBSCRIBED"):
            self.env.runstop()

    def notify_store(self, msg, *args, **kwargs):
        self.messages.append(str(msg))

    def next(self):
        self.bars.append((self.status, self.data.datetime.datetime(0), self.data.close[0]))
        if sum(1 for s, *_ in self.bars if s == "LIVE") >= self.p.live:
            self.env.runstop()


def _run(sb, tmp_path, live=10, bars=None, resample=None, on_step=None, **data_kwargs):
    cerebro = bt.Cerebro()
    store = store_for(sb, tmp_path / "j.sqlite")
    kwargs = {"dataname": "EUR_USD", "timeframe": bt.TimeFrame.Seconds, "compression": 5, "candles": 20}
    kwargs.update(data_kwargs)
    data = store.getdata(**kwargs)
    if resample:
        cerebro.resampledata(data, **resample)
    else:
        cerebro.adddata(data)
    cerebro.addstrategy(Recorder, live=live)
    stepper = Stepper(sb, bars if bars is not None else live + 5, on_step=on_step, cerebro=cerebro)
    try:
        (strat,) = cerebro.run()
    finally:
        stepper.stop()
        store.stop()
    return strat


def test_backfill_is_delayed_candles_then_live_ticks_are_the_streamed_bid(tmp_path):
    with sandbox() as sb:
        strat = _run(sb, tmp_path, live=8)
        bid_now = sb.call(lambda: sb.state.market.quote("EUR_USD")[0])
    assert strat.statuses[:3] == ["CONNECTED", "DELAYED", "LIVE"]
    delayed = [b for b in strat.bars if b[0] == "DELAYED"]
    live = [b for b in strat.bars if b[0] == "LIVE"]
    assert len(delayed) == 20  # the sandbox clock stands at a bar end: every candle asked is complete
    assert all(b[1].second % 5 == 0 for b in delayed)
    times = [b[1] for b in strat.bars]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert len(live) == 8 and live[-1][2] <= bid_now + 0.01


@pytest.mark.parametrize("bidask,useask,side", [(True, False, 0), (True, True, 1), (False, False, None)])
def test_live_ticks_follow_bidask_and_useask(tmp_path, bidask, useask, side):
    seen = []

    def record(n):
        seen.append(sb.call(lambda: sb.state.market.quote("EUR_USD")))

    with sandbox() as sb:
        strat = _run(sb, tmp_path, live=4, bars=3, on_step=record, bidask=bidask, useask=useask, candles=2)
    live = [b[2] for b in strat.bars if b[0] == "LIVE"][1:]  # the first is the stream's snapshot
    expected = [q[side] if side is not None else (q[0] + q[1]) / 2 for q in seen]
    assert live == pytest.approx(expected[: len(live)]) and live


def test_historical_range_pages_past_5000_candles_and_ends_disconnected(tmp_path):
    with sandbox() as sb:
        clock = sb.call(lambda: sb.state.market.clock)
        end = dt.datetime.fromtimestamp(clock, dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
        start = end - dt.timedelta(hours=8)
        strat = _run(sb, tmp_path, live=1, bars=0, historical=True, fromdate=start, todate=end)
    assert strat.statuses == ["CONNECTED", "DELAYED", "DISCONNECTED"]
    times = [b[1] for b in strat.bars]
    assert len(times) >= 5760 and times == sorted(times) and len(set(times)) == len(times)
    assert times[0] >= start and times[-1] <= end


def test_a_pricing_stream_cut_reports_connbroken_then_backfills_the_gap_and_goes_live_again(tmp_path):
    gate = threading.Event()

    def cut_once(n):
        if n == 4:
            sb.faults("cut_streams", "pricing")
            sb.faults("fail", 503, count=3, retry_after=0.02, path="pricing/stream")
            sb.step(6)  # bars the client misses while it is away
            gate.set()

    with sandbox() as sb:
        strat = _run(sb, tmp_path, live=10**6, bars=12, on_step=cut_once, reconntimeout=0.1)
    assert gate.is_set()
    i = strat.statuses.index("CONNBROKEN")
    assert strat.statuses[i : i + 3] == ["CONNBROKEN", "DELAYED", "LIVE"]
    assert any("pricing stream was cut" in m for m in strat.messages)
    times = [b[1] for b in strat.bars]
    assert times == sorted(times) and len(set(times)) == len(times)
    gap = [b for b in strat.bars[strat.statuses.index("CONNBROKEN") :] if b[0] == "DELAYED"]
    assert len(gap) >= 5  # the missed 5-second bars arrived as candles


def test_live_ticks_resample_into_30_second_bars(tmp_path):
    with sandbox() as sb:
        strat = _run(
            sb,
            tmp_path,
            live=6,
            bars=40,
            candles=60,
            resample={"timeframe": bt.TimeFrame.Seconds, "compression": 30},
        )
    times = [b[1] for b in strat.bars]
    assert times and all(t.second % 30 == 0 for t in times)
    assert times == sorted(times) and len(set(times)) == len(times)


def test_an_instrument_the_account_lacks_is_notsubscribed_with_the_tradeable_ones_named(tmp_path):
    with sandbox() as sb:
        strat = _run(sb, tmp_path, live=1, bars=0, dataname="EUR_CHF")
    assert strat.statuses[-1] == "NOTSUBSCRIBED"
    assert any("no instrument 'EUR_CHF'" in m and "EUR_USD" in m for m in strat.messages)


def test_a_bar_size_v20_lacks_is_refused_at_construction_with_what_to_resample_from(tmp_path):
    with sandbox() as sb:
        store = store_for(sb, tmp_path / "j.sqlite")
        try:
            with pytest.raises(UnsupportedGranularityError, match="no 3 Minutes candles.*M1"):
                store.getdata(dataname="EUR_USD", timeframe=bt.TimeFrame.Minutes, compression=3)
            with pytest.raises(ValueError, match="OANDA instrument"):
                store.getdata(dataname="EURUSD", timeframe=bt.TimeFrame.Minutes, compression=1)
        finally:
            store.stop()


def test_historical_with_only_todate_ends_at_todate_with_the_candles_before_it(tmp_path):
    with sandbox() as sb:
        clock = sb.call(lambda: sb.state.market.clock)
        end = dt.datetime.fromtimestamp(clock, dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=2)
        strat = _run(sb, tmp_path, live=1, bars=0, historical=True, todate=end, candles=30)
    times = [b[1] for b in strat.bars]
    assert len(times) == 30 and times[-1] <= end and end - times[-1] <= dt.timedelta(seconds=10)


def test_store_data_and_broker_take_backtraders_params_with_backtraders_defaults():
    store = dict(bt.stores.OandaStore.params._defaults)
    assert {k: store[k] for k in ("token", "account", "practice", "account_tmout")} == {
        "token": "", "account": "", "practice": False, "account_tmout": 10.0}
    assert store["heartbeat_timeout"] == 10.0  # the stream watchdog: 10 s without a heartbeat is dead
    data = dict(bt.feeds.OandaData.params._defaults)
    expected = {"qcheck": 0.5, "historical": False, "backfill_start": True, "backfill": True,
                "backfill_from": None, "bidask": True, "useask": False, "includeFirst": True,
                "reconnect": True, "reconnections": -1, "reconntimeout": 5.0}
    assert {k: data[k] for k in expected} == expected
    assert dict(bt.brokers.OandaBroker.params._defaults)["use_positions"] is True


def test_include_first_false_drops_the_candle_that_starts_at_fromdate(tmp_path):
    with sandbox() as sb:
        clock = sb.call(lambda: sb.state.market.clock)
        start = dt.datetime.fromtimestamp(clock, dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)
        end = start + dt.timedelta(minutes=2)
        kept = _run(sb, tmp_path / "a", live=1, bars=0, historical=True, fromdate=start, todate=end)
        dropped = _run(sb, tmp_path / "b", live=1, bars=0, historical=True, fromdate=start, todate=end,
                       includeFirst=False)
    first = [b[1] for b in kept.bars]
    assert first[0] == start
    assert [b[1] for b in dropped.bars] == first[1:]


def test_backfill_from_delivers_its_bars_before_the_oanda_candles(tmp_path):
    with sandbox() as sb:
        clock = sb.call(lambda: sb.state.market.clock)
        now = dt.datetime.fromtimestamp(clock, dt.UTC).replace(tzinfo=None)
        old = [now - dt.timedelta(hours=3, seconds=5 * i) for i in range(6, 0, -1)]
        frame = {"datetime": old, "open": [1.0] * 6, "high": [1.0] * 6, "low": [1.0] * 6,
                 "close": [1.0 + i / 1000 for i in range(6)], "volume": [0] * 6}
        import pandas as pd

        history = bt.feeds.PandasData(dataname=pd.DataFrame(frame).set_index("datetime"),
                                      timeframe=bt.TimeFrame.Seconds, compression=5)
        strat = _run(sb, tmp_path, live=2, backfill_from=history, candles=5)
    closes = [b[2] for b in strat.bars]
    times = [b[1] for b in strat.bars]
    assert closes[:6] == pytest.approx([1.0 + i / 1000 for i in range(6)])
    assert times[:6] == old and times == sorted(times) and len(times) >= 6 + 5
