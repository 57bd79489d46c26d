"""CCI, Williams %R, Ultimate, Awesome, AccDec, PGO and KST equal backtrader's at every bar,
in both runonce modes, with default and other parameters."""

from __future__ import annotations

import pandas as pd
import pytest
from _diff import assert_names, compare_same

MODES = [True, False]

CASES = {
    "CCI": {"period": 14, "factor": 0.02, "movav": "EMA"},
    "WilliamsR": {"period": 9},
    "UltimateOscillator": {"p1": 5, "p2": 10, "p3": 21},
    "AwesomeOscillator": {"fast": 4, "slow": 20, "movav": "EMA"},
    "AccelerationDecelerationOscillator": {"period": 7, "movav": "WMA"},
    "PrettyGoodOscillator": {"period": 10, "_movav": "EMA"},
    "KnowSureThing": {"rp1": 5, "rma4": 7, "rsignal": 5, "rfactors": [1.0, 1.5, 2.0, 2.5]},
}


def _resolve(ind: object, kwargs: dict) -> dict:
    """Moving average names in the parameters become that library's classes."""
    return {k: getattr(ind, v) if k.endswith("movav") else v for k, v in kwargs.items()}


def test_oscillator_names_exist_in_both_libraries() -> None:
    assert_names([*CASES, "WilliamsAD", "CommodityChannelIndex", "AO", "AwesomeOsc", "AccDeOsc", "PGO",
                  "PrettyGoodOsc", "KST"])


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", list(CASES))
def test_oscillator_defaults_match_backtrader(bars: pd.DataFrame, runonce: bool, name: str) -> None:
    compare_same(lambda ind, d: getattr(ind, name)(d), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", list(CASES))
def test_oscillator_other_params_match_backtrader(bars: pd.DataFrame, runonce: bool, name: str) -> None:
    compare_same(lambda ind, d: getattr(ind, name)(d, **_resolve(ind, CASES[name])), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
def test_williams_ad_matches_backtrader(bars: pd.DataFrame, runonce: bool) -> None:
    compare_same(lambda ind, d: ind.WilliamsAD(d), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
def test_williams_ad_with_unchanged_closes_matches_backtrader(bars: pd.DataFrame, runonce: bool) -> None:
    flat = bars.copy()
    flat["close"] = flat["close"].round(0)  # many closes equal to the previous one
    flat["high"] = flat[["high", "close"]].max(axis=1)
    flat["low"] = flat[["low", "close"]].min(axis=1)
    compare_same(lambda ind, d: ind.WilliamsAD(d), flat, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"period": 50, "maperiod": 3, "_movav": "EMA"}])
def test_dv2_matches_backtrader(bars: pd.DataFrame, runonce: bool, kwargs: dict) -> None:
    compare_same(lambda ind, d: ind.DV2(d, **_resolve(ind, kwargs)), bars, runonce)
