"""Laguerre RSI and filter equal backtrader's at every bar, in both runonce modes."""

from __future__ import annotations

from typing import Any

import backtrader
import numpy as np
import pandas as pd
import pytest
from _diff import assert_names, compare_same, record

import tradebridge

MODES = [True, False]


def test_laguerre_names_exist_in_both_libraries() -> None:
    assert_names(["LaguerreRSI", "LRSI", "LaguerreFilter", "LAGF"])


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", ["LaguerreRSI", "LaguerreFilter"])
@pytest.mark.parametrize("kwargs", [{}, {"gamma": 0.7, "period": 4}])
def test_laguerre_matches_backtrader(bars: pd.DataFrame, runonce: bool, name: str, kwargs: dict) -> None:
    compare_same(lambda ind, d: getattr(ind, name)(d, **kwargs), bars, runonce)


def test_laguerre_rsi_on_an_average_bar_by_bar_matches_backtrader(bars: pd.DataFrame) -> None:
    compare_same(lambda ind, d: ind.LaguerreRSI(ind.SMA(d, period=5)), bars, False)


def test_laguerre_rsi_on_an_average_in_runonce_gives_the_bar_by_bar_values(bars: pd.DataFrame) -> None:
    # backtrader's runonce pass over a next-only indicator fed by another indicator reads NaN
    # inputs (all NaN but the last bar); tradebridge gives the values of its bar-by-bar mode
    def make(mod: Any) -> Any:
        return lambda d: mod.ind.LaguerreRSI(mod.ind.SMA(d, period=5))

    want = record(backtrader, make(backtrader), bars, False)
    got = record(tradebridge, make(tradebridge), bars, True)
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-9)
