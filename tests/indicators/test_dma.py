"""The Dickson moving average (DMA), its envelope and oscillator match backtrader at every bar,
both modes, under every backtrader spelling."""

from __future__ import annotations

from typing import Any

import backtrader
import numpy as np
import pytest
from _decl import assert_same_declarations
from _diff import check_too_short, compare_same, record

import tradebridge

CASES = {
    "dma": lambda i, d: [
        i.DMA(d),
        i.DicksonMovingAverage(d.high, period=12, gainlimit=20, hperiod=5),
        i.DicksonMA(d, period=10, _hma=i.WMA),
        i.MovAv.Dickson(d, period=8),
    ],
    "dma_envelope_osc": lambda i, d: [
        i.DMAEnvelope(d),
        i.DicksonMovingAverageEnvelope(d, period=10, perc=1.5),
        i.DMAOsc(d, period=10),
        i.DicksonMAOscillator(d.low, period=14, hperiod=9),
    ],
}

NAMES = ["DMA", "DicksonMA", "DicksonMovingAverage", "DMAEnvelope", "DicksonMAEnvelope",
         "DicksonMovingAverageEnvelope", "DMAOsc", "DMAOscillator", "DicksonMAOsc", "DicksonMAOscillator",
         "DicksonMovingAverageOsc", "DicksonMovingAverageOscillator"]


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_backtrader_default_and_custom_params(bars: Any, name: str, runonce: bool) -> None:
    assert compare_same(CASES[name], bars, runonce) == len(bars)


def test_names_params_lines_and_plotting_are_backtraders() -> None:
    assert_same_declarations(NAMES)
    movav = tradebridge.ind.MovAv
    assert movav.DMA is movav.DicksonMA is movav.Dickson is tradebridge.ind.DicksonMovingAverage


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(lambda i, d: [i.DMA(d, period=50), i.DMAEnvelope(d, period=50)], bars.iloc[:20])


@pytest.mark.parametrize("runonce", [True, False])
def test_movav_param_replaces_the_ema_of_the_zero_lag_part(bars: Any, runonce: bool) -> None:
    # backtrader stores _movav on ZeroLagIndicator (so on DMA too) but always builds an EMA
    def make(i: Any, d: Any) -> list[Any]:
        return [i.DMA(d, period=8, _movav=i.SMMA), i.DMA(d, period=8),
                (i.ZLInd(d, period=8, _movav=i.SMMA) + i.HMA(d, period=7)) / 2.0]

    theirs = np.array(record(backtrader, lambda d: make(backtrader.ind, d), bars, runonce))
    np.testing.assert_array_equal(theirs[:, 0], theirs[:, 1])  # the bug: SMMA ignored
    ours = np.array(record(tradebridge, lambda d: make(tradebridge.ind, d), bars, runonce))
    np.testing.assert_allclose(ours[:, 0], ours[:, 2], rtol=1e-12)
    assert not np.allclose(ours[8:, 0], ours[8:, 1])
