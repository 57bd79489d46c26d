"""TRIX and TrixSignal match backtrader at every bar, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from _diff import check_too_short, compare_same

CASES = {
    "trix": lambda i, d: [i.TRIX(d), i.Trix(d, period=7, _rocperiod=2)],
    "trixsignal": lambda i, d: [i.TrixSignal(d), i.TrixSignal(d, period=5, sigperiod=4)],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(lambda i, d: [i.TrixSignal(d, period=30)], bars.iloc[:20])
