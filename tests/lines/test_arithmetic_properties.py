"""Property tests: line expressions built in __init__ compute, in both drive modes,
exactly what the same Python arithmetic gives on the current values."""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tradebridge as bt

OPS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, ">": operator.gt,
    "<": operator.lt, ">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
}


def frame(values: list[float]) -> pd.DataFrame:
    idx = pd.date_range("2020-01-01", periods=len(values), freq="D")
    v = np.asarray(values)
    return pd.DataFrame({"open": v, "high": v + 1, "low": v - 1, "close": v, "volume": 1.0,
                         "openinterest": 0.0}, index=idx)


def run(df: pd.DataFrame, build: Any, runonce: bool) -> list[tuple[float, float]]:
    """(line value, expected value) at every bar."""
    out: list[tuple[float, float]] = []

    class S(bt.Strategy):
        def __init__(self) -> None:
            self.expr, self.expect = build(self.data)

        def next(self) -> None:
            out.append((self.expr[0], self.expect(self.data)))

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=df))
    cerebro.addstrategy(S)
    cerebro.run(runonce=runonce)
    return out


def same(a: float, b: float) -> bool:
    if isinstance(b, bool):
        b = float(b)
    return (math.isnan(a) and math.isnan(b)) or a == b


prices = st.lists(st.floats(min_value=1.0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2)),
                  min_size=3, max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=prices, op=st.sampled_from(sorted(OPS)), const=st.floats(-100, 100),
       runonce=st.booleans(), delay=st.integers(0, 2))
def test_binary_ops_between_lines_and_numbers(values: list[float], op: str, const: float,
                                              runonce: bool, delay: int) -> None:
    f = OPS[op]

    def build(d: Any) -> tuple[Any, Any]:
        left = d.close(-delay) if delay else d.close
        expr = f(f(left, d.high), const)
        return expr, lambda d: f(f(d.close[-delay], d.high[0]), const)

    rows = run(frame(values), build, runonce)
    assert len(rows) == len(values) - delay
    assert all(same(a, b) for a, b in rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=prices, runonce=st.booleans())
def test_logic_functions_follow_python_semantics(values: list[float], runonce: bool) -> None:
    def build(d: Any) -> tuple[Any, Any]:
        expr = bt.If(d.close > d.open(-1), bt.Max(d.close, d.low, 0.5), bt.Min(d.high, d.close(-1)))
        expr = expr + bt.And(d.close > 0, d.high) - bt.Or(d.close < 0, 2.0)
        expr = expr + bt.All(d.close, d.high) + bt.Any(d.close < -5, 0.0) + bt.Sum(d.close, d.low, 1.0)

        def expect(d: Any) -> float:
            c, h, lo, o1, c1 = d.close[0], d.high[0], d.low[0], d.open[-1], d.close[-1]
            v = max(c, lo, 0.5) if c > o1 else min(h, c1)
            v = v + float((c > 0) and h) - float((c < 0) or 2.0)
            return v + float(all((c, h))) + float(any((c < -5, 0.0))) + math.fsum((c, lo, 1.0))

        return expr, expect

    rows = run(frame(values), build, runonce)
    assert len(rows) == len(values) - 1
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9) for a, b in rows)


def test_operators_on_values_inside_next() -> None:
    """In next(), comparisons and arithmetic on lines give plain Python values."""
    seen: list[Any] = []

    class S(bt.Strategy):
        def __init__(self) -> None:
            self.sma = bt.ind.SMA(period=2)

        def next(self) -> None:
            seen.append((self.sma > 1, self.data.close - 1, -self.data.close, abs(self.data.close)))

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=frame([1.5, 2.5, 3.0])))
    cerebro.addstrategy(S)
    cerebro.run()
    assert seen == [(True, 1.5, -2.5, 2.5), (True, 2.0, -3.0, 3.0)]


def test_negative_prices_are_kept_with_a_warning() -> None:
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=frame([3.0, -2.0, 3.0])))
    cerebro.addstrategy(bt.Strategy)
    with pytest.warns(UserWarning, match="negative close value.*row 1"):
        cerebro.run()


@pytest.mark.parametrize("runonce", [True, False])
def test_forward_line_places_each_value_n_bars_back(runonce: bool) -> None:
    """``line(+2)`` (backtrader's forward line): the value of bar i shows at bar i-2."""
    final: dict[str, Any] = {}

    class S(bt.Strategy):
        def __init__(self) -> None:
            self.fwd = self.data.close(2)
            self.div = bt.DivByZero(self.data.close, self.data.close - self.data.close, zero=-1.0)

        def next(self) -> None:
            final["div"] = self.div[0]

        def stop(self) -> None:
            final["fwd"] = list(self.fwd.array)

    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=frame(values)))
    cerebro.addstrategy(S)
    cerebro.run(runonce=runonce)
    assert final["fwd"][:3] == [3.0, 4.0, 5.0]
    assert final["div"] == -1.0
