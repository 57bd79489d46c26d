"""Historical downloads: request splitting, pacing with a clock we control, and the on-disk cache."""

import datetime as dt
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebridge.venues.ib.history import (
    MAX_DURATION,
    HistoryCache,
    ManualClock,
    Pacer,
    bar_seconds,
    bar_tuple,
    duration_str,
    plan_downloads,
    plan_requests,
)
from tradebridge.venues.ib.mapping import IBMappingError

UTC = dt.UTC
T0 = dt.datetime(2026, 1, 5, tzinfo=UTC)


def test_duration_strings_use_seconds_up_to_a_day_then_days_then_years():
    assert duration_str(1800) == "1800 S" and duration_str(86400) == "86400 S"
    assert duration_str(86401) == "2 D" and duration_str(7 * 86400) == "7 D"
    assert duration_str(365 * 86400) == "1 Y" and duration_str(800 * 86400) == "3 Y"
    with pytest.raises(ValueError, match="positive"):
        duration_str(0)


def test_a_month_of_one_minute_bars_is_split_into_one_day_requests_oldest_first():
    reqs = plan_requests(T0, T0 + dt.timedelta(days=30), "1 min")
    assert len(reqs) == 30 and all(r.duration == "86400 S" for r in reqs)
    assert reqs[0].start == T0 and reqs[-1].end == T0 + dt.timedelta(days=30)
    assert reqs[-1].end_str == "20260204 00:00:00 UTC"


def test_a_short_range_is_one_request_and_naive_times_are_utc():
    (req,) = plan_requests(dt.datetime(2026, 1, 5, 9, 30), dt.datetime(2026, 1, 5, 16), "5 mins")
    assert req.duration == "23400 S" and req.end_str == "20260105 16:00:00 UTC"


def test_bad_ranges_and_bar_sizes_are_refused_with_the_cause():
    with pytest.raises(ValueError, match="not after start"):
        plan_requests(T0, T0, "1 min")
    with pytest.raises(IBMappingError, match="'7 mins'"):
        plan_requests(T0, T0 + dt.timedelta(days=1), "7 mins")


@given(st.sampled_from(sorted(MAX_DURATION)), st.integers(1, 3 * 365 * 86400), st.integers(0, 10**8))
def test_requests_tile_the_range_exactly_within_ibs_limit(size, span, offset):
    start = T0 + dt.timedelta(seconds=offset)
    end = start + dt.timedelta(seconds=span)
    reqs = plan_requests(start, end, size)
    assert reqs[0].start == start and reqs[-1].end == end
    assert all(a.end == b.start for a, b in zip(reqs, reqs[1:]))
    assert all(0 < (r.end - r.start).total_seconds() <= MAX_DURATION[size] for r in reqs)


def test_sixty_requests_fill_the_ten_minute_window_and_the_61st_waits():
    clock = ManualClock(1000.0)
    pacer = Pacer(clock)
    for i in range(60):
        assert pacer.delay(("req", i), ("c", i % 20)) == 0.0
        pacer.record(("req", i), ("c", i % 20))
        clock.advance(1.0)
    assert pacer.earliest(("req", 60), "other") == 1600.0
    clock.advance(1600.0 - clock())
    assert pacer.delay(("req", 60), "other") == 0.0


def test_an_identical_request_waits_fifteen_seconds():
    clock = ManualClock(0.0)
    pacer = Pacer(clock)
    pacer.record("same", "AAPL")
    clock.advance(3.0)
    assert pacer.delay("same", "AAPL") == 12.0
    assert pacer.delay("different", "AAPL") == 0.0


def test_seven_requests_for_one_contract_within_two_seconds_are_spread_out():
    pacer = Pacer(ManualClock(0.0))
    times = pacer.plan([(("AAPL", i), "AAPL") for i in range(7)] + [(("MSFT", 0), "MSFT")])
    assert times[:6] == [0.0] * 6 and times[6] == 2.0
    assert times[7] == 2.0  # queued behind the 7th, but MSFT itself is not limited


def test_pacing_violation_holds_everything_with_doubling_back_off_until_answered():
    clock = ManualClock(100.0)
    pacer = Pacer(clock)
    assert pacer.violation() == 115.0
    assert pacer.delay("x", "AAPL") == 15.0
    clock.advance(15.0)
    assert pacer.violation() == 145.0
    clock.advance(30.0)
    pacer.record("x", "AAPL")
    pacer.answered()
    assert pacer.violation() == 160.0


@settings(max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), min_size=1, max_size=90))
def test_any_plan_respects_all_three_ib_limits(reqs):
    pacer = Pacer(ManualClock(0.0))
    pairs = [((ident, contract), contract) for ident, contract in reqs]
    times = pacer.plan(pairs)
    assert times == sorted(times)
    sent = list(zip(times, pairs))
    for t, (ident, contract) in sent:
        assert sum(1 for s, _ in sent if t - 600 < s <= t) <= 60
        assert sum(1 for s, (_, c) in sent if c == contract and t - 2 < s <= t) <= 6
        assert not any(i == ident and t - 15 < s < t for s, (i, _) in sent)


BARS = [(1.0e9 + 60 * i, 10.0 + i, 11.0 + i, 9.0 + i, 10.5 + i, 100.0) for i in range(10)]


def test_cache_survives_a_restart_so_nothing_is_downloaded_twice(tmp_path):
    cache = HistoryCache(tmp_path)
    with cache.open("AAPL-STK-SMART-USD", "1 min", "TRADES", True) as store:
        assert store.missing(BARS[0][0], BARS[-1][0]) == [(BARS[0][0], BARS[-1][0])]
        store.store(BARS, BARS[0][0], BARS[-1][0])
    with HistoryCache(tmp_path).open("AAPL-STK-SMART-USD", "1 min", "TRADES", True) as store:
        assert store.missing(BARS[0][0], BARS[-1][0]) == []
        assert store.bars(BARS[2][0], BARS[4][0]) == BARS[2:5]
        assert store.repaired is None


def test_missing_reports_only_the_gaps_between_downloaded_spans(tmp_path):
    with HistoryCache(tmp_path).open("ES-FUT-GLOBEX-USD-202612", "1 hour", "TRADES", False) as store:
        store.store([], 100.0, 200.0)
        store.store([], 300.0, 400.0)
        store.store([], 150.0, 250.0)
        assert store.spans() == [(100.0, 250.0), (300.0, 400.0)]
        assert store.missing(0.0, 500.0) == [(0.0, 100.0), (250.0, 300.0), (400.0, 500.0)]
        assert store.missing(120.0, 240.0) == []
        with pytest.raises(ValueError, match="before start"):
            store.store([], 10.0, 5.0)


def test_each_series_has_its_own_file_named_after_contract_bar_what_and_rth(tmp_path):
    cache = HistoryCache(tmp_path)
    paths = {cache.path("EUR.USD-CASH-IDEALPRO", b, w, r) for b in ("1 min", "1 day")
             for w in ("MIDPOINT", "BID") for r in (True, False)}
    assert len(paths) == 8 and all(p.parent == tmp_path and " " not in p.name for p in paths)


def test_default_cache_dir_is_under_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEBRIDGE_HOME", str(tmp_path))
    assert HistoryCache().root == tmp_path / "ib" / "history"


def test_a_corrupt_cache_file_is_reported_moved_aside_and_rebuilt(tmp_path, caplog):
    cache = HistoryCache(tmp_path)
    path = cache.path("AAPL", "1 day", "TRADES", True)
    path.write_bytes(b"this is not sqlite at all" * 100)
    with caplog.at_level("WARNING"), cache.open("AAPL", "1 day", "TRADES", True) as store:
        assert store.repaired and str(path) in store.repaired
        assert store.missing(0.0, 10.0) == [(0.0, 10.0)]
        store.store(BARS[:1], 0.0, 2.0e9)
    assert str(path) in caplog.text
    assert [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    with cache.open("AAPL", "1 day", "TRADES", True) as store:
        assert store.repaired is None and store.bars(0.0, 2.0e9) == BARS[:1]


def test_a_sqlite_file_that_is_not_a_cache_is_not_trusted(tmp_path):
    cache = HistoryCache(tmp_path)
    path = cache.path("MSFT", "1 day", "TRADES", True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE other (x)")
    db.close()
    with cache.open("MSFT", "1 day", "TRADES", True) as store:
        assert store.repaired and "not a tradebridge history cache" in store.repaired
        assert store.spans() == []


def test_bar_seconds_match_the_ib_bar_sizes():
    assert bar_seconds("5 secs") == 5 and bar_seconds("1 hour") == 3600 and bar_seconds("1 day") == 86400


def test_downloads_are_planned_only_for_what_the_cache_lacks(tmp_path):
    with HistoryCache(tmp_path).open("AAPL", "1 min", "TRADES", True) as store:
        start, end = T0, T0 + dt.timedelta(days=3)
        assert len(plan_downloads(store, start, end, "1 min")) == 3
        store.store([], start.timestamp(), (start + dt.timedelta(days=2)).timestamp())
        (req,) = plan_downloads(store, start, end, "1 min")
        assert (req.start, req.end) == (start + dt.timedelta(days=2), end)
        store.store([], start.timestamp(), end.timestamp())
        assert plan_downloads(store, start, end, "1 min") == []


def test_request_keys_make_identical_requests_identical_and_group_by_contract():
    a, b = plan_requests(T0, T0 + dt.timedelta(days=2), "1 min")
    assert a.keys("AAPL", "TRADES", True) == a.keys("AAPL", "TRADES", True)
    assert a.keys("AAPL", "TRADES", True)[0] != b.keys("AAPL", "TRADES", True)[0]
    assert a.keys("AAPL", "TRADES", True)[1] == b.keys("AAPL", "TRADES", False)[1]


def test_ib_async_bars_become_utc_cache_rows():
    from ib_async import BarData

    intraday = BarData(date=dt.datetime(2026, 1, 5, 14, 30, tzinfo=UTC), open=1, high=2, low=0.5, close=1.5,
                       volume=10)
    daily = BarData(date=dt.date(2026, 1, 5), open=1, high=2, low=0.5, close=1.5, volume=-1)
    stamp = dt.datetime(2026, 1, 5, 14, 30, tzinfo=UTC).timestamp()
    assert bar_tuple(intraday) == (stamp, 1.0, 2.0, 0.5, 1.5, 10.0)
    assert bar_tuple(daily)[0] == T0.timestamp()


def test_every_ib_bar_size_has_a_maximum_request_duration():
    from tradebridge.venues.ib.mapping import BAR_SECONDS

    assert set(MAX_DURATION) == set(BAR_SECONDS)
    assert all(MAX_DURATION[size] >= BAR_SECONDS[size] for size in MAX_DURATION)
