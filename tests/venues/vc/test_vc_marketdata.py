"""Visual Chart timeframes, symbol codes, OLE dates and time zones -> tradebridge data specs and UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tradebridge.utils.timeframe import TimeFrame
from tradebridge.venues.vc.marketdata import (
    MARKET_TIMEZONES,
    OLE_EPOCH,
    VCDataError,
    data_spec,
    normalize_code,
    ole_from_datetime,
    ole_to_datetime,
    vc_time_to_utc,
)

UTC = dt.UTC
_naive = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31))


def test_ole_dates_have_their_epoch_and_fractions_of_a_day() -> None:
    assert ole_to_datetime(0.0) == OLE_EPOCH
    assert ole_to_datetime(46350.75) == dt.datetime(2026, 11, 24, 18, 0)
    assert ole_from_datetime(dt.datetime(2026, 11, 24, 18, 0)) == 46350.75


@given(_naive)
def test_ole_dates_round_trip_exactly_at_millisecond_resolution(value: dt.datetime) -> None:
    value = value.replace(microsecond=value.microsecond // 1000 * 1000)
    assert ole_to_datetime(ole_from_datetime(value)) == value


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e12, "46000", None])
def test_values_that_are_not_ole_dates_are_refused_naming_the_value(bad) -> None:
    with pytest.raises(VCDataError, match="is not an OLE automation date"):
        ole_to_datetime(bad)


def test_a_minute_bar_in_madrid_market_time_becomes_utc_on_the_minute() -> None:
    # 15:30:59.999 on 2026-07-01 in Visual Chart's clock, an hour ahead of the market (TimeOffset 3600)
    days = ole_from_datetime(dt.datetime(2026, 7, 1, 15, 30, 59, 999000))
    got = vc_time_to_utc(days, time_offset=3600, market="005", tz="Europe/Berlin", bar=True)
    assert got == dt.datetime(2026, 7, 1, 12, 31, tzinfo=UTC)  # 14:31 CEST
    tick = vc_time_to_utc(days, time_offset=3600, market="005", tz="Europe/Berlin")
    assert tick == dt.datetime(2026, 7, 1, 12, 30, 59, 999000, tzinfo=UTC)


def test_global_indices_get_the_extra_hour_and_no_timezone_means_utc() -> None:
    days = ole_from_datetime(dt.datetime(2026, 1, 15, 9, 0))
    london = vc_time_to_utc(days, market="096", tz="Europe/London")
    assert london == dt.datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    assert vc_time_to_utc(days, market="001") == dt.datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@given(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
       st.sampled_from(sorted(set(MARKET_TIMEZONES.values()))),
       st.integers(min_value=-12 * 3600, max_value=12 * 3600))
def test_vc_time_to_utc_inverts_market_localisation(moment: dt.datetime, zone: str, offset: int) -> None:
    """A UTC instant shown in market time and shifted by TimeOffset comes back as the same instant."""
    utc = moment.replace(microsecond=moment.microsecond // 1000 * 1000, tzinfo=UTC)
    local = utc.astimezone(ZoneInfo(zone))
    assume(local.fold == 0)  # the second pass of a repeated hour has the same wall time as the first
    stamp = ole_from_datetime(local.replace(tzinfo=None) + dt.timedelta(seconds=offset))
    assert vc_time_to_utc(stamp, time_offset=offset, tz=zone) == utc


@given(st.floats(min_value=0, max_value=80000, allow_nan=False), st.sampled_from(["Europe/Berlin", None]))
def test_vc_time_to_utc_is_always_aware_utc_and_monotonic(days: float, zone: str | None) -> None:
    a = vc_time_to_utc(days, tz=zone)
    b = vc_time_to_utc(days + 1.0, tz=zone)
    assert a.tzinfo is UTC and b > a


def test_codes_pasted_from_visual_chart_are_normalized() -> None:
    assert normalize_code(" 001 ES ") == "001ES"
    assert normalize_code("096.FTSE") == "096.FTSE"
    for bad in ("ES", "ABCES", "", "001"):
        with pytest.raises(VCDataError, match="dataname .* 3-digit market code"):
            normalize_code(bad)
    with pytest.raises(VCDataError, match="dataname must be a string"):
        normalize_code(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("timeframe", "compression", "ct", "comp", "ticking"),
    [
        (TimeFrame.Ticks, 1, "CT_Ticks", 1, True),
        (TimeFrame.Seconds, 5, "CT_Ticks", 5, True),
        (TimeFrame.Minutes, 5, "CT_Minutes", 5, False),
        (TimeFrame.Days, 1, "CT_Days", 1, False),
        (TimeFrame.Weeks, 1, "CT_Weeks", 1, False),
        (TimeFrame.Months, 3, "CT_Months", 3, False),
        (TimeFrame.Years, 2, "CT_Months", 24, False),
    ],
)
def test_timeframes_map_to_visual_chart_compressions(timeframe, compression, ct, comp, ticking) -> None:
    spec = data_spec("001ES", timeframe=timeframe, compression=compression)
    assert (spec.ct, spec.compression, spec.ticking) == (ct, comp, ticking)


def test_data_spec_prefixes_the_serie_symbol_and_keeps_the_trade_name() -> None:
    spec = data_spec("001 ES", tradename="001ESZ26", timeframe=TimeFrame.Minutes)
    assert (spec.symbol, spec.tradename, spec.market) == ("010001ES", "001ESZ26", "001")
    assert (spec.timezone, spec.display_timezone) == ("America/Chicago", "America/Chicago")
    assert data_spec("001ES").tradename == "010001ES"
    glob = data_spec("096.DJI")
    assert (glob.timezone, glob.display_timezone) == ("Europe/London", "America/New_York")
    plain = data_spec("005TEF", usetimezones=False)
    assert (plain.timezone, plain.display_timezone) == (None, None)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"timeframe": TimeFrame.NoTimeFrame}, "timeframe 9 is not one Visual Chart serves"),
        ({"compression": 0}, "compression must be a positive integer"),
        ({"tradename": "ESZ6"}, "tradename 'ESZ6' must be Visual Chart's 3-digit market code"),
    ],
)
def test_bad_data_parameters_are_refused_naming_the_field(kw, message) -> None:
    with pytest.raises(VCDataError, match=message):
        data_spec("001ES", **kw)


def test_a_bar_stamp_already_on_a_whole_second_keeps_it_with_millisecond() -> None:
    days = ole_from_datetime(dt.datetime(2026, 7, 1, 14, 31))
    assert vc_time_to_utc(days, bar=True) == dt.datetime(2026, 7, 1, 14, 31, tzinfo=UTC)
    short = ole_from_datetime(dt.datetime(2026, 7, 1, 14, 30, 59, 999000))
    assert vc_time_to_utc(short, bar=True, millisecond=False) == dt.datetime(2026, 7, 1, 14, 30, 59, 999000,
                                                                               tzinfo=UTC)
