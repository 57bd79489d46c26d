"""Analyzers survive an optimization across processes: results equal a single-process run."""

from __future__ import annotations

from typing import Any

from _andiff import assert_same

import tradebridge as tb
from tradebridge.utils.synthetic import synthetic_ohlcv
from tradebridge.utils.timeframe import TimeFrame as TF

BARS = synthetic_ohlcv(300, seed=5)
NAMES = ["TradeAnalyzer", "SharpeRatio", "SharpeRatio_A", "TimeReturn", "VWR", "Calmar",
         "LogReturnsRolling", "Transactions", "AnnualReturn", "PeriodStats", "TimeDrawDown",
         "Returns", "SQN", "DrawDown", "GrossLeverage", "PositionsValue"]


class Cross(tb.Strategy):
    """SMA crossover reversing between +10 and -10 units (module level: picklable)."""

    params = (("fast", 10),)

    def __init__(self) -> None:
        self.cross = tb.indicators.CrossOver(tb.indicators.SMA(period=self.p.fast),
                                             tb.indicators.SMA(period=30))

    def next(self) -> None:
        if self.cross[0] > 0:
            self.order_target_size(target=10)
        elif self.cross[0] < 0:
            self.order_target_size(target=-10)


def _optimize(maxcpus: int) -> list[dict[str, Any]]:
    cerebro = tb.Cerebro(maxcpus=maxcpus)
    data = cerebro.adddata(tb.feeds.PandasData(dataname=BARS))
    cerebro.optstrategy(Cross, fast=[5, 8, 12])
    for name in NAMES:
        cerebro.addanalyzer(getattr(tb.analyzers, name), _name=name)
    cerebro.addanalyzer(tb.analyzers.TimeReturn, _name="bench", data=data, timeframe=TF.Weeks)
    return [{n: getattr(r[0].analyzers, n).get_analysis() for n in [*NAMES, "bench"]}
            for r in cerebro.run()]


def test_optimization_in_worker_processes_returns_the_same_analyses() -> None:
    assert_same(_optimize(1), _optimize(2))
