"""DataFrame feeds: columns found by name or position, the index as datetimes, and bad
frames refused with the row named."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tradebridge as bt
from tradebridge.utils.synthetic import synthetic_ohlcv


def closes(feed: Any) -> list[float]:
    out: list[float] = []

    class S(bt.Strategy):
        def next(self) -> None:
            out.append(self.data.close[0])

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(feed)
    cerebro.addstrategy(S)
    cerebro.run()
    return out


def test_columns_by_name_case_insensitive_position_or_absent() -> None:
    df = synthetic_ohlcv(10).rename(columns=str.upper).reset_index()
    feed = bt.feeds.PandasData(dataname=df, datetime="DATETIME", volume=None, openinterest=None)
    assert closes(feed) == list(df["CLOSE"])
    by_pos = bt.feeds.PandasData(dataname=df, datetime=0, open=1, high=2, low=3, close=4)
    assert closes(by_pos) == list(df["CLOSE"])


def test_aware_index_is_converted_to_utc() -> None:
    df = synthetic_ohlcv(3, freq="h", start="2024-01-01 10:00")
    df.index = df.index.tz_localize("Europe/Berlin")
    dts: list[Any] = []

    class S(bt.Strategy):
        def next(self) -> None:
            dts.append(self.data.datetime.datetime(0))

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=df))
    cerebro.addstrategy(S)
    cerebro.run()
    assert [d.hour for d in dts] == [9, 10, 11]


@pytest.mark.parametrize("fault,match", [
    ("unsorted", r"not sorted \(row 2 goes back in time\)"),
    ("duplicate", r"duplicate datetime at row 2"),
    ("missing_column", r"column 'Close' for line 'close' not found"),
])
def test_bad_frames_are_refused_naming_the_row(fault: str, match: str) -> None:
    df = synthetic_ohlcv(5)
    kwargs: dict[str, Any] = {}
    if fault == "unsorted":
        df = df.iloc[[0, 2, 1, 3, 4]]
    elif fault == "duplicate":
        df.index = df.index[[0, 1, 1, 3, 4]]
    else:
        kwargs["close"] = "Close"
        kwargs["nocase"] = False
    with pytest.raises((ValueError, KeyError), match=match):
        closes(bt.feeds.PandasData(dataname=df, **kwargs))


def test_pandas_direct_data_reads_fixed_positions() -> None:
    df = synthetic_ohlcv(6)[["open", "high", "low", "close", "volume", "openinterest"]]
    assert closes(bt.feeds.PandasDirectData(dataname=df)) == list(df["close"])


def test_nan_rows_are_kept_with_a_warning() -> None:
    df = synthetic_ohlcv(4)
    df.iloc[1, df.columns.get_loc("close")] = np.nan
    with pytest.warns(UserWarning, match="1 missing close value"):
        out = closes(bt.feeds.PandasData(dataname=df))
    assert np.isnan(out[1]) and len(out) == 4


def test_frame_not_a_dataframe_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        closes(bt.feeds.PandasData(dataname=[1, 2, 3]))


def test_dates_equal_backtraders() -> None:
    import backtrader

    df = synthetic_ohlcv(50, freq="min", start="2024-03-01 09:30")
    mine, ref = [], []
    for lib, out in ((bt, mine), (backtrader, ref)):
        class S(lib.Strategy):  # type: ignore[name-defined, misc]
            def next(self, out: list = out) -> None:
                out.append((self.data.datetime[0], self.data.open[0], self.data.volume[0]))

        cerebro = lib.Cerebro(stdstats=False)
        cerebro.adddata(lib.feeds.PandasData(dataname=df))
        cerebro.addstrategy(S)
        cerebro.run()
    assert mine == ref
