"""ZeroLagIndicator's oscillator and envelope: backtrader's are broken (the oscillator is the
average itself, the bands are NaN); tradebridge's are data - average and bands around it."""

from __future__ import annotations

from typing import Any

import backtrader
import numpy as np
import pytest
from _diff import record

import tradebridge


def _both(make: Any, bars: Any, runonce: bool) -> tuple[np.ndarray, np.ndarray]:
    theirs = record(backtrader, lambda d: make(backtrader.ind, d), bars, runonce)
    ours = record(tradebridge, lambda d: make(tradebridge.ind, d), bars, runonce)
    return np.array(theirs), np.array(ours)


@pytest.mark.parametrize("runonce", [True, False])
def test_zlind_oscillator_is_the_data_minus_the_average(bars: Any, runonce: bool) -> None:
    def make(i: Any, d: Any) -> list[Any]:
        return [i.ZLIndOsc(d.high, period=7, gainlimit=20), i.ZLInd(d.high, period=7, gainlimit=20)]

    theirs, ours = _both(make, bars, runonce)
    np.testing.assert_array_equal(theirs[:, 0], theirs[:, 1])  # backtrader: the average itself
    np.testing.assert_allclose(ours[:, 1], theirs[:, 1], rtol=1e-9)
    high = bars["high"].to_numpy()
    np.testing.assert_allclose(ours[:, 0], high - ours[:, 1], rtol=1e-12)


@pytest.mark.parametrize("runonce", [True, False])
def test_zlind_envelope_has_bands_around_the_average(bars: Any, runonce: bool) -> None:
    def make(i: Any, d: Any) -> Any:
        return i.ZeroLagIndicatorEnvelope(d, period=9, perc=2.0)

    theirs, ours = _both(make, bars, runonce)
    assert np.isnan(theirs[:, 1:]).all()  # backtrader: top and bot never get a value
    np.testing.assert_allclose(ours[:, 0], theirs[:, 0], rtol=1e-9)
    np.testing.assert_allclose(ours[:, 1], ours[:, 0] * 1.02, rtol=1e-12)
    np.testing.assert_allclose(ours[:, 2], ours[:, 0] * 0.98, rtol=1e-12)
