"""Market data tapes of the IB sandbox: synthetic and replayed bars, history joining live bars."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebridge.utils.synthetic import synthetic_ohlcv
from tradebridge.venues.ib.sandbox.events import Bar
from tradebridge.venues.ib.sandbox.feeds import (
    DataError,
    MarketData,
    Tape,
    _aggregate,
    bar_seconds,
    parse_duration,
)

T0 = int(dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC).timestamp())
END = dt.datetime.fromtimestamp(T0, dt.UTC)


def test_durations_and_bar_sizes_in_ib_spelling():
    assert [parse_duration(d) for d in ("60 S", "2 D", "1 W", "1 M", "1 Y")] == [
        60, 172_800, 604_800, 2_592_000, 31_536_000]
    assert [bar_seconds(b) for b in ("5 secs", "1 min", "15 mins", "1 hour", "1 day")] == [
        5, 60, 900, 3600, 86_400]
    with pytest.raises(DataError, match="durationStr '10 minutes'"):
        parse_duration("10 minutes")
    with pytest.raises(DataError, match="barSizeSetting '7 mins' is not an IB bar size"):
        bar_seconds("7 mins")


def test_synthetic_history_is_seeded_ends_before_the_start_and_meets_the_opening_price():
    tape = MarketData(T0).ensure("AAPL")
    bars = tape.history(END, 3600, 60)
    assert len(bars) == 60 and bars[-1].time == END - dt.timedelta(minutes=1)
    assert bars[-1].close == tape.price == 190.0
    assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in bars)
    assert all(round(b.close, 2) == b.close for b in bars)
    assert [b.close for b in MarketData(T0).ensure("AAPL").history(END, 3600, 60)] == [b.close for b in bars]


def test_forex_prices_keep_five_decimals_and_daily_bars_include_weekends():
    tape = MarketData(T0).ensure("EUR.USD", "CASH")
    days = tape.history(END, 14 * 86_400, 86_400)
    assert len(days) == 14
    assert any(round(b.close, 2) != b.close for b in days)
    stock_days = MarketData(T0).ensure("AAPL").history(END, 14 * 86_400, 86_400)
    assert all(b.time.weekday() < 5 for b in stock_days) and len(stock_days) == 11


def test_live_bars_are_consecutive_five_second_bars_across_synthetic_chunks():
    tape = Tape("AAPL", T0, price=190.0)
    bars = [tape.advance() for _ in range(2003)]
    assert bars[0].open == 190.0
    assert all((b.time - a.time).total_seconds() == 5 for a, b in zip(bars, bars[1:]))
    jumps = [abs(b.open - a.close) / a.close for a, b in zip(bars, bars[1:])]
    assert max(jumps) < 0.01  # no gap at the chunk boundary either


def test_history_reaching_past_the_start_aggregates_the_live_bars():
    tape = MarketData(T0).ensure("AAPL")
    live = [tape.advance() for _ in range(24)]
    end = END + dt.timedelta(minutes=2)
    bars = tape.history(end, 600, 60)
    first, second = bars[-2], bars[-1]
    assert (first.time, second.time) == (END, END + dt.timedelta(minutes=1))
    assert (first.open, first.close) == (live[0].open, live[11].close)
    assert first.high == max(b.high for b in live[:12]) and second.volume == sum(b.volume for b in live[12:])
    assert bars[-3].time == END - dt.timedelta(minutes=1)


def test_a_file_is_split_into_history_ending_at_the_start_and_replayed_live_bars():
    frame = synthetic_ohlcv(10, seed=1, freq="D", start="2024-01-01")
    frame.index = frame.index.tz_localize("UTC")
    md = MarketData(T0, {"MSFT": frame})
    tape = md.tapes["MSFT"]
    history = tape.history(END, 30 * 86_400, 86_400)
    assert [b.close for b in history] == frame["close"].iloc[:8].tolist()
    assert history[-1].time == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)  # whole days moved
    assert tape.price == frame["open"].iloc[8]
    replay = [tape.advance(), tape.advance()]
    assert [b.close for b in replay] == frame["close"].iloc[8:].tolist()
    assert [b.time for b in replay] == [END, END + dt.timedelta(seconds=5)]
    assert tape.ended and tape.advance() is None


def test_a_file_with_one_bar_is_refused():
    frame = synthetic_ohlcv(1, seed=1)
    with pytest.raises(DataError, match="MSFT: a data file needs at least 2 bars"):
        MarketData(T0, {"MSFT": frame})


_prices = st.floats(10, 1000, allow_nan=False)


@given(st.lists(st.tuples(_prices, _prices, _prices, st.floats(0, 1e6)), min_size=1, max_size=60),
       st.sampled_from([5, 10, 60, 300]))
def test_aggregation_keeps_open_close_extremes_and_volume(rows, seconds):
    bars = [Bar(END + dt.timedelta(seconds=5 * i), a, max(a, b, c), min(a, b, c), c, v)
            for i, (a, b, c, v) in enumerate(rows)]
    out = _aggregate(bars, seconds)
    assert sum(b.volume for b in out) == pytest.approx(sum(b.volume for b in bars))
    assert max(b.high for b in out) == max(b.high for b in bars)
    assert min(b.low for b in out) == min(b.low for b in bars)
    assert out[0].open == bars[0].open and out[-1].close == bars[-1].close
    assert all(int(b.time.timestamp()) % seconds == 0 for b in out)
    assert len(out) == len({int(b.time.timestamp()) // seconds for b in bars})
