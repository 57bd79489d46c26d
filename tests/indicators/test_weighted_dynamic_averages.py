"""Average, WeightedAverage and ExponentialSmoothingDynamic match backtrader at every bar, both
modes; their fixes (a fixed alpha, missing weights) are checked against tradebridge alone."""

from __future__ import annotations

from typing import Any

import backtrader
import numpy as np
import pytest
from _decl import assert_same_declarations
from _diff import check_too_short, compare_same, record

import tradebridge

CASES = {
    "average": lambda i, d: [
        i.Average(d),
        i.ArithmeticMean(d, period=7),
        i.Mean(i.SMA(d, period=3), period=4),
    ],
    "weighted": lambda i, d: [
        i.WeightedAverage(d, period=3, weights=(1.0, 2.0, 3.0)),
        i.AverageWeighted(d.high, period=4, weights=[0.1, 0.2, 0.3, 0.4], coef=0.5),
        i.WeightedAverage(i.SMA(d, period=5), period=1, weights=(2.0,)),
    ],
    "esd": lambda i, d: [
        i.ExponentialSmoothingDynamic(d, alpha=i.SMA(d, period=3) / 200.0, period=5),
        i.ExpSmoothingDynamic(d, alpha=i.SMA(d, period=12) / 250.0, period=5),  # alpha starts later
        i.ExponentialSmoothingDynamic(i.SMA(d, period=4), alpha=d.close / 300.0, period=6),
    ],
}

NAMES = ["Average", "ArithmeticMean", "Mean", "ExponentialSmoothing", "ExponentialSmoothingDynamic",
         "ExpSmoothingDynamic", "WeightedAverage", "AverageWeighted"]


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_names_params_lines_and_plotting_are_backtraders() -> None:
    assert_same_declarations(NAMES)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(
        lambda i, d: [
            i.WeightedAverage(d, period=50, weights=[1.0] * 50),
            i.ExponentialSmoothingDynamic(d, alpha=i.SMA(d, period=3) / 200.0, period=50),
            i.ExponentialSmoothingDynamic(d, alpha=i.SMA(d, period=50) / 200.0, period=3),
        ],
        bars.iloc[:20],
    )


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("alpha", [0.3, None])
def test_esd_with_a_fixed_alpha_smooths_as_exponential_smoothing(bars: Any, runonce: bool,
                                                                 alpha: Any) -> None:
    def make(i: Any, d: Any) -> Any:
        return i.ExponentialSmoothingDynamic(d, period=5, alpha=alpha)

    with pytest.raises(AttributeError):  # backtrader reads alpha._minperiod off the number
        record(backtrader, lambda d: make(backtrader.ind, d), bars.iloc[:30], runonce)
    compare_same(lambda i, d: i.ExponentialSmoothing(d, period=5, alpha=alpha), bars, runonce)
    got = record(tradebridge, lambda d: make(tradebridge.ind, d), bars, runonce)
    want = record(tradebridge, lambda d: tradebridge.ind.ExponentialSmoothing(d, period=5, alpha=alpha),
                  bars, runonce)
    np.testing.assert_array_equal(np.array(got), np.array(want))


@pytest.mark.parametrize("weights", [(), (1.0, 2.0)])
def test_weights_not_one_per_bar_of_the_period_is_a_value_error(bars: Any, weights: Any) -> None:
    # backtrader: 0.0 on every bar without weights; a sum over the oldest bars only when short
    with pytest.raises(ValueError, match="one weight per bar"):
        record(tradebridge, lambda d: tradebridge.ind.WeightedAverage(d, period=3, weights=weights),
               bars.iloc[:10], True)
