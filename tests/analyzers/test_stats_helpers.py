"""The analyzers' mean and standard deviation give backtrader's numbers to the last bit
(backtrader squares with ``** 2``, C pow, which is not always the rounded ``v * v``)."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from tradebridge.analyzers._stats import average, standarddev

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


def _backtrader_standarddev(values, avgx=None, bessel=False):
    mean = math.fsum(values) / len(values) if avgx is None else avgx
    squares = [(v - mean) ** 2 for v in values]
    return math.sqrt(math.fsum(squares) / (len(squares) - bessel))


@settings(max_examples=300, deadline=None)
@given(st.lists(finite, min_size=2, max_size=200), st.booleans())
def test_standarddev_is_backtraders_to_the_last_bit(values, bessel):
    assert standarddev(values, bessel=bessel) == _backtrader_standarddev(values, bessel=bessel)
    mean = average(values)
    assert standarddev(values, avgx=mean) == _backtrader_standarddev(values, avgx=mean)


def test_standarddev_takes_integers_and_a_given_mean():
    assert standarddev([3, 5, -2, 7]) == _backtrader_standarddev([3, 5, -2, 7])
    assert standarddev([1.0, 2.0, 4.0], avgx=0.5) == _backtrader_standarddev([1.0, 2.0, 4.0], 0.5)
