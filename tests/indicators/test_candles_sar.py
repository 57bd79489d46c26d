"""HeikinAshi, Fractal and ParabolicSAR equal backtrader's at every bar, in both runonce modes."""

from __future__ import annotations

import backtrader
import numpy as np
import pandas as pd
import pytest
from _diff import assert_names, compare_indicator, compare_same
from _final import final_lines

import tradebridge

MODES = [True, False]


def test_names_exist_in_both_libraries() -> None:
    assert_names(["HeikinAshi", "ParabolicSAR", "PSAR", "haDelta", "haD"])


@pytest.mark.parametrize("runonce", MODES)
def test_heikinashi_matches_backtrader(bars: pd.DataFrame, runonce: bool) -> None:
    compare_same(lambda ind, d: ind.HeikinAshi(d), bars, runonce)


def test_heikinashi_ohlc_aliases_are_its_lines(bars: pd.DataFrame) -> None:
    seen: list[bool] = []

    class _S(tradebridge.Strategy):
        def __init__(self) -> None:
            ha = tradebridge.ind.HeikinAshi(self.data)
            seen.extend([ha.open is ha.lines.ha_open, ha.lines.close is ha.lines.ha_close,
                         ha.high is ha.l.ha_high, ha.low is ha.ha_low])

    cerebro = tradebridge.Cerebro(stdstats=False)
    cerebro.adddata(tradebridge.feeds.PandasData(dataname=bars.iloc[:50]))
    cerebro.addstrategy(_S)
    cerebro.run()
    assert seen == [True] * 4


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"period": 5, "af": 0.03, "afmax": 0.25}])
def test_psar_matches_backtrader(bars: pd.DataFrame, runonce: bool, kwargs: dict) -> None:
    compare_same(lambda ind, d: ind.PSAR(d, **kwargs), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"period": 7, "bardist": 0.02, "shift_to_potential_fractal": 3}])
def test_fractal_marks_equal_backtraders_after_the_run(bars: pd.DataFrame, runonce: bool,
                                                      kwargs: dict) -> None:
    want = final_lines(backtrader, lambda d: backtrader.studies.Fractal(d, **kwargs), bars, runonce)
    got = final_lines(tradebridge, lambda d: tradebridge.ind.Fractal(d, **kwargs), bars, runonce)
    assert np.isfinite(got).sum() > 50
    np.testing.assert_allclose(got, want, rtol=1e-9)


@pytest.mark.parametrize("runonce", MODES)
def test_fractal_seen_bar_by_bar_matches_backtrader(bars: pd.DataFrame, runonce: bool) -> None:
    compare_indicator(lambda d: backtrader.studies.Fractal(d), lambda d: tradebridge.ind.Fractal(d),
                      bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"period": 5, "autoheikin": False}])
def test_hadelta_matches_backtrader(bars: pd.DataFrame, runonce: bool, kwargs: dict) -> None:
    compare_same(lambda ind, d: ind.haDelta(d, **kwargs), bars, runonce)
