"""DEMA, TEMA, HMA, ZLEMA, KAMA and the ZeroLagIndicator match backtrader at every bar, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from _diff import check_too_short, compare_same

CASES = {
    "dema": lambda i, d: [i.DEMA(d), i.DoubleExponentialMovingAverage(d, period=7)],
    "tema": lambda i, d: [i.TEMA(d), i.TripleExponentialMovingAverage(d, period=7)],
    "hma": lambda i, d: [i.HMA(d), i.HullMovingAverage(d, period=7), i.HullMA(d, period=10)],
    "zlema": lambda i, d: [i.ZLEMA(d), i.ZeroLagExponentialMovingAverage(d, period=8)],
    "kama": lambda i, d: [i.KAMA(d), i.AdaptiveMovingAverage(d, period=7, fast=3, slow=20)],
    "zeroLagIndicator": lambda i, d: [i.ZeroLagIndicator(d), i.EC(d, period=7, gainlimit=20)],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(
        lambda i, d: [
            i.KAMA(d, period=50),
            i.HMA(d, period=50),
            i.ZLIndicator(d, period=50),
            i.TEMA(d, period=50),
        ],
        bars.iloc[:20],
    )
