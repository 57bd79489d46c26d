"""Highest, Lowest, SumN and PercentRank match backtrader at every bar, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from _diff import check_too_short, compare_same

CASES = {
    "highest_lowest": lambda i, d: [
        i.Highest(d.high),
        i.Highest(d.high, period=14),
        i.MinN(d.low),
        i.Lowest(d.low, period=9),
    ],
    "sumn": lambda i, d: [i.SumN(d), i.SumN(d, period=9)],
    "percentrank": lambda i, d: [i.PercentRank(d), i.PctRank(d, period=10)],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(
        lambda i, d: [i.Highest(d, period=50), i.SumN(d, period=50), i.PercentRank(d, period=50)],
        bars.iloc[:20],
    )
