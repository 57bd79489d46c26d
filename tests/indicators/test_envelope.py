"""Envelope and the moving-average envelopes match backtrader at every bar, both modes."""

from __future__ import annotations

from typing import Any

import pytest
from _diff import check_too_short, compare_same

CASES = {
    "envelope": lambda i, d: [i.Envelope(d), i.Envelope(d, perc=1.0)],
    "ma_envelopes": lambda i, d: [
        i.SMAEnvelope(d),
        i.EMAEnvelope(d, period=7, perc=3),
        i.KAMAEnvelope(d, period=8),
        i.WMAEnvelope(d, period=6),
    ],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(lambda i, d: [i.SMAEnvelope(d, period=50)], bars.iloc[:20])
