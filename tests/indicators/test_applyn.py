"""The window operations (ApplyN, ReduceN, AllN, AnyN, FindFirst/LastIndex*, Accum) match
backtrader at every bar, both modes; fixes and bad input are checked against tradebridge alone."""

from __future__ import annotations

import math
import operator
from typing import Any

import backtrader
import pytest
from _decl import assert_same_declarations
from _diff import check_too_short, compare_same, record

import tradebridge


def _spread(w: list[float]) -> float:
    return w[-1] - w[0]


def _third(w: list[float]) -> float:
    return sorted(w)[2]


def _rounded(i: Any, d: Any) -> Any:
    """Whole-number closes: windows with ties, where first and last index differ."""
    return i.ApplyN(d.close, period=1, func=lambda w: float(round(w[0])))


CASES = {
    "applyn": lambda i, d: [
        i.ApplyN(d, period=4, func=max),
        i.ApplyN(i.SMA(d, period=5), func=_spread, period=3),
    ],
    "reducen": lambda i, d: [i.ReduceN(d, operator.add, period=3), i.ReduceN(d.high, function=max, period=5)],
    "alln_anyn": lambda i, d: [
        i.AllN(d.close > d.open, period=3),
        i.AnyN(d.close > d.open, period=3),
        i.AllN(d.close > d.open),
        i.AnyN(i.SMA(d, period=3) > d.open, period=4),
    ],
    "find_index": lambda i, d: [
        i.FindFirstIndexHighest(d.close, period=5),
        i.FindFirstIndexLowest(d.close, period=5),
        i.FindLastIndexHighest(d.high, period=8),
        i.FindLastIndexLowest(d.low, period=8),
        i.FindFirstIndex(d.close, period=5, _evalfunc=_third),
        i.FindLastIndex(d.close, period=5, _evalfunc=max),
    ],
    "find_index_ties": lambda i, d: [
        i.FindFirstIndexHighest(_rounded(i, d), period=6),
        i.FindLastIndexHighest(_rounded(i, d), period=6),
        i.FindFirstIndexLowest(_rounded(i, d), period=6),
        i.FindLastIndexLowest(_rounded(i, d), period=6),
    ],
    "accum": lambda i, d: [
        i.Accum(d),
        i.CumSum(d.close - d.open, seed=10.0),
        i.CumulativeSum(i.SMA(d, period=5)),
    ],
}

NAMES = ["Accum", "AllN", "AnyN", "ApplyN", "BaseApplyN", "CumSum", "CumulativeSum", "FindFirstIndex",
         "FindFirstIndexHighest", "FindFirstIndexLowest", "FindLastIndex", "FindLastIndexHighest",
         "FindLastIndexLowest", "OperationN", "PeriodN", "ReduceN"]


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_names_params_lines_and_plotting_are_backtraders() -> None:
    assert_same_declarations(NAMES)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(
        lambda i, d: [
            i.ApplyN(d, period=50, func=max),
            i.ReduceN(d, operator.add, period=50),
            i.AllN(d, period=50),
            i.FindFirstIndexHighest(d, period=50),
            i.FindLastIndexLowest(d, period=50),
        ],
        bars.iloc[:20],
    )


@pytest.mark.parametrize("runonce", [True, False])
def test_reducen_initializer_is_passed_to_reduce(bars: Any, runonce: bool) -> None:
    def make(i: Any, d: Any) -> list[Any]:
        return [i.ReduceN(d, operator.add, period=3, initializer=100.0), i.SumN(d, period=3)]

    # backtrader hands initializer= to functools.reduce as a keyword, which reduce refuses
    with pytest.raises(TypeError, match="keyword"):
        record(backtrader, lambda d: make(backtrader.ind, d), bars.iloc[:30], runonce)
    rows = record(tradebridge, lambda d: make(tradebridge.ind, d), bars.iloc[:30], runonce)
    for reduced, total in rows[2:]:
        assert math.isclose(reduced, 100.0 + total, rel_tol=1e-12)
    assert all(math.isnan(v) for row in rows[:2] for v in row)


@pytest.mark.parametrize("make", [
    lambda i, d: i.ApplyN(d, period=3),
    lambda i, d: i.FindFirstIndex(d, period=3),
])
def test_missing_function_is_a_type_error_at_construction(bars: Any, make: Any) -> None:
    with pytest.raises(TypeError, match="must be a callable"):
        record(tradebridge, lambda d: make(tradebridge.ind, d), bars.iloc[:10], True)
