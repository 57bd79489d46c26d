"""The live engine loop with real producer threads: it sleeps on the inbox (no spinning),
runstop and Ctrl-C end it cleanly, store threads reach notify_store, overflow is loud."""

from __future__ import annotations

import datetime as _dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import tradebridge as bt
from tradebridge.feeds.live import ReplayLiveData
from tradebridge.live import InboxOverflowError, Kind
from tradebridge.stores import Store

SRC = Path(__file__).resolve().parents[2] / "src"


def _frame(n: int) -> pd.DataFrame:
    idx = pd.date_range("2026-01-05 09:00", periods=n, freq="min")
    return pd.DataFrame({"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 1.0},
                        index=idx)


class _WaitsForLive(bt.Strategy):
    """Remembers the live loop and signals when the data is LIVE."""

    def __init__(self) -> None:
        self.live_seen = threading.Event()
        self.stopped = False
        self.loop = None

    def notify_data(self, data, status, *args, **kwargs):
        self.loop = self.cerebro._liveloop
        if status == data.LIVE:
            self.live_seen.set()

    def stop(self):
        self.stopped = True


def test_runstop_from_another_thread_ends_a_run_sleeping_on_the_inbox_promptly_and_idle():
    ready = threading.Event()

    class Strat(_WaitsForLive):
        def notify_data(self, data, status, *args, **kwargs):
            super().notify_data(data, status, *args, **kwargs)
            if status == data.LIVE:
                ready.set()

    cerebro = bt.Cerebro(stdstats=False)
    data = ReplayLiveData(dataname=_frame(3), backfill_bars=3, hold=True)
    cerebro.adddata(data)
    cerebro.addstrategy(Strat)
    marks: dict[str, float] = {}

    def stopper():
        ready.wait(5)
        cpu0 = time.process_time()
        time.sleep(0.5)  # the engine has nothing to do for half a second
        marks["idle_cpu"] = time.process_time() - cpu0
        marks["stop"] = time.monotonic()
        cerebro.runstop()

    t = threading.Thread(target=stopper)
    t.start()
    strat = cerebro.run()[0]
    returned = time.monotonic()
    t.join()
    assert returned - marks["stop"] < 0.4  # woken by runstop, not by a poll
    assert marks["idle_cpu"] < 0.1  # the process idled while the engine waited (a spin: 0.5 s)
    assert strat.loop.waits <= 6  # a handful of waits for the whole run: no spinning
    assert strat.stopped and data.__dict__.get("_thread") is None  # stop hooks ran, producer gone
    assert cerebro._liveloop is None and strat.loop.inbox.closed


class _ThreadStore(Store):
    """A store whose venue thread announces itself, as a real store's loop would."""

    identity = ("tag",)
    params = (("tag", "t"),)

    def _connect(self):
        self._thread = threading.Thread(target=self._venue)
        self._thread.start()

    def _venue(self):
        self.put_notification("connected", 7, venue="loopback")
        self._inbox.put(Kind.STORE, ("raw message", (), {}), source=self)

    def _disconnect(self):
        self._thread.join()


class _StoreListener(_WaitsForLive):
    def __init__(self):
        super().__init__()
        self.store_msgs = []

    def notify_store(self, msg, *args, **kwargs):
        self.store_msgs.append((msg, args, kwargs))
        if len(self.store_msgs) == 2:
            self.cerebro.runstop()


def test_store_notifications_from_a_venue_thread_reach_notify_store_through_the_inbox():
    store = _ThreadStore(tag="notify")
    cerebro = bt.Cerebro(stdstats=False)
    data = ReplayLiveData(dataname=_frame(2), hold=True)
    data._store = store
    cerebro.adddata(data)
    cerebro.addstrategy(_StoreListener)
    strat = cerebro.run()[0]
    assert strat.store_msgs == [("connected", (7,), {"venue": "loopback"}), ("raw message", (), {})]
    assert not store._started  # the store was stopped with the run


def test_an_inbox_overflow_stops_the_run_with_inbox_overflow_error_and_stops_the_producer():
    class Slow(bt.Strategy):
        def next(self):
            if len(self.data) == 1:
                self.data._thread.join()  # the producer floods the inbox meanwhile

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.inbox_maxsize = 5
    data = ReplayLiveData(dataname=_frame(40), backfill_bars=1, pace=0.0)
    cerebro.adddata(data)
    cerebro.addstrategy(Slow)
    with pytest.raises(InboxOverflowError, match="critical venue event"):
        cerebro.run()
    assert data.__dict__.get("_thread") is None and cerebro._liveloop is None


def test_an_event_without_an_on_event_source_is_refused_naming_its_kind():
    class Intruder(bt.Strategy):
        def notify_data(self, data, status, *args, **kwargs):
            if status == data.LIVE:
                self.cerebro.inbox.put(Kind.ACCOUNT, {"cash": 1.0}, source=None)

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(ReplayLiveData(dataname=_frame(2), hold=True))
    cerebro.addstrategy(Intruder)
    with pytest.raises(TypeError, match="ACCOUNT came from None, which has no on_event"):
        cerebro.run()


_CTRL_C_SCRIPT = textwrap.dedent("""
    import sys, pandas as pd, tradebridge as bt
    from tradebridge.feeds.live import ReplayLiveData

    class S(bt.Strategy):
        def notify_data(self, data, status, *a, **k):
            if status == data.LIVE:
                print("LIVE", flush=True)
        def stop(self):
            print("STOP", len(self.data), flush=True)

    idx = pd.date_range("2026-01-05 09:00", periods=3, freq="min")
    df = pd.DataFrame({"open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0}, index=idx)
    cerebro = bt.Cerebro(stdstats=False)
    data = ReplayLiveData(dataname=df, backfill_bars=3, hold=True)
    cerebro.adddata(data)
    cerebro.addstrategy(S)
    cerebro.run()
    print("RETURNED producer alive:", data.__dict__.get("_thread") is not None, flush=True)
""")


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery to a child is POSIX here")
def test_ctrl_c_stops_a_live_run_cleanly_calling_strategy_stop_and_stopping_the_producer():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", _CTRL_C_SCRIPT], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "LIVE"
        time.sleep(0.2)  # let it settle into its wait on the inbox
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out.splitlines() == ["STOP 3", "RETURNED producer alive: False"]


def test_a_timer_fires_on_the_clock_while_no_bar_arrives():
    now = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    if (now + _dt.timedelta(seconds=3)).date() != now.date():
        pytest.skip("too close to midnight for a same-day timer")
    when = now + _dt.timedelta(seconds=0.8)
    idx = pd.date_range(now - _dt.timedelta(minutes=3), periods=3, freq="min")
    df = pd.DataFrame({"open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0}, index=idx)

    class Timed(bt.Strategy):
        def __init__(self):
            self.fired = []
            self.add_timer(when=when.time())

        def notify_timer(self, timer, at, *args, **kwargs):
            self.fired.append((at, _dt.datetime.now(_dt.UTC).replace(tzinfo=None), len(self.data)))
            self.cerebro.runstop()

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(ReplayLiveData(dataname=df, backfill_bars=3, hold=True))
    cerebro.addstrategy(Timed)
    strat = cerebro.run()[0]
    (at, seen, bars), = strat.fired
    assert at == when
    assert when <= seen < when + _dt.timedelta(seconds=0.35)  # on time, with no bar after it
    assert bars == 3
