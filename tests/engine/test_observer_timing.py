"""Inside next(), an observer's [0] is still the previous step's value (it records after
next), and the params/indicator accessors backtrader offers exist."""

from __future__ import annotations

from typing import Any

from _enginediff import compare


def reader(lib: Any) -> type:
    class Reader(lib.Strategy):
        def __init__(self) -> None:
            self.sma = lib.ind.SMA(period=5)
            self.log: list[tuple] = []

        def next(self) -> None:
            self.log.append(("obs", len(self), self.stats.broker.value[0], self.stats.broker.cash[0],
                             len(self.stats.broker), len(self.getindicators())))
            if len(self) % 7 == 0:
                self.buy(size=2) if not self.position else self.close()

    return Reader


def test_observer_values_inside_next_match_backtrader(bars_short: Any) -> None:
    compare(reader, [bars_short])


def test_params_accessors() -> None:
    import tradebridge as bt

    class A(bt.Strategy):
        params = (("x", 1), ("y", 2))

    class B(A):
        params = dict(y=3, z=4)

    assert B.params._getdefault("y") == 3
    assert B.params._getkwargsdefault() == {"x": 1, "y": 3, "z": 4}
    assert B.params._getpairsbase() == {"x": 1, "y": 2}
    assert bt.timer.SESSION_START == bt.Timer.SESSION_START
