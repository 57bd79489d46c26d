"""Resampling and replaying deliver exactly backtrader's bars (len, datetime, OHLCV, SMA)."""

from __future__ import annotations

import datetime as dt
import functools

import backtrader
import pytest
from _resamplediff import assert_same_rows, intraday_bars, run_mode

import tradebridge
from tradebridge.utils.synthetic import synthetic_ohlcv

TF = tradebridge.TimeFrame
MODES = [(True, True), (True, False), (False, True), (False, False)]

CASES = {
    "min5": ("intraday", "resampledata", dict(timeframe=TF.Minutes, compression=5)),
    "min15": ("intraday", "resampledata", dict(timeframe=TF.Minutes, compression=15)),
    "min60": ("intraday", "resampledata", dict(timeframe=TF.Minutes, compression=60)),
    "min15_leftedge": ("intraday", "resampledata",
                       dict(timeframe=TF.Minutes, compression=15, rightedge=False)),
    "min15_noadj": ("intraday", "resampledata",
                    dict(timeframe=TF.Minutes, compression=15, adjbartime=False)),
    "min15_noedge": ("intraday", "resampledata",
                     dict(timeframe=TF.Minutes, compression=15, bar2edge=False)),
    "min15_boundoff": ("intraday", "resampledata",
                       dict(timeframe=TF.Minutes, compression=15, boundoff=5)),
    "min_to_day": ("intraday", "resampledata", dict(timeframe=TF.Days)),
    "min_to_day_sessionend": ("intraday", "resampledata",
                              dict(timeframe=TF.Days, feedkw=dict(sessionend=dt.time(16, 0)))),
    "min60_sessionend_midbar": ("intraday", "resampledata",
                                dict(timeframe=TF.Minutes, compression=60,
                                     feedkw=dict(sessionend=dt.time(15, 40)))),
    "replay_min_to_day_sessionend": ("intraday", "replaydata",
                                     dict(timeframe=TF.Days, feedkw=dict(sessionend=dt.time(16, 0)))),
    "day_to_week": ("daily", "resampledata", dict(timeframe=TF.Weeks)),
    "day_to_2weeks": ("daily", "resampledata", dict(timeframe=TF.Weeks, compression=2)),
    "day_to_month": ("daily", "resampledata", dict(timeframe=TF.Months)),
    "day_to_3days": ("daily", "resampledata", dict(timeframe=TF.Days, compression=3)),
    "replay_min15": ("intraday", "replaydata", dict(timeframe=TF.Minutes, compression=15)),
    "replay_min15_adj": ("intraday", "replaydata",
                         dict(timeframe=TF.Minutes, compression=15, adjbartime=True)),
    "replay_min_to_day": ("intraday", "replaydata", dict(timeframe=TF.Days)),
    "replay_day_to_week": ("daily", "replaydata", dict(timeframe=TF.Weeks)),
    "replay_day_to_month": ("daily", "replaydata", dict(timeframe=TF.Months)),
}


@functools.cache
def _source(kind: str):  # type: ignore[no-untyped-def]
    if kind == "intraday":
        return intraday_bars(days=4), TF.Minutes
    return synthetic_ohlcv(300, seed=5), TF.Days


@functools.cache
def _expected(case: str, both: bool) -> list[tuple]:
    kind, mode, kwargs = CASES[case]
    df, srctf = _source(kind)
    # backtrader itself always runs resampled/replayed data bar by bar, unpreloaded
    return run_mode(backtrader, df, mode, srctf=srctf, both=both, **kwargs)


def _check(case: str, both: bool, preload: bool, runonce: bool) -> None:
    kind, mode, kwargs = CASES[case]
    df, srctf = _source(kind)
    got = run_mode(tradebridge, df, mode, srctf=srctf, both=both, preload=preload,
                   runonce=runonce, **kwargs)
    assert_same_rows(_expected(case, both), got)




@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("both", [False, True], ids=["alone", "with_source"])
def test_bars_equal_backtrader_unpreloaded(case: str, both: bool) -> None:
    _check(case, both, preload=False, runonce=False)


@pytest.mark.parametrize("case", ["min5", "min15", "min60", "min_to_day", "day_to_week",
                                  "day_to_month"])
@pytest.mark.parametrize(("preload", "runonce"), MODES[:3])
def test_resampled_alone_equal_backtrader_in_every_run_mode(case: str, preload: bool,
                                                            runonce: bool) -> None:
    _check(case, False, preload, runonce)


@pytest.mark.parametrize("case", ["min15", "day_to_week"])
@pytest.mark.parametrize(("preload", "runonce"), MODES[:3])
def test_resampled_with_source_equal_backtrader_in_every_run_mode(case: str, preload: bool,
                                                                  runonce: bool) -> None:
    _check(case, True, preload, runonce)


@pytest.mark.parametrize("preload", [True, False])
def test_replay_day_to_week_equal_backtrader_with_preload_requested(preload: bool) -> None:
    _check("replay_day_to_week", False, preload, False)
