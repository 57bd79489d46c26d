"""Ichimoku equals backtrader's at every bar, in both runonce modes."""

from __future__ import annotations

import backtrader
import numpy as np
import pandas as pd
import pytest
from _diff import assert_names, compare_same
from _final import final_lines

import tradebridge

MODES = [True, False]


def test_ichimoku_name_exists_in_both_libraries() -> None:
    assert_names(["Ichimoku"])


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"tenkan": 7, "kijun": 22, "senkou": 44, "senkou_lead": 22,
                                         "chikou": 20}])
def test_ichimoku_matches_backtrader(bars: pd.DataFrame, runonce: bool, kwargs: dict) -> None:
    compare_same(lambda ind, d: ind.Ichimoku(d, **kwargs), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
def test_ichimoku_lines_after_the_run_equal_backtraders(bars: pd.DataFrame, runonce: bool) -> None:
    want = final_lines(backtrader, lambda d: backtrader.ind.Ichimoku(d), bars, runonce)
    got = final_lines(tradebridge, lambda d: tradebridge.ind.Ichimoku(d), bars, runonce)
    assert np.isfinite(got[4]).sum() > 1000
    np.testing.assert_allclose(got, want, rtol=1e-9)
