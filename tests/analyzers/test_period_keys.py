"""Period keys equal backtrader's, and the fast "still in this period" bound never skips a
period change."""

from __future__ import annotations

import datetime as _dt
import types

import backtrader as bt
import pytest

from tradebridge.analyzers.timeframe import next_period_start, period_key
from tradebridge.utils.dates import date2num
from tradebridge.utils.timeframe import TimeFrame as TF

CASES = [(TF.Minutes, c) for c in (1, 5, 7, 15, 60, 90, 240)] + [(TF.Seconds, c) for c in (1, 45, 900)] + [
    (TF.Days, 1), (TF.Weeks, 1), (TF.Months, 1), (TF.Years, 1)]


def _stamps(timeframe: int) -> list[_dt.datetime]:
    step = {TF.Seconds: _dt.timedelta(seconds=13), TF.Minutes: _dt.timedelta(minutes=3, seconds=20)}.get(
        timeframe, _dt.timedelta(hours=17))
    start = _dt.datetime(2003, 12, 27, 21, 0)
    return [start + i * step for i in range(3000)]


def _bt_key(timeframe: int, compression: int, dt: _dt.datetime) -> tuple:
    fake = types.SimpleNamespace(timeframe=timeframe, compression=compression)
    fake._get_subday_cmpkey = types.MethodType(bt.TimeFrameAnalyzerBase._get_subday_cmpkey, fake)
    return bt.TimeFrameAnalyzerBase._get_dt_cmpkey(fake, dt)


@pytest.mark.parametrize(("timeframe", "compression"), CASES)
def test_period_keys_equal_backtrader(timeframe: int, compression: int) -> None:
    for dt in _stamps(timeframe):
        assert period_key(dt, timeframe, compression) == _bt_key(timeframe, compression, dt), dt


@pytest.mark.parametrize(("timeframe", "compression"), CASES)
def test_fast_bound_never_hides_a_period_change(timeframe: int, compression: int) -> None:
    stamps = _stamps(timeframe)
    for prev, cur in zip(stamps, stamps[1:]):
        key = period_key(prev, timeframe, compression)[1]
        if date2num(cur) < next_period_start(key, timeframe, date2num(prev)):
            assert period_key(cur, timeframe, compression) == period_key(prev, timeframe, compression)


def test_no_timeframe_has_no_key() -> None:
    assert period_key(_dt.datetime(2020, 1, 1), TF.NoTimeFrame, 1) == (None, None)
