"""Orders on replayed data fill against the smaller bar being merged (``tick_*``), not the larger
bar being rebuilt: every order, trade and the final value equal backtrader's, in each drive mode."""

from __future__ import annotations

from typing import Any

import backtrader as bt
import pytest
from _enginediff import assert_same_logs, log_order, log_trade, run_log

import tradebridge as tb
from tradebridge.utils.synthetic import synthetic_ohlcv

ORDERS = {
    "Market": {},
    "Close": {},
    "Limit": {"price": 0.99},
    "Stop": {"price": 1.01},
    "StopLimit": {"price": 1.01, "plimit": 1.02},
    "StopTrail": {"trailpercent": 0.02},
}


def _strategy(exectype: str) -> Any:
    def make(lib: Any) -> type:
        class Replayed(lib.Strategy):
            def __init__(self) -> None:
                self.log: list[tuple] = []
                self.sma = lib.ind.SMA(period=3)

            def notify_order(self, order: Any) -> None:
                log_order(self, order)

            def notify_trade(self, trade: Any) -> None:
                log_trade(self, trade)

            def next(self) -> None:
                d = self.data
                self.log.append(("bar", len(self), d.datetime[0], d.open[0], d.high[0], d.close[0]))
                if len(self) % 4:
                    return
                if self.position:
                    self.close()
                    return
                kw: dict[str, Any] = {"exectype": getattr(lib.Order, exectype)}
                for name, factor in ORDERS[exectype].items():
                    kw[name] = factor if name == "trailpercent" else d.close[0] * factor
                self.buy(**kw)

        return Replayed

    return make


def _weekly_replay(lib: Any, cerebro: Any, df: Any, i: int) -> None:
    cerebro.replaydata(lib.feeds.PandasData(dataname=df), timeframe=lib.TimeFrame.Weeks)


@pytest.mark.parametrize("mode", [{}, {"preload": False}, {"runonce": False}], ids=str)
@pytest.mark.parametrize("exectype", list(ORDERS))
def test_orders_on_a_weekly_replay_of_daily_bars_fill_as_in_backtrader(exectype: str, mode: dict) -> None:
    df = synthetic_ohlcv(300, seed=3, start="2020-01-01", freq="D")
    make = _strategy(exectype)
    ours = run_log(tb, make, [df], adddata=_weekly_replay, **mode)
    ref = run_log(bt, make, [df], adddata=_weekly_replay, **mode)
    assert any(e[0] == "order" and e[2] == "Completed" for e in ours)
    assert_same_logs(ours, ref)


def test_a_replayed_data_offers_the_merged_smaller_bar_as_its_tick() -> None:
    df = synthetic_ohlcv(10, seed=3, start="2020-01-01", freq="D")
    seen: list[tuple] = []

    class Probe(tb.Strategy):
        def next(self) -> None:
            d = self.data
            seen.append((d.open[0], d.tick_open, d.tick_close, d.tick_last, d.close[0]))

    cerebro = tb.Cerebro(stdstats=False)
    cerebro.replaydata(tb.feeds.PandasData(dataname=df), timeframe=tb.TimeFrame.Weeks)
    cerebro.addstrategy(Probe)
    cerebro.run()
    assert [s[1] for s in seen] == list(df["open"])  # each day's own open, not the week's
    assert all(s[0] == df["open"].iloc[0] for s in seen[:5])  # the rebuilt bar keeps the week's
    assert all(s[2] == s[3] == s[4] for s in seen)
