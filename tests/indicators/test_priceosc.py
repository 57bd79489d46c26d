"""MACD, MACDHisto, PPO, PPOShort and PriceOscillator match backtrader at every bar, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from _diff import check_too_short, compare_same

CASES = {
    "macd": lambda i, d: [i.MACD(d), i.MACD(d, period_me1=5, period_me2=11, period_signal=4)],
    "macdhisto": lambda i, d: [i.MACDHisto(d), i.MACDHistogram(d, period_me1=6, movav=i.SMA)],
    "ppo": lambda i, d: [i.PPO(d), i.PercentagePriceOscillator(d, period1=5, period2=9, period_signal=3)],
    "pposhort": lambda i, d: [i.PPOShort(d), i.PercentagePriceOscillatorShort(d, period1=4)],
    "apo": lambda i, d: [i.APO(d), i.PriceOscillator(d, period1=3, period2=8)],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(lambda i, d: [i.MACDHisto(d, period_me2=50), i.PPO(d, period2=50)], bars.iloc[:20])
