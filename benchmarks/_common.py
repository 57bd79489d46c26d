"""Shared measuring code for the benchmarks: one default ``cerebro.run()`` per library on
the same seeded bars, wall time, peak traced memory, and a printed comparison."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import backtrader
import pandas as pd

import tradebridge

LIBS = {"tradebridge": tradebridge, "backtrader": backtrader}


def run(bt: Any, df: pd.DataFrame, make_strategy: Callable[[Any], type],
        memory: bool = False) -> dict[str, float]:
    """One default ``cerebro.run()`` of ``make_strategy(bt)`` on ``df``."""
    gc.collect()
    cerebro = bt.Cerebro()
    cerebro.adddata(bt.feeds.PandasData(dataname=df))
    cerebro.addstrategy(make_strategy(bt))
    if memory:
        tracemalloc.start()
    t0 = time.perf_counter()
    strat = cerebro.run()[0]
    elapsed = time.perf_counter() - t0
    peak = 0
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"seconds": elapsed, "value": cerebro.broker.getvalue(), "trades": strat.trades,
            "peak": peak}


def compare(df: pd.DataFrame, make_strategy: Callable[[Any], type], repeat: int = 3) -> bool:
    """Time both libraries (best of ``repeat`` for tradebridge), print bars/s, ratio, memory."""
    n = len(df)
    tb = min((run(tradebridge, df, make_strategy) for _ in range(repeat)),
             key=lambda r: r["seconds"])
    bk = run(backtrader, df, make_strategy)
    tbm = run(tradebridge, df, make_strategy, memory=True)["peak"]
    bkm = run(backtrader, df, make_strategy, memory=True)["peak"]
    same = abs(tb["value"] - bk["value"]) < 1e-6 and tb["trades"] == bk["trades"]
    print(f"bars: {n:,}")
    for name, r, m in (("tradebridge", tb, tbm), ("backtrader", bk, bkm)):
        print(f"{name + ':':<13}{n / r['seconds']:>12,.0f} bars/s  ({r['seconds']:.3f} s)  "
              f"peak {m / 2**20:.1f} MiB  value {r['value']:.2f}  trades {r['trades']}")
    print(f"speed ratio: {bk['seconds'] / tb['seconds']:.1f}x   memory ratio: {tbm / bkm:.2f}  "
          f"same result: {same}")
    return same


def scaling(make_df: Callable[[int], pd.DataFrame], make_strategy: Callable[[Any], type],
            bars: int) -> None:
    """tradebridge's time on ``bars`` and on 10x ``bars``: cost should grow linearly."""
    small = min(run(tradebridge, make_df(bars), make_strategy)["seconds"] for _ in range(2))
    big = run(tradebridge, make_df(bars * 10), make_strategy)["seconds"]
    print(f"scaling: {bars * 10:,} bars in {big:.3f} s = {big / small:.1f}x the time of "
          f"{bars:,} ({small:.3f} s)")
