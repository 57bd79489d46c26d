"""LiveDataBase through a real producer thread (ReplayLiveData) and a real Cerebro run:
backfill then live, status order, gap backfill after a reconnect, de-duplication, bad input."""

from __future__ import annotations

import datetime as _dt
import threading

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tradebridge as bt
from tradebridge.feeds.live import LiveDataBase, ReplayLiveData, bar_from_payload
from tradebridge.live import Event, Inbox, Kind

UTC = _dt.UTC


def _frame(n: int, start: str = "2026-01-05 09:00") -> pd.DataFrame:
    idx = pd.date_range(start, periods=n, freq="min")
    base = [100.0 + i for i in range(n)]
    return pd.DataFrame({"open": base, "high": [b + 2 for b in base], "low": [b - 2 for b in base],
                         "close": [b + 1 for b in base], "volume": 10.0}, index=idx)


class _Recorder(bt.Strategy):
    """Records every next() and notify_data in order."""

    def __init__(self) -> None:
        self.log: list[tuple[str, object]] = []

    def notify_data(self, data, status, *args, **kwargs):
        self.log.append(("status", data._getstatusname(status)))

    def next(self):
        self.log.append(("bar", self.data.datetime.datetime(0)))


def _run(data, strat=_Recorder):
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(data)
    cerebro.addstrategy(strat)
    return cerebro.run()[0]


def _bars(log):
    return [x for kind, x in log if kind == "bar"]


def _statuses(log):
    return [x for kind, x in log if kind == "status"]


def test_backfill_bars_come_first_as_delayed_then_live_bars_after_the_live_status():
    df = _frame(10)
    strat = _run(ReplayLiveData(dataname=df, backfill_bars=4, pace=0.002))
    log = strat.log
    assert _statuses(log) == ["CONNECTED", "DELAYED", "LIVE", "DISCONNECTED"]
    assert _bars(log) == list(df.index.to_pydatetime())
    delayed, live = log.index(("status", "DELAYED")), log.index(("status", "LIVE"))
    assert [k for k, _ in log[:delayed]] == ["status"]  # nothing before the backfill starts
    assert len(_bars(log[delayed:live])) == 4  # exactly the history between DELAYED and LIVE
    assert len(_bars(log[live:])) == 6


def test_without_backfill_start_the_history_rows_are_not_delivered():
    df = _frame(6)
    strat = _run(ReplayLiveData(dataname=df, backfill_bars=3, backfill_start=False))
    assert _statuses(strat.log) == ["CONNECTED", "LIVE", "DISCONNECTED"]
    assert _bars(strat.log) == list(df.index[3:].to_pydatetime())


def test_historical_delivers_only_the_backfill_and_ends():
    df = _frame(6)
    strat = _run(ReplayLiveData(dataname=df, backfill_bars=4, historical=True))
    assert _statuses(strat.log) == ["CONNECTED", "DELAYED", "DISCONNECTED"]
    assert _bars(strat.log) == list(df.index[:4].to_pydatetime())


def test_reconnect_reports_connbroken_then_backfills_the_gap_without_repeating_bars():
    df = _frame(12)
    data = ReplayLiveData(dataname=df, backfill_bars=3, cut_at=4, cut_missed=2, cut_overlap=3)
    strat = _run(data)
    assert _statuses(strat.log) == ["CONNECTED", "DELAYED", "LIVE", "CONNBROKEN", "DELAYED",
                                    "LIVE", "DISCONNECTED"]
    assert _bars(strat.log) == list(df.index.to_pydatetime())  # each bar once, none missing
    assert data.duplicates == 3  # the overlap re-sent by the gap backfill was dropped
    broken = strat.log.index(("status", "CONNBROKEN"))
    assert _bars(strat.log[:broken])[-1] == df.index[3 + 4 - 1].to_pydatetime()


def test_reconnect_without_backfill_loses_the_bars_of_the_outage():
    df = _frame(10)
    data = ReplayLiveData(dataname=df, backfill_bars=2, cut_at=3, cut_missed=2, backfill=False)
    strat = _run(data)
    assert _statuses(strat.log) == ["CONNECTED", "DELAYED", "LIVE", "CONNBROKEN", "LIVE",
                                    "DISCONNECTED"]
    missed = set(df.index[5:7].to_pydatetime())
    assert _bars(strat.log) == [d for d in df.index.to_pydatetime() if d not in missed]


def test_backfill_from_is_delivered_first_and_overlapping_rows_are_dropped():
    df = _frame(10)
    older = bt.feeds.PandasData(dataname=df.iloc[:5])
    data = ReplayLiveData(dataname=df.iloc[3:], backfill_bars=3, backfill_from=older)
    strat = _run(data)
    assert _bars(strat.log) == list(df.index.to_pydatetime())
    assert data.duplicates == 2


def test_a_status_put_from_a_venue_thread_crosses_the_inbox_to_notify_data():
    class Announcing(ReplayLiveData):
        def _subscribe(self):
            thread = threading.Thread(target=self.put_notification, args=(self.NOTSUBSCRIBED,))
            thread.start()
            thread.join()

    strat = _run(Announcing(dataname=_frame(3)))
    assert strat.log == [("status", "NOTSUBSCRIBED")]  # and NOTSUBSCRIBED ends the data


def test_a_live_data_outside_a_cerebro_run_says_it_needs_the_inbox():
    with pytest.raises(RuntimeError, match="needs the engine's inbox"):
        ReplayLiveData(dataname=_frame(2))._start()


@pytest.mark.parametrize(("payload", "message"), [
    ({"open": 1, "high": 1, "low": 1, "close": 1}, "no 'datetime'"),
    ({"datetime": 1.7e9, "open": 1, "high": 1, "low": 1}, "no 'close'"),
    ({"datetime": _dt.datetime(2026, 1, 5), "open": 1, "high": 1, "low": 1, "close": 1},
     "must be tz-aware"),
    ({"datetime": 1.7e9, "open": "x", "high": 1, "low": 1, "close": 1}, "'open' is not a number"),
    ({"datetime": float("nan"), "open": 1, "high": 1, "low": 1, "close": 1}, "epoch seconds"),
    ([1, 2, 3], "must be a dict"),
])
def test_bad_bar_payloads_are_refused_naming_the_field(payload, message):
    with pytest.raises(ValueError, match=message):
        bar_from_payload(payload, "IBData AAPL")


def test_bad_events_name_the_data_and_the_cause():
    data = ReplayLiveData(dataname=_frame(2), name="EURUSD")
    data._inbox = Inbox()
    data._start()
    try:
        with pytest.raises(ValueError, match="EURUSD.*kind ORDER"):
            data.on_event(Event(Kind.ORDER, {}, data))
        with pytest.raises(ValueError, match="TICK payload must be a dict"):
            data.on_event(Event(Kind.TICK, {"size": 1}, data))
        data.on_event(Event(Kind.DATA_STATUS, 42, data))
        with pytest.raises(ValueError, match="42 is not a data status"):
            data._load()
    finally:
        data.stop()


def test_epoch_and_aware_datetimes_give_the_same_bar_time():
    when = _dt.datetime(2026, 3, 1, 14, 30, 5, tzinfo=UTC)
    fields = {"open": 1, "high": 2, "low": 0.5, "close": 1.5, "volume": 3}
    by_dt = bar_from_payload({"datetime": when, **fields})
    by_epoch = bar_from_payload({"datetime": when.timestamp(), **fields})
    by_other_zone = bar_from_payload(
        {"datetime": when.astimezone(_dt.timezone(_dt.timedelta(hours=-5))), **fields})
    assert by_dt == pytest.approx(by_epoch, abs=1e-9) and by_dt == by_other_zone


class _Engine(LiveDataBase):
    """A LiveDataBase whose events the test hands over by hand (no producer)."""


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), max_size=40))
def test_delivered_times_strictly_increase_for_bars_and_never_go_back_for_ticks(seq):
    data = _Engine()
    data._inbox = Inbox()
    data._start()
    base = 1.7e9
    for sec, tick in seq:
        if tick:
            data.on_event(Event(Kind.TICK, {"price": 1.0, "size": 1, "time": base + sec}, data))
        else:
            data.on_event(Event(Kind.BAR, {"datetime": base + sec, "open": 1, "high": 1, "low": 1,
                                           "close": 1}, data))
    out = []
    while data.next():
        out.append(data.lines.datetime[0])
    assert data.next() is None  # drained but alive
    assert all(b >= a for a, b in zip(out, out[1:]))
    assert len(out) + data.duplicates == len(seq)
    kept = []
    last = -1.0
    for sec, tick in seq:  # the rule, restated: drop older, and same-time bars
        if sec > last or (sec == last and tick):
            kept.append(sec)
            last = sec
    assert len(out) == len(kept)


def test_late_ticks_are_dropped_unless_latethrough():
    def feed(latethrough):
        data = _Engine(latethrough=latethrough)
        data._inbox = Inbox()
        data._start()
        for sec in (10, 12, 11, 13):
            data.on_event(Event(Kind.TICK, {"price": float(sec), "size": 1, "time": 1.7e9 + sec},
                                data))
        out = []
        while data.next():
            out.append(data.close[0])
        return out, data.duplicates

    assert feed(False) == ([10.0, 12.0, 13.0], 1)
    assert feed(True) == ([10.0, 12.0, 11.0, 13.0], 0)
