"""SMA(10)/SMA(30) crossover with market orders on seeded synthetic daily bars:
tradebridge vs backtrader in the same process. Prints bars/s, the ratio, peak memory,
and checks both end with the same final value and trade count.

    .venv/bin/python benchmarks/sma_cross.py [--bars 100000] [--scale]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from _common import compare, scaling

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


def bars(n: int) -> Any:
    """Seeded daily bars without drift, so prices stay tradable over 100,000+ bars."""
    return synthetic_ohlcv(n, seed=1, start="0800-01-01", freq="D", drift=0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bars", type=int, default=100_000)
    ap.add_argument("--scale", action="store_true", help="also time tradebridge on 10x bars")
    args = ap.parse_args(argv)
    same = compare(bars(args.bars), make_strategy)
    if args.scale:
        scaling(bars, make_strategy, args.bars)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
