"""``tradebridge`` entry point: ``backtest`` a strategy file on a CSV, ``optimize`` its
parameters over a grid; ``--version``.

Exit codes: 0 done, 2 bad input (missing file, unknown param, bad CSV, ...), 1 the
strategy itself raised.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .loader import FORMATS, UsageError, cast_params, load_data, load_strategy
from .summary import add_summary_analyzers, format_summary, summarize

__all__ = ["build_parser", "main", "run_backtest"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (``tradebridge --help``)."""
    from .. import __version__

    parser = argparse.ArgumentParser(prog="tradebridge",
                                     description="backtrader-compatible backtests, fast.")
    parser.add_argument("--version", action="version", version=f"tradebridge {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    bt = sub.add_parser("backtest", help="run a strategy file on a CSV and print a summary")
    bt.add_argument("strategy", help="STRATEGY.py or STRATEGY.py:ClassName")
    bt.add_argument("--data", required=True, help="CSV file with the bars")
    bt.add_argument("--format", choices=FORMATS, default="generic",
                    help="CSV layout (generic: header datetime/date,open,high,low,close,volume)")
    bt.add_argument("--cash", type=float, default=10_000.0, help="starting cash (10000)")
    bt.add_argument("--commission", type=float, default=0.0,
                    help="commission per trade as a fraction of value (0.001 = 0.1%%)")
    bt.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="strategy parameter, typed like its default (repeatable)")
    bt.add_argument("--plot", metavar="OUT.png", help="write the plot to this PNG")
    bt.add_argument("--style", default="candle", choices=("line", "candle", "bar"),
                    help="price style of --plot (candle)")
    bt.add_argument("--json", metavar="OUT.json", help="write the summary numbers as JSON")
    from ..sweep.cli import add_parser as add_optimize_parser

    add_optimize_parser(sub)
    sandbox = sub.add_parser("sandbox", help="run a venue sandbox (a local server speaking its protocol)")
    venues = sandbox.add_subparsers(dest="venue", required=True)
    from .sandbox_oanda import add_parser as add_oanda_sandbox

    add_oanda_sandbox(venues)
    from .sandbox_ib import add_parser as add_ib_sandbox

    add_ib_sandbox(venues)
    return parser


def run_backtest(stratcls: type, data: Any, params: dict[str, Any], cash: float = 10_000.0,
                 commission: float = 0.0) -> tuple[Any, Any]:
    """Run ``stratcls(**params)`` on ``data`` with the summary analyzers; (cerebro, strategy)."""
    from ..engine.cerebro import Cerebro

    cerebro = Cerebro()
    cerebro.adddata(data)
    cerebro.addstrategy(stratcls, **params)
    cerebro.broker.setcash(cash)
    if commission:
        cerebro.broker.setcommission(commission=commission)
    add_summary_analyzers(cerebro)
    return cerebro, cerebro.run()[0]


def save_plot(cerebro: Any, out: str, style: str = "candle", dpi: int = 100) -> Path:
    """Draw the run and save its first figure as a PNG (folders created)."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = cerebro.plot(style=style, dpi=dpi, show=False)[0][0]
    fig.savefig(path)
    return path


def _backtest(args: argparse.Namespace) -> int:
    stratcls = load_strategy(args.strategy)
    params = cast_params(stratcls, args.param)
    data = load_data(args.data, args.format)
    cerebro, strat = run_backtest(stratcls, data, params, args.cash, args.commission)
    summary = summarize(strat)
    print(format_summary(summary, title=f"{stratcls.__name__} on {Path(args.data).name}"))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        record = {"strategy": stratcls.__name__, "params": params, "data": args.data, **summary}
        Path(args.json).write_text(json.dumps(record, indent=2) + "\n")
    if args.plot:
        print(f"plot: {save_plot(cerebro, args.plot, args.style)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run; the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "optimize":
            from ..sweep.cli import optimize

            return optimize(args)
        if args.command == "sandbox":
            return int(args.run(args))
        return _backtest(args)
    except UsageError as exc:
        print(f"tradebridge: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
