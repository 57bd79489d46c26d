"""SMA, EMA, SMMA (Wilder) and WMA match backtrader at every bar, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from _diff import check_too_short, compare_same

CASES = {
    "sma": lambda i, d: [i.SMA(d), i.SMA(d, period=7), i.SimpleMovingAverage(d.high, period=3)],
    "ema": lambda i, d: [i.EMA(d), i.EMA(d, period=7), i.ExponentialSmoothing(d, period=5, alpha=0.3)],
    "smma": lambda i, d: [i.SMMA(d), i.SmoothedMovingAverage(d, period=7), i.WilderMA(d.low, period=4)],
    "wma": lambda i, d: [i.WMA(d), i.WeightedMovingAverage(d, period=7)],
    "movav_names": lambda i, d: [
        i.MovAv.Simple(d, period=5),
        i.MovAv.Exponential(d, period=5),
        i.MovAv.Smoothed(d, period=5),
        i.MovAv.Weighted(d, period=5),
    ],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(
        lambda i, d: [i.WMA(d, period=50), i.SMMA(d, period=50), i.EMA(d, period=50)], bars.iloc[:20]
    )
