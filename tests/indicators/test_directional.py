"""Directional movement (+DI, -DI, ADX, ADXR, DMI, DM) and Vortex equal backtrader's at every
bar, in both runonce modes, with default and other parameters."""

from __future__ import annotations

import pandas as pd
import pytest
from _diff import assert_names, compare_same

import tradebridge

MODES = [True, False]
NAMES = ["DirectionalIndicator", "PlusDirectionalIndicator", "MinusDirectionalIndicator",
         "AverageDirectionalMovementIndex", "AverageDirectionalMovementIndexRating",
         "DirectionalMovementIndex", "DirectionalMovement"]


def test_directional_names_exist_in_both_libraries() -> None:
    assert_names([*NAMES, "DI", "PlusDI", "MinusDI", "ADX", "ADXR", "DMI", "DM", "Vortex", "UpMove",
                  "DownMove"])


def test_combined_classes_have_backtraders_line_order() -> None:
    assert tradebridge.ind.DM.getlinealiases() == ("adx", "adxr", "plusDI", "minusDI")
    assert tradebridge.ind.DMI.getlinealiases() == ("adx", "plusDI", "minusDI")


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_directional_defaults_match_backtrader(bars: pd.DataFrame, runonce: bool, name: str) -> None:
    compare_same(lambda ind, d: getattr(ind, name)(d), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_directional_other_params_match_backtrader(bars: pd.DataFrame, runonce: bool, name: str) -> None:
    compare_same(lambda ind, d: getattr(ind, name)(d, period=9, movav=ind.EMA), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"period": 21}])
def test_vortex_matches_backtrader(bars: pd.DataFrame, runonce: bool, kwargs: dict) -> None:
    compare_same(lambda ind, d: ind.Vortex(d, **kwargs), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", ["UpMove", "DownMove"])
def test_moves_match_backtrader(bars: pd.DataFrame, runonce: bool, name: str) -> None:
    compare_same(lambda ind, d: getattr(ind, name)(d), bars, runonce)
