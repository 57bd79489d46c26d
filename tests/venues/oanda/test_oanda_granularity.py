"""Timeframe/compression -> OANDA v20 granularity, exactly; backtrader's wrong minute sizes are fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oanda_strategies import spec_or_skip_reason

from tradebridge.utils.timeframe import TimeFrame as TF
from tradebridge.venues.oanda.granularity import (
    BACKTRADER_DIFFERENCES,
    GRANULARITIES,
    MAX_CANDLES,
    UnsupportedGranularityError,
    granularity,
    pages,
    seconds,
    timeframe_of,
)

# Every bar size v20 has candles for, spelled as backtrader users spell it.
SUPPORTED = [
    (TF.Seconds, 5, "S5"),
    (TF.Seconds, 10, "S10"),
    (TF.Seconds, 15, "S15"),
    (TF.Seconds, 30, "S30"),
    (TF.Seconds, 60, "M1"),
    (TF.Seconds, 120, "M2"),
    (TF.Seconds, 3600, "H1"),
    (TF.Minutes, 1, "M1"),
    (TF.Minutes, 2, "M2"),
    (TF.Minutes, 4, "M4"),
    (TF.Minutes, 5, "M5"),
    (TF.Minutes, 10, "M10"),
    (TF.Minutes, 15, "M15"),
    (TF.Minutes, 30, "M30"),
    (TF.Minutes, 60, "H1"),
    (TF.Minutes, 120, "H2"),
    (TF.Minutes, 180, "H3"),
    (TF.Minutes, 240, "H4"),
    (TF.Minutes, 360, "H6"),
    (TF.Minutes, 480, "H8"),
    (TF.Minutes, 720, "H12"),
    (TF.Days, 1, "D"),
    (TF.Weeks, 1, "W"),
    (TF.Months, 1, "M"),
]

UNSUPPORTED = [
    (TF.Seconds, 1, "no 1 Seconds candles"),
    (TF.Seconds, 20, "no 20 Seconds candles; request S10 and resample"),
    (TF.Seconds, 45, "no 45 Seconds candles; request S15"),
    (TF.Minutes, 3, "no 3 Minutes candles; request M1 and resample to 3 Minutes"),
    (TF.Minutes, 6, "request M2 and resample"),
    (TF.Minutes, 20, "request M10 and resample"),
    (TF.Minutes, 90, "request M30 and resample"),
    (TF.Minutes, 1440, "request H12 and resample"),
    (TF.Days, 2, "no 2 Days candles; request D and resample to 2 Days"),
    (TF.Weeks, 2, "request W"),
    (TF.Months, 3, "request M and resample to 3 Months"),
    (TF.Ticks, 1, "no tick candles; ticks come from the pricing stream"),
    (TF.MicroSeconds, 1, "no candles for the MicroSeconds timeframe"),
    (TF.Years, 1, "no candles for the Years timeframe"),
    (TF.NoTimeFrame, 1, "no candles for the NoTimeFrame timeframe"),
    (99, 1, "unknown timeframe 99"),
    (TF.Minutes, 0, "compression must be a positive integer, got 0"),
    (TF.Minutes, 1.5, "compression must be a positive integer, got 1.5"),
]


@pytest.mark.parametrize("timeframe,compression,expected", SUPPORTED)
def test_supported_bar_size_maps_to_its_granularity(timeframe, compression, expected):
    assert granularity(timeframe, compression) == expected


@pytest.mark.parametrize("timeframe,compression,message", UNSUPPORTED)
def test_unsupported_bar_size_is_refused_saying_what_to_use(timeframe, compression, message):
    with pytest.raises(UnsupportedGranularityError, match=message.replace("(", r"\(")):
        granularity(timeframe, compression)


def test_every_v20_granularity_is_reachable_and_round_trips():
    spec, why = spec_or_skip_reason()
    if spec is None:
        pytest.skip(why)
    assert list(GRANULARITIES) == spec["definitions"]["CandlestickGranularity"]["enum"]
    for name in GRANULARITIES:
        assert granularity(*timeframe_of(name)) == name


@pytest.mark.parametrize("key,expected", sorted(BACKTRADER_DIFFERENCES.items()))
def test_backtraders_wrong_minute_mappings_are_fixed(key, expected):
    """backtrader 1.9.78 asks for M3 for 2 minutes and M5 for 10/15/30 minutes (v1 leftovers)."""
    backtrader_sends, v20_needs = expected
    assert backtrader_sends != v20_needs
    if v20_needs is None:
        with pytest.raises(UnsupportedGranularityError):
            granularity(*key)
    else:
        assert granularity(*key) == v20_needs
        assert seconds(v20_needs) == key[1] * 60


@given(st.integers(1, 100_000))
def test_a_minute_size_maps_only_to_a_granularity_of_the_same_length(compression):
    try:
        name = granularity(TF.Minutes, compression)
    except UnsupportedGranularityError as err:
        assert f"no {compression} Minutes candles" in str(err)
        assert compression * 60 not in {seconds(g) for g in GRANULARITIES if g not in ("D", "W", "M")}
    else:
        assert seconds(name) == compression * 60


def test_unknown_granularity_names_are_refused():
    with pytest.raises(UnsupportedGranularityError, match="'M3' is not a v20 granularity"):
        timeframe_of("M3")
    with pytest.raises(UnsupportedGranularityError, match="'H5' is not a v20 granularity"):
        seconds("H5")


def test_pages_cover_the_range_without_gaps_and_within_the_limit():
    start = datetime(2026, 1, 1, 0, 0, 7, tzinfo=UTC)
    end = start + timedelta(minutes=12_001)
    windows = list(pages(start, end, "M1"))
    assert windows[0][0] == start and windows[-1][1] == end
    assert all(a[1] == b[0] for a, b in zip(windows, windows[1:]))
    assert all((stop - begin) <= timedelta(minutes=MAX_CANDLES - 1) for begin, stop in windows)
    assert len(windows) == 3


@given(st.integers(0, 10**6), st.sampled_from(list(GRANULARITIES)), st.integers(2, MAX_CANDLES))
def test_every_page_holds_at_most_limit_candles(span_seconds, name, limit):
    start = datetime(2025, 3, 1, tzinfo=UTC)
    end = start + timedelta(seconds=span_seconds)
    windows = list(pages(start, end, name, limit))
    length = timedelta(seconds=seconds(name))
    for begin, stop in windows:
        assert (stop - begin) // length + 1 <= limit  # candle starts in [begin, stop], both ends counted
    assert sum(((s - b) for b, s in windows), timedelta()) == end - start


def test_pages_refuse_a_limit_above_v20s():
    with pytest.raises(ValueError, match="limit must be 1..5000"):
        list(pages(datetime(2025, 1, 1), datetime(2025, 1, 2), "M1", 5001))
