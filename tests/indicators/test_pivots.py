"""Pivot points equal backtrader's at every bar, in both runonce modes."""

from __future__ import annotations

from typing import Any

import backtrader
import numpy as np
import pandas as pd
import pytest
from _diff import assert_names, compare_same, record

import tradebridge

MODES = [True, False]


def test_pivot_names_exist_in_both_libraries() -> None:
    assert_names(["PivotPoint", "FibonacciPivotPoint", "DemarkPivotPoint"])


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"close": True}, {"open": True}])
def test_pivotpoint_matches_backtrader(bars: pd.DataFrame, runonce: bool, kwargs: dict) -> None:
    compare_same(lambda ind, d: ind.PivotPoint(d, _autoplot=False, **kwargs), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"open": True, "level1": 0.5, "level3": 1.2}])
def test_fibonacci_pivot_matches_backtrader(bars: pd.DataFrame, runonce: bool, kwargs: dict) -> None:
    compare_same(lambda ind, d: ind.FibonacciPivotPoint(d, _autoplot=False, **kwargs), bars, runonce)


def test_demark_pivot_matches_backtrader_runonce(bars: pd.DataFrame) -> None:
    compare_same(lambda ind, d: ind.DemarkPivotPoint(d, _autoplot=False), bars, True)


def test_demark_pivot_bar_by_bar_gives_backtraders_runonce_values(bars: pd.DataFrame) -> None:
    # backtrader's CmpEx.next returns cmp(a, b) instead of r1/r2/r3 (a bug): bar by bar
    # tradebridge keeps the values backtrader computes in runonce mode
    want = record(backtrader, lambda d: backtrader.ind.DemarkPivotPoint(d, _autoplot=False), bars, True)
    got = record(tradebridge, lambda d: tradebridge.ind.DemarkPivotPoint(d, _autoplot=False), bars, False)
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-9)


@pytest.mark.parametrize("runonce", MODES)
def test_pivotpoint_with_autoplot_on_plain_data_matches_backtrader(bars: pd.DataFrame,
                                                                   runonce: bool) -> None:
    compare_same(lambda ind, d: ind.PivotPoint(d), bars, runonce)


def _monthly_pivots(mod: Any, df: pd.DataFrame, runonce: bool) -> list[tuple[float, ...]]:
    """Per daily bar: months seen, the monthly pivot and the pivot coupled onto the days."""
    rows: list[tuple[float, ...]] = []

    class _S(mod.Strategy):
        def __init__(self) -> None:
            self.pp = mod.ind.PivotPoint(self.data1)
            self.daily = self.pp()

        def next(self) -> None:
            rows.append((len(self.data1), *(ln[0] for ln in self.pp.lines), self.daily[0]))

    cerebro = mod.Cerebro(stdstats=False, runonce=runonce)
    data = mod.feeds.PandasData(dataname=df)
    cerebro.adddata(data)
    cerebro.resampledata(data, timeframe=mod.TimeFrame.Months)
    cerebro.addstrategy(_S)
    cerebro.run()
    return rows


@pytest.mark.parametrize("runonce", MODES)
def test_pivotpoint_on_monthly_resampled_data_matches_backtrader(bars: pd.DataFrame, runonce: bool) -> None:
    want = _monthly_pivots(backtrader, bars.iloc[:400], runonce)
    got = _monthly_pivots(tradebridge, bars.iloc[:400], runonce)
    assert len(want) > 300
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-9)
