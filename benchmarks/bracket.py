"""SMA(10)/SMA(30) crossover entering with a bracket (stop -2 %, take-profit +4 %) on
seeded synthetic daily bars: tradebridge vs backtrader in one run, same results required.

    .venv/bin/python benchmarks/bracket.py [--bars 100000]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from _common import compare
from sma_cross import bars


def make_strategy(bt: Any) -> type:
    class BracketCross(bt.Strategy):
        def __init__(self) -> None:
            self.cross = bt.ind.CrossOver(bt.ind.SMA(period=10), bt.ind.SMA(period=30))
            self.live: list[Any] = []
            self.trades = 0

        def notify_order(self, order: Any) -> None:
            if not order.alive() and order in self.live:
                self.live.remove(order)

        def notify_trade(self, trade: Any) -> None:
            if trade.isclosed:
                self.trades += 1

        def next(self) -> None:
            if self.live or self.position or self.cross <= 0:
                return
            close = self.data.close[0]
            self.live = self.buy_bracket(exectype=bt.Order.Market, size=10,
                                         stopprice=close * 0.98, limitprice=close * 1.04)

    return BracketCross


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bars", type=int, default=100_000)
    args = ap.parse_args(argv)
    return 0 if compare(bars(args.bars), make_strategy) else 1


if __name__ == "__main__":
    sys.exit(main())
