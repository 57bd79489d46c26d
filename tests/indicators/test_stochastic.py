"""Stochastic oscillators equal backtrader's at every bar, in both runonce modes."""

from __future__ import annotations

import pandas as pd
import pytest
from _diff import assert_names, compare_same

MODES = [True, False]
NAMES = ["Stochastic", "StochasticFast", "StochasticFull"]


def test_stochastic_names_exist_in_both_libraries() -> None:
    assert_names([*NAMES, "StochasticSlow"])


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_stochastic_defaults_match_backtrader(bars: pd.DataFrame, runonce: bool, name: str) -> None:
    compare_same(lambda ind, d: getattr(ind, name)(d), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_stochastic_other_params_match_backtrader(bars: pd.DataFrame, runonce: bool, name: str) -> None:
    extra = {} if name == "StochasticFast" else {"period_dslow": 4}
    compare_same(lambda ind, d: getattr(ind, name)(d, period=9, period_dfast=5, movav=ind.EMA,
                                                   safediv=True, **extra), bars, runonce)
