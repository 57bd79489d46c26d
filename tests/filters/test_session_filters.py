"""Session filters and simple filters drop exactly the bars backtrader drops."""

from __future__ import annotations

import datetime as dt
from typing import Any

import backtrader
import numpy as np
import pandas as pd
import pytest

import tradebridge
import tradebridge.filters  # noqa: F401  (bt.filters)
from tradebridge.utils.synthetic import synthetic_ohlcv


def _extended_hours() -> pd.DataFrame:
    """Minute bars 08:00-17:59 on three days: pre- and post-market included."""
    df = synthetic_ohlcv(3 * 600, seed=9)
    stamps: list[pd.Timestamp] = []
    for day in pd.bdate_range("2021-06-01", periods=3):
        stamps.extend(pd.date_range(day + pd.Timedelta(hours=8), periods=600, freq="min"))
    df.index = pd.DatetimeIndex(stamps, name="datetime")
    return df


def _record(bt: Any, data: Any, preload: bool = True) -> list[tuple[float, ...]]:
    """(len, every line) of data 0 at each strategy step."""
    rows: list[tuple[float, ...]] = []

    class Recorder(bt.Strategy):
        def next(self) -> None:
            rows.append((len(self.data), *(line[0] for line in self.data.lines)))

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(data)
    cerebro.addstrategy(Recorder)
    cerebro.run(preload=preload)
    return rows


def _bars(bt: Any, add: Any) -> list[tuple[float, ...]]:
    data = bt.feeds.PandasData(dataname=_extended_hours(), timeframe=bt.TimeFrame.Minutes,
                               sessionstart=dt.time(9, 30), sessionend=dt.time(16, 0))
    add(bt, data)
    return _record(bt, data)


ADDERS = {
    "session_filter": lambda bt, d: d.addfilter(bt.filters.SessionFilter),
    "session_filter_simple": lambda bt, d: d.addfilter_simple(bt.filters.SessionFilterSimple),
    "callable_simple": lambda bt, d: d.addfilter_simple(lambda data: data.close[0] > 100.0),
}


@pytest.mark.parametrize("how", sorted(ADDERS))
def test_filtered_bars_equal_backtrader(how: str) -> None:
    expected = _bars(backtrader, ADDERS[how])
    got = _bars(tradebridge, ADDERS[how])
    assert 0 < len(expected) < 1800
    assert np.array_equal(np.array(expected), np.array(got))


def test_session_filter_keeps_only_session_times() -> None:
    got = _bars(tradebridge, ADDERS["session_filter"])
    times = {tradebridge.num2date(r[-1]).time() for r in got}
    assert min(times) == dt.time(9, 30) and max(times) == dt.time(16, 0)


def test_day_steps_filter_equals_backtrader() -> None:
    out = []
    for bt in (backtrader, tradebridge):
        data = bt.feeds.PandasData(dataname=synthetic_ohlcv(60, seed=2))
        data.addfilter(bt.filters.DayStepsFilter)
        out.append(_record(bt, data, preload=False))
    assert len(out[0]) == 2 * 60
    assert np.array_equal(np.array(out[0]), np.array(out[1]))
