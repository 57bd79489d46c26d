"""Portfolio valuation arithmetic and the record of bars valued late.

The backtest broker values its account after every bar, as backtrader does. While the
engine steps one preloaded data, a bar on which the broker has nothing to do changes nothing
but the close, so its value can wait until someone reads it. ``DeferredValues`` keeps the
stretches of such bars with the account they saw (cash, one stock position), values them
all in one array pass when the value is read (often only at the end of the run) and writes
each bar's cash and value where observers and analyzers asked for them.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

__all__ = ["DeferredValues", "add_unlevered", "add_unlevered_array", "stock_parts"]

_BATCH = 32  # held bars from which one array pass beats valuing them one by one
_BOUND = 1 << 15  # held bars that are valued at once, whether read or not (memory)


def stock_parts(size: Any, price: Any, close: Any, mult: Any) -> tuple[Any, Any]:
    """(value, unrealized profit) of ``size`` units bought at ``price``, at ``close``:
    CommInfoBase's stock-like formulas, for numbers or arrays alike."""
    return size * close, size * (close - price) * mult


def add_unlevered(acc: float, dvalue: float, dunrealized: float, lev: float) -> float:
    """``acc`` plus what a position worth ``dvalue`` adds to the account: of a long one only
    the unlevered part and its profit (summed in backtrader's order, to the last bit)."""
    if dvalue > 0:
        acc += (dvalue - dunrealized) / lev
        return acc + dunrealized
    return acc + dvalue


def add_unlevered_array(acc: float, dvalue: np.ndarray, dunrealized: np.ndarray,
                        lev: np.ndarray) -> np.ndarray:
    """``add_unlevered`` element by element: the same operations in the same order, so
    each element is the scalar function's result to the last bit (tested)."""
    long = np.add(acc, (dvalue - dunrealized) / lev)
    long += dunrealized
    return np.where(dvalue > 0, long, np.add(acc, dvalue))


_Held = tuple[int, int, float, float, float, float, float]


class DeferredValues:
    """Which bars of one data wait to be valued, and the arrays their figures go into."""

    __slots__ = ("clock", "closes", "offset", "sinks", "valued", "eager", "last", "_held",
                 "_nheld")

    def __init__(self, clock: Any, closes: array, offset: int) -> None:
        self.clock = clock  # the data's clock: its idx is the current bar
        self.closes = closes  # the data's close array (preloaded: every bar is there)
        self.offset = offset  # a bar's index in the sinks minus its index in the data
        self.valued = clock.idx  # the last bar valued or held to be valued
        self.eager = clock.idx  # the last bar the broker valued itself (its figures are set)
        self.sinks: list[tuple[array | None, array | None]] = []  # (cash, value) per step
        # the last bar valued from what was held: (bar, value, parts) as the broker sums them
        self.last: tuple[int, float, tuple[float, float, float, float]] | None = None
        self._held: list[_Held] = []
        self._nheld = 0

    @property
    def holding(self) -> bool:
        """Whether bars wait to be valued."""
        return bool(self._held)

    def hold(self, start: int, end: int, cash: float, size: float, price: float, mult: float,
             lev: float) -> None:
        """Bars ``start``..``end`` saw ``cash`` and ``size`` units of a stock-like position
        bought at ``price`` (size 0: none): value them at the next ``flush``."""
        self._held.append((start, end, cash, size, price, mult, lev))
        self._nheld += end - start + 1
        if self._nheld >= _BOUND:
            self.flush()

    def flush(self) -> None:
        """Value every held bar and record them; ``last`` is then the last of them."""
        held = self._held
        if not held:
            return
        self._held = []
        n, self._nheld = self._nheld, 0
        if n < _BATCH:
            for segment in held:
                self._value_one_by_one(*segment)
        else:
            self._value_in_one_pass(held)

    def _value_one_by_one(self, start: int, end: int, cash: float, size: float, price: float,
                          mult: float, lev: float) -> None:
        closes = self.closes
        value, parts = cash + 0.0, (cash, 0.0, 0.0, 0.0)  # no position: nothing summed
        for bar in range(start, end + 1):
            if size:
                dvalue, dunrealized = stock_parts(size, price, closes[bar], mult)
                unlevered = add_unlevered(0.0, dvalue, dunrealized, lev)
                value = cash + unlevered
                parts = (cash, 0.0 + dvalue, unlevered, 0.0 + dunrealized)
            self.record_at(bar, cash, value)
        self.last = (end, value, parts)

    def _value_in_one_pass(self, held: list[_Held]) -> None:
        cols = np.array(held, dtype=np.float64)
        starts, lengths = cols[:, 0].astype(np.int64), (cols[:, 1] - cols[:, 0] + 1).astype(np.int64)
        bars = np.arange(int(lengths.sum())) + np.repeat(starts - (np.cumsum(lengths) - lengths),
                                                          lengths)
        view = np.frombuffer(self.closes, dtype=np.float64)
        close = view[bars]  # a copy: the close array is not held
        del view
        cash, size, price, mult, lev = (np.repeat(cols[:, j], lengths) for j in range(2, 7))
        dvalue, dunrealized = stock_parts(size, price, close, mult)
        unlevered = add_unlevered_array(0.0, dvalue, dunrealized, lev)
        flat = size == 0  # no position: the broker sums nothing (whatever the close)
        values = np.where(flat, cash + 0.0, cash + unlevered)
        self._write(bars + self.offset, cash, values)
        if flat[-1]:
            parts = (cash[-1], 0.0, 0.0, 0.0)
        else:
            parts = (cash[-1], 0.0 + dvalue[-1], unlevered[-1], 0.0 + dunrealized[-1])
        self.last = (int(bars[-1]), float(values[-1]), tuple(float(x) for x in parts))  # type: ignore[assignment]

    def _write(self, steps: np.ndarray, cash: np.ndarray, values: np.ndarray) -> None:
        for cash_a, value_a in self.sinks:
            for sink, figures in ((cash_a, cash), (value_a, values)):
                if sink is not None:
                    view = np.frombuffer(sink, dtype=np.float64)
                    view[steps] = figures
                    del view  # no buffer left exported: the array may grow or shrink again

    def record_now(self, cash: float, value: float) -> None:
        """The broker's own figures for the current bar (valued now, or changed after: cash
        set or added); they are newer than anything held."""
        self.eager = self.clock.idx
        self.record_at(self.eager, cash, value)

    def record_at(self, bar: int, cash: float, value: float) -> None:
        """One bar's figures."""
        i = bar + self.offset
        if i < 0:
            return
        for cash_a, value_a in self.sinks:
            if cash_a is not None:
                cash_a[i] = cash
            if value_a is not None:
                value_a[i] = value
