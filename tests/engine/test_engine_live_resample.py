"""cerebro.resampledata on a live feed: bars built from real-time ticks close on time although
no further tick arrives (the engine wakes at the boundary), and 5-second bars resample to the
same bars as in a backtest."""

from __future__ import annotations

import datetime as _dt
import math
import time

import pandas as pd

import tradebridge as bt
from tradebridge.feeds.live import ReplayLiveData
from tradebridge.live import Kind

UTC = _dt.UTC


def _epoch(data) -> float:
    return data.datetime.datetime(0).replace(tzinfo=UTC).timestamp()


class _BarLog(bt.Strategy):
    """Records each delivered bar with the wall time it reached next(); stops at `until`."""

    params = (("until", None),)

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def next(self):
        d = self.data
        self.loop = self.cerebro._liveloop
        self.rows.append((_epoch(d), d.open[0], d.high[0], d.low[0], d.close[0], d.volume[0],
                          _dt.datetime.now(UTC).timestamp()))
        if self.p.until(self):
            self.cerebro.runstop()


def test_tick_bars_close_on_time_without_a_next_tick():
    n = 9
    prices = [10.0, 10.5, 9.75, 11.0, 10.25, 10.0, 12.0, 11.5, 11.25]
    df = pd.DataFrame({"open": prices, "high": prices, "low": prices, "close": prices,
                       "volume": [1.0 + i for i in range(n)]},
                      index=pd.date_range("2026-01-05", periods=n, freq="s"))
    total = float(df["volume"].sum())
    data = ReplayLiveData(dataname=df, ticks=True, realtime=True, pace=0.11, hold=True,
                          timeframe=bt.TimeFrame.Ticks)
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.resampledata(data, timeframe=bt.TimeFrame.Seconds, compression=1)
    cerebro.addstrategy(_BarLog, until=lambda s: sum(r[5] for r in s.rows) >= total)
    strat = cerebro.run()[0]

    ticks = [p for kind, p in data.sent if kind is Kind.TICK]
    assert len(ticks) == n
    expected: dict[int, list[float]] = {}
    for t in ticks:  # right-edge bars: a tick at 12.3 s belongs to the bar ending at 13 s
        end = math.ceil(round(t["time"], 6))
        bar = expected.setdefault(end, [t["price"], t["price"], t["price"], t["price"], 0.0])
        bar[1], bar[2] = max(bar[1], t["price"]), min(bar[2], t["price"])
        bar[3] = t["price"]
        bar[4] += t["size"]
    got = {round(r[0]): list(r[1:6]) for r in strat.rows}
    assert got == expected
    for end, *_, seen in strat.rows:  # each bar reached next() just after its boundary
        assert end <= seen < end + 0.35
    # the last bar closed on the clock: no tick came after it (the producer only held)
    assert strat.rows[-1][0] > ticks[-1]["time"]
    assert strat.loop.waits <= n + len(expected) + 4  # one wait per tick or boundary: no spin


def _at_second_after_a_3s_boundary() -> int:
    """Sleep to the next whole second that is one past a multiple of 3 and return it. A 1 s
    bar stamped then leaves its 3 s bar open for 2 more seconds: time enough for the live run
    to start before that bar is due (started later, the bar would be due at once and the
    check that it came on time could not hold)."""
    wall = time.time()
    second = math.floor(wall) + 1
    second += (1 - second) % 3
    time.sleep(second - wall)
    return second


def test_second_bars_resample_live_to_the_backtest_bars_and_the_last_closes_on_time():
    last = _at_second_after_a_3s_boundary()  # the newest 1 s bar leaves its 3 s bar open
    n = 30
    idx = pd.to_datetime([last - n + 1 + i for i in range(n)], unit="s")
    base = [100 + (i * 7 % 11) - (i % 3) for i in range(n)]
    df = pd.DataFrame({"open": base, "high": [b + 1.5 for b in base], "low": [b - 1.25 for b in base],
                       "close": [b + 0.5 for b in base], "volume": [1.0 + i % 4 for i in range(n)]},
                      index=idx)

    back = bt.Cerebro(stdstats=False)
    back.resampledata(bt.feeds.PandasData(dataname=df, timeframe=bt.TimeFrame.Seconds),
                      timeframe=bt.TimeFrame.Seconds, compression=3)
    back.addstrategy(_BarLog, until=lambda s: False)
    want = [r[:6] for r in back.run()[0].rows]

    data = ReplayLiveData(dataname=df, backfill_bars=n // 2, hold=True,
                          timeframe=bt.TimeFrame.Seconds)
    live = bt.Cerebro(stdstats=False)
    live.resampledata(data, timeframe=bt.TimeFrame.Seconds, compression=3)
    live.addstrategy(_BarLog, until=lambda s: s.rows[-1][0] >= want[-1][0])
    rows = live.run()[0].rows
    assert [r[:6] for r in rows] == want
    end, seen = rows[-1][0], rows[-1][6]
    assert end == math.ceil(last / 3) * 3 > last  # the last bar was still open at the end ...
    assert end <= seen < end + 0.35  # ... and was delivered when its time was up


def test_a_live_tick_data_and_its_resampled_clone_run_together_and_the_clone_closes_on_time():
    n = 8
    df = pd.DataFrame({"open": 1.0, "high": 1.0, "low": 1.0, "close": [float(i) for i in range(n)],
                       "volume": 1.0}, index=pd.date_range("2026-01-05", periods=n, freq="s"))

    class Both(bt.Strategy):
        def __init__(self):
            self.ticks_seen, self.bars = [], {}

        def next(self):
            if not self.ticks_seen or self.ticks_seen[-1] != len(self.data0):
                self.ticks_seen.append(len(self.data0))
            d1 = self.data1
            if len(d1):
                self.bars[_epoch(d1)] = (d1.close[0], d1.volume[0],
                                         _dt.datetime.now(UTC).timestamp())
            if sum(v for _, v, _ in self.bars.values()) >= n:
                self.cerebro.runstop()

        prenext = next  # before the first 1 s bar closes

    data = ReplayLiveData(dataname=df, ticks=True, realtime=True, pace=0.09, hold=True,
                          timeframe=bt.TimeFrame.Ticks)
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(data)
    cerebro.resampledata(data, timeframe=bt.TimeFrame.Seconds, compression=1)
    cerebro.addstrategy(Both)
    strat = cerebro.run()[0]
    assert strat.ticks_seen == list(range(1, n + 1))  # the tick data saw every tick once
    ticks = [p for kind, p in data.sent if kind is Kind.TICK]
    last_end = max(strat.bars)
    assert last_end == math.ceil(round(ticks[-1]["time"], 6))
    assert strat.bars[last_end][0] == n - 1  # closed with the last tick's price
    assert last_end <= strat.bars[last_end][2] < last_end + 0.35  # on time, no tick after it
