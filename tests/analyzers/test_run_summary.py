"""RunSummary gives the numbers SharpeRatio(Days, annualised), DrawDown, Returns and
TradeAnalyzer give, on daily and on intraday bars."""

from __future__ import annotations

import math
from typing import Any

import pytest

import tradebridge as bt
from tradebridge.utils.synthetic import synthetic_ohlcv


class Cross(bt.Strategy):
    def __init__(self) -> None:
        self.x = bt.ind.CrossOver(bt.ind.SMA(period=5), bt.ind.SMA(period=20))

    def next(self) -> None:
        if not self.position and self.x > 0:
            self.buy(size=20)
        elif self.position and self.x < 0:
            self.close()


def close_enough(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("freq,n", [("B", 1500), ("5min", 3000)])
def test_summary_equals_the_four_analyzers(freq: str, n: int) -> None:
    cerebro = bt.Cerebro()
    cerebro.adddata(bt.feeds.PandasData(dataname=synthetic_ohlcv(n, seed=9, freq=freq)))
    cerebro.addstrategy(Cross)
    cerebro.addanalyzer(bt.analyzers.RunSummary, _name="s")
    cerebro.addanalyzer(bt.analyzers.SharpeRatio, _name="sharpe", timeframe=bt.TimeFrame.Days,
                        annualize=True, riskfreerate=0.0)
    cerebro.addanalyzer(bt.analyzers.DrawDown, _name="dd")
    cerebro.addanalyzer(bt.analyzers.Returns, _name="ret")
    cerebro.addanalyzer(bt.analyzers.TradeAnalyzer, _name="ta")
    strat = cerebro.run()[0]
    an = strat.analyzers
    s = an.s.get_analysis()
    ta = an.ta.get_analysis()
    assert s["trades"] == ta.total.closed > 5
    assert close_enough(s["win_rate_pct"], ta.won.total / ta.total.closed * 100.0)
    assert close_enough(s["sharpe"], an.sharpe.get_analysis()["sharperatio"])
    assert close_enough(s["max_drawdown_pct"], an.dd.get_analysis().max.drawdown)
    assert close_enough(s["annual_return_pct"], an.ret.get_analysis()["rnorm100"])
    assert close_enough(s["final_value"], cerebro.broker.getvalue())
    assert s["bars"] == len(strat)


def test_summary_of_a_run_without_trades() -> None:
    cerebro = bt.Cerebro()
    cerebro.adddata(bt.feeds.PandasData(dataname=synthetic_ohlcv(50, seed=1)))
    cerebro.addstrategy(bt.Strategy)
    cerebro.addanalyzer(bt.analyzers.RunSummary, _name="s")
    s = cerebro.run()[0].analyzers.s.get_analysis()
    assert s["trades"] == 0 and s["win_rate_pct"] is None and s["sharpe"] is None
    assert s["max_drawdown_pct"] == 0.0 and s["total_return_pct"] == 0.0
