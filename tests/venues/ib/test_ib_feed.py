"""IBData through Cerebro against the real IB sandbox: backfill (DELAYED) then live 5-second bars
or ticks (LIVE), the history cache across runs, pacing error 162, historical-only runs, an unknown
contract, and a gap backfill after the sandbox drops the socket."""

from __future__ import annotations

import datetime as dt

import pytest
from ib_live_kit import START, Stepper, sandbox

import tradebridge as bt
from tradebridge.venues.ib.contracts import IBContractError
from tradebridge.venues.ib.history import Pacer

FIVE = 5.0


class Recorder(bt.Strategy):
    """Records statuses, store messages and bars; stops after ``live_bars`` live bars."""

    params = (("live_bars", 5), ("on_live_bar", None))

    def __init__(self):
        self.statuses, self.messages, self.bars, self.live = [], [], [], 0

    def notify_data(self, data, status, *args, **kwargs):
        self.statuses.append(data._getstatusname(status))

    def notify_store(self, msg, *args, **kwargs):
        self.messages.append(msg)

    def next(self):
        when = self.data.datetime.datetime(0).replace(tzinfo=dt.UTC)
        self.bars.append((when, self.data.close[0], self.statuses[-1] if self.statuses else ""))
        if self.statuses and self.statuses[-1] == "LIVE":
            self.live += 1
            if self.p.on_live_bar is not None:
                self.p.on_live_bar(self, self.live)
            if self.live >= self.p.live_bars:
                self.env.runstop()


def _run(sb, tmp_path, client_id, stepper_bars=0, ticks=False, strat_kwargs=None, pacer=None,
         **data_kwargs):
    cerebro = bt.Cerebro()
    store = bt.stores.IBStore(port=sb.port, clientId=client_id, histcache=tmp_path / "cache",
                              backoff_initial=0.01, backoff_max=0.05)
    if pacer is not None:
        store.pacer = pacer
    data_kwargs.setdefault("dataname", "AAPL-STK-SMART-USD")
    cerebro.adddata(store.getdata(**data_kwargs))
    cerebro.addstrategy(Recorder, **(strat_kwargs or {}))
    stepper = Stepper(sb, client_id, stepper_bars, ticks=ticks) if stepper_bars else None
    try:
        (strat,) = cerebro.run()
    finally:
        if stepper is not None:
            stepper.stop()
    return strat, store


def _times(strat, status=None):
    return [t for t, _, s in strat.bars if status is None or s == status]


def test_backfill_is_delayed_then_live_five_second_bars_follow_without_overlap(tmp_path):
    with sandbox() as sb:
        strat, store = _run(sb, tmp_path, 21, stepper_bars=10, rtbar=True,
                            timeframe=bt.TimeFrame.Seconds, compression=5)
    assert strat.statuses[:3] == ["CONNECTED", "DELAYED", "LIVE"]
    history, live = _times(strat, "DELAYED"), _times(strat, "LIVE")
    assert len(history) == 720  # IB's longest 5-second request: one hour
    assert history[-1] == START - dt.timedelta(seconds=5)
    assert live[:5] == [START + dt.timedelta(seconds=5 * i) for i in range(5)]
    times = _times(strat)
    assert all(b - a == dt.timedelta(seconds=5) for a, b in zip(times, times[1:]))
    assert strat.data.instrument == "AAPL" and strat.data.con_id == 265598
    assert strat.data.comminfo()["mult"] == 1.0 and strat.data.comminfo()["stocklike"]


def test_a_second_run_takes_history_from_the_cache_not_from_ib(tmp_path):
    with sandbox() as sb:
        _, first = _run(sb, tmp_path, 22, stepper_bars=3, rtbar=True, timeframe=bt.TimeFrame.Minutes,
                        strat_kwargs={"live_bars": 1})
        assert len(first.pacer._sent) == 1
        strat, second = _run(sb, tmp_path, 23, stepper_bars=3, rtbar=True, timeframe=bt.TimeFrame.Minutes,
                             strat_kwargs={"live_bars": 1})
    # the sandbox moved a few bars on: only that gap is asked, not the hour the cache holds
    (gap,) = second.pacer._sent
    seconds = int(gap.identity[2].split()[0])
    assert gap.identity[2].endswith(" S") and 0 < seconds <= 60
    assert len(_times(strat, "DELAYED")) >= 720


def test_ticks_arrive_live_when_rtbar_is_off_and_resample_to_bars(tmp_path):
    with sandbox() as sb:
        cerebro = bt.Cerebro()
        store = bt.stores.IBStore(port=sb.port, clientId=24, histcache=tmp_path / "cache")
        data = store.getdata(dataname="AAPL-STK-SMART-USD", timeframe=bt.TimeFrame.Ticks,
                             backfill_start=False)
        cerebro.adddata(data)
        cerebro.addstrategy(Recorder, live_bars=4)
        stepper = Stepper(sb, 24, 50, ticks=True)
        try:
            (strat,) = cerebro.run()
        finally:
            stepper.stop()
    assert strat.statuses[:2] == ["CONNECTED", "LIVE"]
    assert len(strat.bars) == 4 and all(150 < price < 250 for _, price, _ in strat.bars)
    times = _times(strat)
    assert all(abs((t - START).total_seconds()) < 600 for t in times)  # stamped on the TWS clock


def test_pacing_violation_162_waits_and_asks_again(tmp_path):
    with sandbox() as sb:
        sb.run(sb.server.pace_next_history, 1)
        pacer = Pacer(backoff=0.05, identical_gap=0.0)
        strat, store = _run(sb, tmp_path, 25, stepper_bars=3, rtbar=True, pacer=pacer,
                            strat_kwargs={"live_bars": 1})
    assert len(store.pacer._sent) == 2
    assert len(_times(strat, "DELAYED")) == 720
    assert any(getattr(m, "code", 0) == 162 and "pacing" in str(m) for m in strat.messages)


def test_historical_only_downloads_the_span_and_ends_by_itself(tmp_path):
    with sandbox() as sb:
        strat, _ = _run(sb, tmp_path, 26, historical=True, timeframe=bt.TimeFrame.Minutes,
                        fromdate=START - dt.timedelta(hours=2), todate=START)
    assert strat.statuses == ["CONNECTED", "DELAYED", "DISCONNECTED"]
    times = _times(strat)
    assert len(times) == 120 and times[0] == START - dt.timedelta(hours=2)
    assert times[-1] == START - dt.timedelta(minutes=1)


def test_an_unknown_contract_is_notsubscribed_with_ib_error_200(tmp_path):
    with sandbox() as sb:
        strat, _ = _run(sb, tmp_path, 27, dataname="NOPE-STK-SMART-USD")
    assert strat.statuses == ["CONNECTED", "NOTSUBSCRIBED"] and strat.bars == []
    assert any(getattr(m, "code", 0) == 200 for m in strat.messages)


def test_a_bad_dataname_is_refused_when_the_data_is_made():
    with pytest.raises(IBContractError, match="sectype 'XYZ' is not valid"):
        bt.feeds.IBData(dataname="AAPL-XYZ-SMART", port=4002, clientId=1)


def test_after_a_dropped_socket_the_gap_is_backfilled_and_bars_stay_contiguous(tmp_path):
    def drop_once(strat, live):
        if live == 3:
            sb.run(sb.server.drop, 28)
            sb.step(4)  # four bars happen while the client is away

    with sandbox() as sb:
        strat, _ = _run(sb, tmp_path, 28, stepper_bars=20, rtbar=True, timeframe=bt.TimeFrame.Seconds,
                        compression=5, strat_kwargs={"live_bars": 10, "on_live_bar": drop_once})
    assert strat.statuses[:3] == ["CONNECTED", "DELAYED", "LIVE"]
    assert strat.statuses[3:6] == ["CONNBROKEN", "DELAYED", "LIVE"]
    times = _times(strat)
    assert all(b - a == dt.timedelta(seconds=5) for a, b in zip(times, times[1:]))
    assert any(s == "DELAYED" and t > START for t, _, s in strat.bars)  # the gap came as history
