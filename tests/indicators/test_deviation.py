"""StdDev, MeanDev, BollingerBands and BollingerBandsPct match backtrader at every bar, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from _diff import check_too_short, compare_same

CASES = {
    "stddev": lambda i, d: [
        i.StdDev(d),
        i.StandardDeviation(d, period=7),
        i.StdDev(d, period=7, safepow=False),
    ],
    "meandev": lambda i, d: [i.MeanDev(d), i.MeanDeviation(d, period=5, movav=i.EMA)],
    "bbands": lambda i, d: [i.BBands(d), i.BollingerBands(d, period=10, devfactor=1.5)],
    "bbandspct": lambda i, d: [i.BollingerBandsPct(d), i.BollingerBandsPct(d, period=12, movav=i.WMA)],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(
        lambda i, d: [i.StdDev(d, period=50), i.MeanDev(d, period=50), i.BollingerBandsPct(d, period=50)],
        bars.iloc[:20],
    )
