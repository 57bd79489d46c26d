"""TrueHigh, TrueLow, TrueRange and ATR match backtrader at every bar, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from _diff import check_too_short, compare_same

CASES = {
    "true_high_low_range": lambda i, d: [i.TrueHigh(d), i.TrueLow(d), i.TrueRange(d), i.TR(d)],
    "atr": lambda i, d: [i.ATR(d), i.AverageTrueRange(d, period=5), i.ATR(d, period=10, movav=i.SMA)],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(lambda i, d: [i.ATR(d, period=50)], bars.iloc[:20])
