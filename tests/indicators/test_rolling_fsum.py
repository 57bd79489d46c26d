"""The rolling window sum behind SMA, SumN and friends equals ``math.fsum`` of each window
(backtrader sums every window with ``math.fsum``), so crossovers tie where backtrader's tie."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebridge.indicators._math import rolling_fsum

# prices as feeds carry them: up to 4 decimals, from a cent to a hundred thousand (a sum of
# compensated additions is not correctly rounded for every float: far apart magnitudes
# summing to a near-tie can come out one unit in the last place off)
prices = st.decimals(min_value="0.01", max_value="100000", places=4).map(float)


@settings(max_examples=400, deadline=None)
@given(st.lists(prices, min_size=1, max_size=80), st.integers(min_value=1, max_value=30))
def test_each_window_of_prices_sums_to_math_fsum_of_the_window(values, period):
    out = rolling_fsum(np.array(values), period)
    assert len(out) == len(values)
    for i, got in enumerate(out):
        if i < period - 1:
            assert math.isnan(got)
        else:
            assert got == math.fsum(values[i - period + 1 : i + 1])


def test_equal_windows_give_equal_sums_wherever_they_sit():
    values = np.array([0.1, 0.2, 0.3, 5.0, 0.1, 0.2, 0.3, 7.0, 0.1, 0.2, 0.3])
    out = rolling_fsum(values, 3)
    assert out[2] == out[6] == out[10] == math.fsum([0.1, 0.2, 0.3])


def test_a_window_holding_nan_or_infinity_sums_to_it_and_the_others_are_untouched():
    out = rolling_fsum(np.array([1.0, np.nan, 2.0, 3.0, np.inf, 4.0, 5.0, 6.0]), 2)
    assert math.isnan(out[1]) and math.isnan(out[2])
    assert out[3] == 5.0
    assert out[4] == math.inf and out[5] == math.inf
    assert out[6] == 9.0 and out[7] == 11.0


def test_long_series_sum_every_window_to_math_fsum_whichever_way_they_are_summed():
    rng = np.random.default_rng(11)
    values = np.round(rng.uniform(0.5, 5000.0, 60_000), 2)  # longer than the doubling bound
    for period in (3, 10, 47, 48, 70):
        for series in (values, values[:20_000]):  # long: sequential below 48; short: doubling
            out = rolling_fsum(series, period)
            picks = rng.integers(period - 1, len(series), 300)
            assert all(out[i] == math.fsum(series[i - period + 1 : i + 1].tolist()) for i in picks)
