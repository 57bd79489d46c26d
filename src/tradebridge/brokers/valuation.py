"""Portfolio valuation arithmetic and the record of bars valued late.

The backtest broker values its account after every bar, as backtrader does. While the
engine steps one preloaded data, a bar on which the broker has nothing to do changes nothing
but the close, so its value can wait until someone reads it; ``DeferredValues`` keeps which
bars wait and writes each one's cash and value, once computed, where observers and analyzers
asked for them.
"""

from __future__ import annotations

from array import array
from typing import Any

__all__ = ["DeferredValues", "add_unlevered"]


def add_unlevered(acc: float, dvalue: float, dunrealized: float, lev: float) -> float:
    """``acc`` plus what a position worth ``dvalue`` adds to the account: of a long one only
    the unlevered part and its profit (summed in backtrader's order, to the last bit)."""
    if dvalue > 0:
        acc += (dvalue - dunrealized) / lev
        return acc + dunrealized
    return acc + dvalue


class DeferredValues:
    """Which bars of one data wait to be valued, and the arrays their figures go into."""

    __slots__ = ("clock", "closes", "offset", "sinks", "valued")

    def __init__(self, clock: Any, closes: array, offset: int) -> None:
        self.clock = clock  # the data's clock: its idx is the current bar
        self.closes = closes  # the data's close array (preloaded: every bar is there)
        self.offset = offset  # a bar's index in the sinks minus its index in the data
        self.valued = clock.idx  # the last bar valued
        self.sinks: list[tuple[array | None, array | None]] = []  # (cash, value) per step

    def record(self, start: int, end: int, cash: float, values: list[float] | None) -> None:
        """Bars ``start``..``end`` were valued: cash ``cash`` throughout, value ``values``
        (bar by bar) or, when None, the cash."""
        lo, hi = start + self.offset, end + 1 + self.offset
        flat = array("d", (cash,)) * (hi - lo)
        vals = flat if values is None else array("d", values)
        for cash_a, value_a in self.sinks:
            if cash_a is not None:
                cash_a[lo:hi] = flat
            if value_a is not None:
                value_a[lo:hi] = vals

    def record_now(self, cash: float, value: float) -> None:
        """The current bar's figures: valued now, or changed after (cash set or added)."""
        i = self.clock.idx + self.offset
        if i < 0:
            return
        for cash_a, value_a in self.sinks:
            if cash_a is not None:
                cash_a[i] = cash
            if value_a is not None:
                value_a[i] = value
