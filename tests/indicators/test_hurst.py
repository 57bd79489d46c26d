"""HurstExponent equals backtrader's at every bar (to 1e-9), in both runonce modes."""

from __future__ import annotations

import pandas as pd
import pytest
from _diff import assert_names, compare_same

MODES = [True, False]


def test_hurst_names_exist_in_both_libraries() -> None:
    assert_names(["HurstExponent", "Hurst"])


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"period": 60, "lag_start": 3, "lag_end": 20}])
def test_hurst_matches_backtrader(bars: pd.DataFrame, runonce: bool, kwargs: dict) -> None:
    compare_same(lambda ind, d: ind.Hurst(d, **kwargs), bars, runonce)
