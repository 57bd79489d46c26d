"""Aroon indicators equal backtrader's at every bar, in both runonce modes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _diff import assert_names, compare_same

import tradebridge
from tradebridge.indicators._osc_math import extreme_ago

MODES = [True, False]
NAMES = ["AroonUp", "AroonDown", "AroonUpDown", "AroonOscillator", "AroonUpDownOscillator"]


def test_aroon_names_exist_in_both_libraries() -> None:
    assert_names([*NAMES, "AroonIndicator", "AroonOsc", "AroonUpDownOsc"])


def test_combined_aroon_classes_have_backtraders_line_order() -> None:
    assert tradebridge.ind.AroonUpDownOsc.getlinealiases() == ("aroonup", "aroondown", "aroonosc")


def test_extreme_ago_counts_back_to_the_most_recent_tie() -> None:
    got = extreme_ago(np.array([1.0, 3.0, 2.0, 3.0, 0.0]), 3, highest=True)
    np.testing.assert_array_equal(got, [np.nan, np.nan, 1.0, 0.0, 1.0])


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("period", [14, 25])
def test_aroon_matches_backtrader(bars: pd.DataFrame, runonce: bool, name: str, period: int) -> None:
    compare_same(lambda ind, d: getattr(ind, name)(d, period=period), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
def test_aroon_with_tied_extremes_matches_backtrader(bars: pd.DataFrame, runonce: bool) -> None:
    rounded = bars.copy()
    rounded[["high", "low"]] = rounded[["high", "low"]].round(0)  # many equal highs and lows
    compare_same(lambda ind, d: ind.AroonUpDownOscillator(d, period=10), rounded, runonce)
