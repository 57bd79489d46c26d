"""optstrategy: the cartesian product of iterable params, on one process or a pool, gives
exactly the single runs' results (and backtrader's)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import backtrader
import pytest

import tradebridge


class FinalValueTB(tradebridge.Analyzer):
    """Final value and closed trades (module level: results cross process boundaries)."""

    def stop(self) -> None:
        self.rets["value"] = self.strategy.broker.getvalue()
        self.rets["trades"] = self.strategy.ntrades


class FinalValueBT(backtrader.Analyzer):
    stop = FinalValueTB.stop


def final_value_analyzer(lib: Any) -> type:
    return FinalValueTB if lib is tradebridge else FinalValueBT


def strategy(lib: Any) -> type:
    class Cross(lib.Strategy):
        params = dict(fast=5, slow=20)

        def __init__(self) -> None:
            self.x = lib.ind.CrossOver(lib.ind.SMA(period=self.p.fast), lib.ind.SMA(period=self.p.slow))
            self.ntrades = 0

        def notify_trade(self, trade: Any) -> None:
            self.ntrades += trade.isclosed

        def next(self) -> None:
            if self.x > 0:
                self.buy()
            elif self.x < 0 and self.position:
                self.close()

    return Cross


# a module-level name, so that an executor can pickle it
CrossTB = strategy(tradebridge)
CrossTB.__name__ = CrossTB.__qualname__ = "CrossTB"


def sweep(lib: Any, df: Any, maxcpus: int, executor: Any = None) -> dict[tuple, tuple]:
    cerebro = lib.Cerebro(maxcpus=maxcpus, stdstats=False)
    cerebro.adddata(lib.feeds.PandasData(dataname=df))
    cross = strategy(lib) if executor is None else CrossTB
    cerebro.optstrategy(cross, fast=[5, 8], slow=range(20, 41, 10))
    cerebro.addanalyzer(final_value_analyzer(lib), _name="fv")
    runs = cerebro.run() if executor is None else cerebro.run(executor=executor)
    assert all(len(r) == 1 for r in runs)
    out = {}
    for (strat,) in runs:
        an = strat.analyzers.fv.get_analysis()
        out[(strat.params.fast, strat.params.slow)] = (round(an["value"], 9), an["trades"])
    return out


def single(df: Any, fast: int, slow: int) -> tuple:
    cerebro = tradebridge.Cerebro(stdstats=False)
    cerebro.adddata(tradebridge.feeds.PandasData(dataname=df))
    cerebro.addstrategy(strategy(tradebridge), fast=fast, slow=slow)
    strat = cerebro.run()[0]
    return round(cerebro.broker.getvalue(), 9), strat.ntrades


@pytest.mark.parametrize("maxcpus", [1, 2])
def test_sweep_equals_single_runs_and_backtrader(maxcpus: int, bars: Any) -> None:
    ours = sweep(tradebridge, bars, maxcpus)
    assert sorted(ours) == [(f, s) for f in (5, 8) for s in (20, 30, 40)]
    for (fast, slow), result in ours.items():
        assert result == single(bars, fast, slow)
    assert ours == sweep(backtrader, bars, 1)


def test_a_thread_pool_executor_runs_combinations_side_by_side_with_single_run_results(bars: Any) -> None:
    # engines in threads of one process keep their own build stage and owners (they used to mix)
    with ThreadPoolExecutor(3) as pool:
        ours = sweep(tradebridge, bars, 2, executor=pool)
    assert ours == sweep(tradebridge, bars, 1)


def test_an_executor_given_a_strategy_defined_in_a_function_gets_an_error_saying_what_to_do(
        bars_short: Any) -> None:
    cerebro = tradebridge.Cerebro(stdstats=False)
    cerebro.adddata(tradebridge.feeds.PandasData(dataname=bars_short))
    cerebro.optstrategy(strategy(tradebridge), fast=(3, 4))
    with ThreadPoolExecutor(1) as pool, pytest.raises(TypeError, match=r"(?s)strategy.<locals>.Cross.*"
                                                      r"define classes at module level"):
        cerebro.run(executor=pool)


def test_optreturn_false_returns_full_strategies(bars_short: Any) -> None:
    cerebro = tradebridge.Cerebro(optreturn=False, maxcpus=1)
    cerebro.adddata(tradebridge.feeds.PandasData(dataname=bars_short))
    cerebro.optstrategy(strategy(tradebridge), fast=(3, 4))
    runs = cerebro.run()
    assert [type(r[0]).__name__ for r in runs] == ["Cross", "Cross"]
    assert [len(r[0]) for r in runs] == [len(bars_short)] * 2


@pytest.mark.parametrize("maxcpus", [1, 2])
def test_optcallback_runs_in_the_caller_once_per_combination(maxcpus: int, bars_short: Any) -> None:
    import os

    seen: list[tuple[int, int]] = []
    cerebro = tradebridge.Cerebro(maxcpus=maxcpus, stdstats=False)
    cerebro.adddata(tradebridge.feeds.PandasData(dataname=bars_short))
    cerebro.optstrategy(strategy(tradebridge), fast=(3, 4, 5))
    cerebro.optcallback(lambda result: seen.append((os.getpid(), result[0].params.fast)))
    cerebro.run()
    assert sorted(f for _, f in seen) == [3, 4, 5]
    assert {pid for pid, _ in seen} == {os.getpid()}
