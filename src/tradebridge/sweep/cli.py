"""``tradebridge optimize``: a parameter sweep from the command line.

    tradebridge optimize strat.py:SmaCross --data bars.csv --param fast=5:50:5 \\
        --param slow=20:200:10 --workers 2 --metric sharpe --out results.parquet \\
        --heatmap fast,slow heat.png
"""

from __future__ import annotations

import argparse
from typing import Any

from ..cli.loader import FORMATS, UsageError, cast_params, load_data, load_strategy
from .grid import parse_param
from .worker import METRICS

__all__ = ["add_parser", "optimize"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``optimize`` subcommand on ``sub`` (an argparse subparsers object)."""
    op = sub.add_parser("optimize", help="sweep strategy parameters over a grid (local or dask)")
    op.add_argument("strategy", help="STRATEGY.py or STRATEGY.py:ClassName")
    op.add_argument("--data", required=True, help="CSV file with the bars")
    op.add_argument("--format", choices=FORMATS, default="generic", help="CSV layout (generic)")
    op.add_argument("--param", action="append", default=[], required=True,
                    metavar="NAME=START:STOP:STEP|A,B,C",
                    help="swept parameter; a range includes STOP (repeatable)")
    where = op.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, help="local worker processes (1)")
    where.add_argument("--scheduler", metavar="tcp://HOST:8786", help="dask scheduler address")
    op.add_argument("--metric", default="sharpe",
                    help=f"sort by this column ({', '.join(METRICS)}, or an analyzer column)")
    op.add_argument("--out", metavar="RESULTS.parquet|.csv",
                    help="write the table here; a sweep started again with it resumes")
    op.add_argument("--heatmap", nargs=2, metavar=("X,Y", "OUT.png"),
                    help="PNG of the metric over two parameters")
    op.add_argument("--cash", type=float, default=10_000.0, help="starting cash (10000)")
    op.add_argument("--commission", type=float, default=0.0, help="commission as a fraction of value")
    op.add_argument("--batch-size", type=int, help="combinations per task (default: ~8 tasks per worker)")
    op.add_argument("--top", type=int, default=10, help="rows to print (10)")
    return op


def _grid(stratcls: type, specs: list[str]) -> dict[str, list[Any]]:
    """``--param`` specs as typed value lists (typed like each parameter's default)."""
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        try:
            name, raws = parse_param(spec)
        except ValueError as exc:
            raise UsageError(f"--param {exc}") from None
        if name in grid:
            raise UsageError(f"--param {name} given twice")
        grid[name] = [cast_params(stratcls, [f"{name}={raw}"])[name] for raw in raws]
    return grid


def optimize(args: argparse.Namespace) -> int:
    """Run the sweep the parsed ``args`` describe; print the best rows."""
    from .heatmap import heatmap
    from .results import resolve_metric
    from .runner import sweep

    stratcls = load_strategy(args.strategy)
    grid = _grid(stratcls, args.param)
    axes = [a.strip() for a in args.heatmap[0].split(",")] if args.heatmap else []
    if args.heatmap:
        if len(axes) != 2 or not set(axes) <= set(grid):
            raise UsageError(f"--heatmap {args.heatmap[0]}: name two swept parameters as X,Y")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    data = load_data(args.data, args.format)
    if args.scheduler:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError("--scheduler needs dask: pip install 'tradebridge[dist]'") from None
    try:
        df = sweep(stratcls, data, grid, metric=args.metric, out=args.out, workers=args.workers,
                   scheduler=args.scheduler, cash=args.cash, commission=args.commission,
                   batch_size=args.batch_size)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    failed = int(df["error"].notna().sum())
    print(f"{len(df)} combinations of {stratcls.__name__}" + (f", {failed} failed" if failed else ""))
    shown = [*grid, *METRICS] + (["error"] if failed else [])
    print(df[shown].head(args.top).to_string(index=False))
    if args.out:
        print(f"results: {args.out}")
    if args.heatmap:
        metric = resolve_metric(args.metric, df.columns)
        print(f"heatmap: {heatmap(df, axes[0], axes[1], metric, args.heatmap[1])}")
    return 0
