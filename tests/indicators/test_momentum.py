"""Momentum, MomentumOscillator, ROC, ROC100 and PercentChange match backtrader at every bar, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from _diff import check_too_short, compare_same

CASES = {
    "momentum": lambda i, d: [i.Momentum(d), i.Momentum(d, period=5)],
    "momentum_oscillator": lambda i, d: [i.MomentumOscillator(d), i.MomentumOsc(d, period=5)],
    "roc": lambda i, d: [i.ROC(d), i.RateOfChange(d, period=5), i.ROC100(d), i.RateOfChange100(d, period=5)],
    "pctchange": lambda i, d: [i.PercentChange(d), i.PctChange(d, period=4)],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(
        lambda i, d: [i.Momentum(d, period=50), i.ROC100(d, period=50), i.PctChange(d, period=50)],
        bars.iloc[:20],
    )
