"""SMA(10)/SMA(30) crossover on the bundled sample data: prints a summary, writes a plot.

    python examples/sma_cross.py [--plot out/sma_cross.png] [--fast 10] [--slow 30]
"""

from __future__ import annotations

import argparse

import tradebridge as bt
from tradebridge.cli.main import run_backtest, save_plot
from tradebridge.cli.summary import format_summary, summarize
from tradebridge.data import sample_csv


class SmaCross(bt.Strategy):
    """Go long when the fast SMA crosses above the slow one; close when it crosses below."""

    params = (("fast", 10), ("slow", 30), ("percents", 90))

    def __init__(self) -> None:
        fast = bt.indicators.SMA(period=self.p.fast)
        slow = bt.indicators.SMA(period=self.p.slow)
        self.cross = bt.indicators.CrossOver(fast, slow)
        self.setsizer(bt.sizers.PercentSizer(percents=self.p.percents))

    def next(self) -> None:
        if not self.position and self.cross > 0:
            self.buy()
        elif self.position and self.cross < 0:
            self.close()


def main() -> None:
    """Backtest on the bundled CSV, print the summary table, save the plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", default="out/sma_cross.png", help="PNG to write")
    parser.add_argument("--fast", type=int, default=10)
    parser.add_argument("--slow", type=int, default=30)
    args = parser.parse_args()
    from tradebridge.cli.loader import load_data

    data = load_data(str(sample_csv()))
    cerebro, strat = run_backtest(SmaCross, data, {"fast": args.fast, "slow": args.slow})
    print(format_summary(summarize(strat), title=f"SmaCross({args.fast}, {args.slow})"))
    print(f"plot: {save_plot(cerebro, args.plot)}")


if __name__ == "__main__":
    main()
