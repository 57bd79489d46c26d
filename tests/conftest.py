"""Shared fixtures: seeded synthetic bars for every test."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from tradebridge.utils.synthetic import synthetic_ohlcv  # noqa: E402

# Tests check correctness, never speed: a property example slowed by a loaded CI machine is no failure.
settings.register_profile("tradebridge", deadline=None)
settings.load_profile("tradebridge")


@pytest.fixture(scope="session")
def bars() -> pd.DataFrame:
    """1,500 business-day bars (seed 7)."""
    return synthetic_ohlcv(1500, seed=7)


@pytest.fixture(scope="session")
def bars_short() -> pd.DataFrame:
    """300 bars (seed 11), for slow per-bar comparisons."""
    return synthetic_ohlcv(300, seed=11)
