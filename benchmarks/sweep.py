"""Parameter sweeps of the SMA crossover on seeded synthetic daily bars.

(a) a 5x5 grid on 20,000 bars: tradebridge's sweep on 2 local workers vs backtrader's
    ``optstrategy`` with ``maxcpus=2``, both computing the same analyzers (Sharpe, drawdown,
    returns, trades); checks every combination gives the same numbers; prints the ratio.
(b) a 20x20 grid on 100,000 bars: tradebridge serial, on 2 local workers and on a 2-worker
    dask LocalCluster; prints wall times and speed-ups.

    .venv/bin/python benchmarks/sweep.py [--bars-a 20000] [--bars-b 100000] [--grid-b 20]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

import backtrader
import pandas as pd
from sma_cross import bars, make_strategy

import tradebridge
from tradebridge.sweep import sweep


def _module_level(cls: type, name: str) -> type:
    """Name a class made by ``make_strategy`` as a global of this module, so that backtrader's
    process pool can pickle it and dask workers can rebuild it from this file."""
    cls.__qualname__ = cls.__name__ = name
    cls.__module__ = __name__
    globals()[name] = cls
    return cls


TBCross = _module_level(make_strategy(tradebridge), "TBCross")
BKCross = _module_level(make_strategy(backtrader), "BKCross")


class BKFinalValue(backtrader.Analyzer):
    def stop(self) -> None:
        self.rets["value"] = self.strategy.broker.getvalue()


def backtrader_sweep(df: pd.DataFrame, grid: dict[str, list[int]], maxcpus: int) -> pd.DataFrame:
    """backtrader's optstrategy over ``grid``, with the analyzers whose numbers tradebridge's
    sweep reports (its RunSummary gives exactly these; tests/analyzers/test_run_summary.py)."""
    bt = backtrader
    cerebro = bt.Cerebro(maxcpus=maxcpus, stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=df))
    cerebro.optstrategy(BKCross, **grid)
    cerebro.addanalyzer(bt.analyzers.SharpeRatio, _name="sharpe", timeframe=bt.TimeFrame.Days,
                        annualize=True, riskfreerate=0.0)
    cerebro.addanalyzer(bt.analyzers.DrawDown, _name="drawdown")
    cerebro.addanalyzer(bt.analyzers.Returns, _name="returns")
    cerebro.addanalyzer(bt.analyzers.TradeAnalyzer, _name="trades")
    cerebro.addanalyzer(BKFinalValue, _name="value")
    rows = []
    for (strat,) in cerebro.run():
        an = {name: a.get_analysis() for name, a in zip(strat.analyzers.getnames(), strat.analyzers)}
        trades = an["trades"]
        rows.append({"fast": strat.params.fast, "slow": strat.params.slow,
                     "final_value": an["value"]["value"],
                     "sharpe": an["sharpe"]["sharperatio"],
                     "max_drawdown_pct": an["drawdown"]["max"]["drawdown"],
                     "trades": trades.get("total", {}).get("closed", 0)})
    return pd.DataFrame(rows)


def _timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def part_a(n: int) -> bool:
    df = bars(n)
    grid = {"fast": [5, 10, 15, 20, 25], "slow": [30, 40, 50, 60, 70]}
    feed = tradebridge.feeds.PandasData(dataname=df)
    tb_s, tb = _timed(lambda: sweep(TBCross, feed, grid, workers=2, progress=False))
    bk_s, bk = _timed(lambda: backtrader_sweep(df, grid, maxcpus=2))
    cols = ["final_value", "sharpe", "max_drawdown_pct", "trades"]
    merged = tb.merge(bk, on=["fast", "slow"], suffixes=("", "_bk"))
    same = len(merged) == 25 and all(
        ((merged[c] - merged[c + "_bk"]).abs() <= 1e-9 * merged[c + "_bk"].abs().clip(lower=1)).all()
        for c in cols)
    print(f"(a) 5x5 grid, {n:,} bars, 2 workers")
    print(f"    tradebridge sweep:          {tb_s:8.2f} s  ({tb_s / 25:.3f} s per combination)")
    print(f"    backtrader optstrategy:     {bk_s:8.2f} s  ({bk_s / 25:.3f} s per combination)")
    print(f"    ratio: {bk_s / tb_s:.1f}x   same results (value, Sharpe, drawdown, trades): {same}")
    return same


def part_b(n: int, side: int) -> None:
    from distributed import Client, LocalCluster

    feed = tradebridge.feeds.PandasData(dataname=bars(n))
    grid = {"fast": list(range(2, 2 * side + 1, 2)), "slow": list(range(50, 50 + 10 * side, 10))}
    serial_s, serial = _timed(lambda: sweep(TBCross, feed, grid, progress=False))
    local_s, local = _timed(lambda: sweep(TBCross, feed, grid, workers=2, progress=False))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        dask_s, on_dask = _timed(lambda: sweep(TBCross, feed, grid, client=client, progress=False))
    same = all(serial.drop(columns="seconds").equals(x.drop(columns="seconds")) for x in (local, on_dask))
    print(f"(b) {side}x{side} grid, {n:,} bars")
    print(f"    serial:                     {serial_s:8.2f} s  ({serial_s / side**2:.3f} s per combination)")
    print(f"    2 local workers:            {local_s:8.2f} s  speed-up {serial_s / local_s:.2f}x")
    print(f"    2-worker dask LocalCluster: {dask_s:8.2f} s  speed-up {serial_s / dask_s:.2f}x")
    print(f"    same results in all three: {same}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bars-a", type=int, default=20_000)
    ap.add_argument("--bars-b", type=int, default=100_000)
    ap.add_argument("--grid-b", type=int, default=20, help="side of the (b) grid (20: 20x20)")
    ap.add_argument("--skip-a", action="store_true")
    args = ap.parse_args(argv)
    same = True if args.skip_a else part_a(args.bars_a)
    part_b(args.bars_b, args.grid_b)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
