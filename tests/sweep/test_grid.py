"""Grid specs: ``start:stop:step`` includes stop, ``a,b,c`` lists, products are complete."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebridge.sweep import combo_key, expand, parse_param, parse_values


@given(st.integers(-1000, 1000), st.integers(0, 500), st.integers(1, 50))
def test_integer_range_matches_python_range_with_stop_included(start, span, step):
    assert parse_values(f"{start}:{start + span}:{step}") == [
        str(v) for v in range(start, start + span + 1, step)]


@given(st.integers(0, 200), st.integers(0, 40), st.integers(1, 9), st.sampled_from([1, 2, 3]))
def test_decimal_range_is_exact_and_ends_at_or_below_stop(a, n, s, places):
    scale = Decimal(10) ** -places
    start, step = Decimal(a) * scale, Decimal(s) * scale
    stop = start + step * n
    values = [Decimal(v) for v in parse_values(f"{start}:{stop}:{step}")]
    assert len(values) == n + 1
    assert values[0] == start and values[-1] == stop
    assert all(b - a == step for a, b in zip(values, values[1:]))


@given(st.lists(st.text("abcxyz0123456789._-", min_size=1), min_size=1, max_size=8))
def test_comma_list_gives_the_values_in_order(values):
    name, got = parse_param("p=" + ",".join(values))
    assert name == "p" and got == values


@pytest.mark.parametrize("spec", ["fast", "fast=", "=1", "f=1:2", "f=5:1:1", "f=1:5:0", "f=1:x:1",
                                  "f=1,,2", "f=1:5:-1", "f=1:nan:1"])
def test_bad_specs_raise_value_error(spec):
    with pytest.raises(ValueError):
        parse_param(spec)


@given(st.dictionaries(st.sampled_from("abcd"), st.lists(st.integers(), min_size=1, max_size=4,
                                                          unique=True), min_size=1))
def test_expand_gives_every_combination_once(grid):
    combos = expand(grid)
    n = 1
    for values in grid.values():
        n *= len(values)
    assert len(combos) == n == len({combo_key(c) for c in combos})


def test_combo_key_matches_values_read_back_from_files():
    import numpy as np

    assert combo_key({"a": 5, "b": 0.5}) == combo_key({"b": np.float64(0.5), "a": np.int64(5)})
    assert combo_key({"a": 5}) != combo_key({"a": 5.0})
