"""Resampling edge cases against backtrader: late bars (takelate) and bars delivered on
another feed's clock (the check with a master feed when the source runs dry first)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import backtrader
import numpy as np
import pytest
from _resamplediff import assert_same_rows, intraday_bars

import tradebridge

TF = tradebridge.TimeFrame


def _late_rows(seed: int = 1) -> list[tuple]:
    """Minute bars where every 7th bar is stamped 3 minutes late (out of order)."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2021, 3, 1, 9, 31)
    rows = []
    for i in range(300):
        stamp = start + dt.timedelta(minutes=i - (3 if i % 7 == 6 else 0))
        o = 100 + rng.normal()
        rows.append((stamp, o, o + 1, o - 1, o + rng.normal() / 2, float(rng.integers(1, 100))))
    return rows


def _list_feed(bt: Any, rows: list[tuple]) -> Any:
    """A custom feed built the backtrader way: ``_load`` fills one bar at a time."""

    class ListFeed(bt.DataBase):
        def start(self) -> None:
            super().start()
            self._i = 0

        def _load(self) -> bool:
            if self._i >= len(rows):
                return False
            stamp, o, h, lo, c, v = rows[self._i]
            self._i += 1
            ln = self.lines
            ln.datetime[0] = bt.date2num(stamp)
            ln.open[0], ln.high[0], ln.low[0], ln.close[0], ln.volume[0] = o, h, lo, c, v
            ln.openinterest[0] = 0.0
            return True

    return ListFeed(timeframe=bt.TimeFrame.Minutes)


def _record(bt: Any, build: Any) -> list[tuple]:
    rows: list[tuple] = []

    class Recorder(bt.Strategy):
        def next(self) -> None:
            rec: list[float] = []
            for d in self.datas:
                rec.extend((len(d), d.datetime[0], d.open[0], d.high[0], d.low[0], d.close[0],
                            d.volume[0]))
            rows.append(tuple(rec))

    cerebro = bt.Cerebro(stdstats=False)
    build(bt, cerebro)
    cerebro.addstrategy(Recorder)
    cerebro.run(preload=False, runonce=False)
    return rows


@pytest.mark.parametrize("mode", ["resampledata", "replaydata"])
@pytest.mark.parametrize("takelate", [True, False])
def test_late_bars_follow_takelate_like_backtrader(mode: str, takelate: bool) -> None:
    def build(bt: Any, cerebro: Any) -> None:
        getattr(cerebro, mode)(_list_feed(bt, _late_rows()), timeframe=bt.TimeFrame.Minutes,
                               compression=5, takelate=takelate)

    expected = _record(backtrader, build)
    assert expected
    assert_same_rows(expected, _record(tradebridge, build))


@pytest.mark.parametrize("compression", [5, 30])
def test_resampled_bar_delivered_on_master_clock_like_backtrader(compression: int) -> None:
    longer = intraday_bars(days=3, seed=8)
    shorter = intraday_bars(days=2, seed=9, drop=0.3)

    def build(bt: Any, cerebro: Any) -> None:
        cerebro.adddata(bt.feeds.PandasData(dataname=longer, timeframe=bt.TimeFrame.Minutes))
        cerebro.resampledata(bt.feeds.PandasData(dataname=shorter, timeframe=bt.TimeFrame.Minutes),
                             timeframe=bt.TimeFrame.Minutes, compression=compression)

    expected = _record(backtrader, build)
    assert_same_rows(expected, _record(tradebridge, build))


def test_replay_strategy_length_and_sma_follow_backtrader() -> None:
    def lengths(bt: Any) -> list[tuple]:
        out: list[tuple] = []

        class Recorder(bt.Strategy):
            def __init__(self) -> None:
                self.sma = bt.indicators.SMA(self.data, period=2)

            def next(self) -> None:
                out.append((len(self), len(self.data), self.sma[0]))

        cerebro = bt.Cerebro(stdstats=False)
        cerebro.replaydata(bt.feeds.PandasData(dataname=intraday_bars(days=2)),
                           timeframe=bt.TimeFrame.Minutes, compression=30)
        cerebro.addstrategy(Recorder)
        cerebro.run(preload=False)
        return out

    expected, got = lengths(backtrader), lengths(tradebridge)
    assert got == expected  # strategy length, data length and SMA per replayed tick
