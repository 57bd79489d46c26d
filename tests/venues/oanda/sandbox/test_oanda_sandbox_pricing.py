"""Replayed prices and candles: aggregation from the base bars, OANDA's count/from/to rules and
5000-candle limit, alignment, time formats; sans-IO where possible, plus the HTTP endpoint."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from _oanda_sandbox_kit import Checked, aio, client
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebridge.venues.oanda.sandbox import OandaSandbox
from tradebridge.venues.oanda.sandbox.data import BUNDLED, bundled_series, load_csv
from tradebridge.venues.oanda.sandbox.pricing import GRANULARITIES, TIME_FORMAT, CandleError, Market, ts


@pytest.fixture(scope="module")
def market() -> Market:
    return Market({n: bundled_series(n) for n in BUNDLED})


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_bundled_data_is_seeded_identical_and_bid_below_ask(market: Market) -> None:
    again = Market({n: bundled_series.__wrapped__(n) for n in BUNDLED})
    for name in BUNDLED:
        assert np.array_equal(again.series[name].close, market.series[name].close)
        bid, ask = market.quote(name)
        assert bid < ask
    assert _iso(market.clock) == "2026-11-25T00:00:00Z"


@settings(max_examples=40, deadline=None)
@given(
    gran=st.sampled_from(sorted(g for g, (k, n) in GRANULARITIES.items() if k == "s")),
    count=st.integers(1, 60),
    side=st.sampled_from("MBA"),
)
def test_fixed_candles_aggregate_the_base_bars_exactly(
    market: Market, gran: str, count: int, side: str
) -> None:
    rows = market.candles("EUR_USD", {"granularity": gran, "count": str(count), "price": side})
    seconds = GRANULARITIES[gran][1]
    s = market.series["EUR_USD"]
    o, h, lo, c = s.side({"M": 0, "B": -1, "A": 1}[side])
    key = {"M": "mid", "B": "bid", "A": "ask"}[side]
    last = market.index("EUR_USD")
    assert 1 <= len(rows) <= count
    for row in rows:
        start = dt.datetime.strptime(row["time"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC).timestamp()
        assert start % seconds == 0
        sel = np.flatnonzero((s.t >= start) & (s.t < start + seconds) & (np.arange(len(s.t)) <= last))
        want = {"o": o[sel[0]], "h": h[sel].max(), "l": lo[sel].min(), "c": c[sel[-1]]}
        assert {k: float(v) for k, v in row[key].items()} == pytest.approx(want)
        assert row["volume"] == int(s.volume[sel].sum())
        assert row["complete"] == (start + seconds <= market.clock)


def test_daily_candles_align_at_17_new_york_and_weekly_on_friday(market: Market) -> None:
    days = market.candles("EUR_USD", {"granularity": "D", "count": "5"})
    assert [d["time"][11:19] for d in days] == ["22:00:00"] * len(days)  # 17:00 EST
    assert days[-1]["complete"] is False and days[0]["complete"] is True
    utc_days = market.candles(
        "EUR_USD", {"granularity": "D", "dailyAlignment": "0", "alignmentTimezone": "UTC"}
    )
    assert utc_days[0]["time"].startswith("2026-11-23T00:00:00")
    week = market.candles("EUR_USD", {"granularity": "W"})[0]
    assert dt.date.fromisoformat(week["time"][:10]).weekday() == 4
    h4 = market.candles("EUR_USD", {"granularity": "H4", "count": "3"})
    assert {h["time"][11:13] for h in h4} <= {"22", "02", "06", "10", "14", "18"}


def test_count_from_to_rules_and_the_5000_limit(market: Market) -> None:
    q = {"granularity": "S5"}
    assert len(market.candles("EUR_USD", q)) == 500  # OANDA's default count
    with pytest.raises(CandleError, match="Maximum value for 'count' exceeded"):
        market.candles("EUR_USD", {**q, "count": "5001"})
    assert len(market.candles("EUR_USD", {**q, "count": "5000"})) == 5000
    start = market.clock - 3600
    forward = market.candles("EUR_USD", {**q, "from": _iso(start), "count": "3"})
    assert [r["time"][:19] + "Z" for r in forward][0] == _iso(start)
    no_first = market.candles("EUR_USD", {**q, "from": _iso(start), "count": "3", "includeFirst": "false"})
    assert no_first[0]["time"] == forward[1]["time"]
    window = market.candles("EUR_USD", {**q, "from": _iso(start), "to": _iso(start + 60)})
    assert len(window) == 12
    back = market.candles("EUR_USD", {**q, "to": _iso(start), "count": "2"})
    assert back[-1]["time"][:19] + "Z" == _iso(start - 5)
    with pytest.raises(CandleError, match="may not be specified"):
        market.candles("EUR_USD", {**q, "from": _iso(start), "to": _iso(start + 60), "count": "3"})
    with pytest.raises(CandleError, match="Maximum value for 'count' exceeded"):
        market.candles("EUR_USD", {**q, "from": _iso(start - 86400), "to": _iso(start)})
    with pytest.raises(CandleError, match="Time is in the future"):
        market.candles("EUR_USD", {**q, "to": _iso(market.clock + 60)})
    with pytest.raises(CandleError, match="granularity"):
        market.candles("EUR_USD", {"granularity": "M3"})
    with pytest.raises(CandleError, match="includeFirst"):
        market.candles("EUR_USD", {**q, "includeFirst": "false"})
    unix = market.candles("EUR_USD", {**q, "from": f"{start:.0f}", "count": "1"})
    assert unix == forward[:1]


def test_smooth_candles_open_at_the_previous_close(market: Market) -> None:
    rows = market.candles("EUR_USD", {"granularity": "M1", "count": "5", "smooth": "true"})
    plain = market.candles("EUR_USD", {"granularity": "M1", "count": "6"})
    assert [r["mid"]["o"] for r in rows] == [r["mid"]["c"] for r in plain[:5]]


def test_time_format_follows_accept_datetime_format() -> None:
    token = TIME_FORMAT.set("UNIX")
    try:
        assert ts(1795564800.5) == "1795564800.500000000"
    finally:
        TIME_FORMAT.reset(token)
    assert ts(1795564800.5) == "2026-11-25T00:00:00.500000000Z"


def test_stepping_moves_the_clock_one_bar_and_ends_with_the_data() -> None:
    series = {"EUR_USD": bundled_series("EUR_USD")}
    market = Market(series, start=float(series["EUR_USD"].t[-3] + 5))
    assert market.step() == ["EUR_USD"] and market.step() == ["EUR_USD"]
    assert market.exhausted and market.step() == []


def test_csv_data_loads_with_spread_and_bad_files_are_named(tmp_path) -> None:  # noqa: ANN001
    good = tmp_path / "EUR_GBP.csv"
    good.write_text(
        "datetime,open,high,low,close,volume,spread\n"
        "2026-01-02T00:00:00Z,0.85,0.86,0.84,0.855,10,0.0002\n"
        "2026-01-02T00:01:00Z,0.855,0.857,0.85,0.851,12,0.0002\n"
    )
    series = load_csv(good)
    assert series.spec.name == "EUR_GBP" and series.seconds == 60 and series.t[0] == 1767312000
    bad = tmp_path / "GBP_USD.csv"
    bad.write_text("datetime,open,close\n2026-01-02,1,1\n")
    with pytest.raises(ValueError, match=r"GBP_USD\.csv: missing column\(s\) high, low"):
        load_csv(bad)
    with pytest.raises(ValueError, match="AAA_BBB"):
        load_csv(tmp_path / "prices.csv")


@aio
async def test_candles_and_pricing_endpoints_answer_per_the_spec() -> None:
    checked = Checked()
    async with OandaSandbox() as sb, client(sb, checked=checked) as c:
        r = await c.get(
            "/v3/instruments/USD_JPY/candles", params={"granularity": "M5", "count": "10", "price": "MBA"}
        )
        assert r.status_code == 200 and len(r.json()["candles"]) == 10
        r = await c.get(
            f"/v3/accounts/{sb.account_id}/instruments/EUR_USD/candles",
            params={"granularity": "S5", "count": "6000"},
        )
        assert r.status_code == 400 and r.json()["errorMessage"] == "Maximum value for 'count' exceeded"
        r = await c.get(
            f"/v3/accounts/{sb.account_id}/pricing",
            params={"instruments": "EUR_USD,GBP_USD", "includeHomeConversions": "true"},
        )
        body = r.json()
        assert [p["instrument"] for p in body["prices"]] == ["EUR_USD", "GBP_USD"]
        jpy = next(h for h in body["homeConversions"] if h["currency"] == "JPY")
        assert float(jpy["accountGain"]) == pytest.approx(1 / np.mean(sb.state.market.quote("USD_JPY")))
        r = await c.get(
            f"/v3/accounts/{sb.account_id}/pricing",
            params={"instruments": "EUR_USD"},
            headers={"Accept-Datetime-Format": "UNIX"},
        )
        assert r.json()["prices"][0]["time"] == f"{sb.state.market.clock:.9f}"
        r = await c.get(f"/v3/accounts/{sb.account_id}/pricing", params={"instruments": "XXX_YYY"})
        assert r.status_code == 400 and "XXX_YYY" in r.json()["errorMessage"]
        assert checked.count == 5
