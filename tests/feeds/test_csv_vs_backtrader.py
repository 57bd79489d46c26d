"""CSV feeds load exactly the bars backtrader loads from the same file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import backtrader
import pytest
from _csvdiff import loaded_bars, run_bars, same_bars, write_csv

import tradebridge
from tradebridge.utils.synthetic import synthetic_ohlcv

TF = tradebridge.TimeFrame


@pytest.fixture(scope="module")
def daily() -> object:
    return synthetic_ohlcv(120, seed=4)


@pytest.fixture(scope="module")
def minutes() -> object:
    return synthetic_ohlcv(300, seed=6, start="2021-03-01 09:31", freq="min")


def _both(feedcls: str, dataname: object, **kwargs: object) -> None:
    for preload in (True, False):
        a = loaded_bars(backtrader, feedcls, dataname, preload=preload, **kwargs)
        b = loaded_bars(tradebridge, feedcls, dataname, preload=preload, **kwargs)
        assert a, "backtrader loaded nothing: the test file is wrong"
        assert same_bars(a, b), f"preload={preload}: first bars {a[:2]} vs {b[:2]}"


def test_generic_daily_dates_get_sessionend_time(tmp_path: Path, daily) -> None:
    path = write_csv(tmp_path / "d.csv", daily)
    _both("GenericCSVData", str(path), dtformat="%Y-%m-%d")
    _both("GenericCSVData", str(path), dtformat="%Y-%m-%d", sessionend=dt.time(16, 0))


def test_generic_intraday_datetime_column(tmp_path: Path, minutes) -> None:
    path = write_csv(tmp_path / "m.csv", minutes, dtfmt="%Y-%m-%d %H:%M:%S")
    _both("GenericCSVData", str(path), timeframe=TF.Minutes)


def test_generic_separate_time_column_and_separator(tmp_path: Path, minutes) -> None:
    path = write_csv(tmp_path / "m.csv", minutes, dtfmt="%d/%m/%Y", sep=";", time_col=True,
                     header=None)
    _both("GenericCSVData", str(path), timeframe=TF.Minutes, dtformat="%d/%m/%Y", time=1,
          open=2, high=3, low=4, close=5, volume=6, openinterest=-1, separator=";",
          headers=False)


def test_generic_callable_and_epoch_dtformat(tmp_path: Path, minutes) -> None:
    path = write_csv(tmp_path / "m.csv", minutes, dtfmt="%Y%m%d%H%M%S")
    _both("GenericCSVData", str(path), timeframe=TF.Minutes,
          dtformat=lambda s: dt.datetime.strptime(s, "%Y%m%d%H%M%S"))
    epoch = tmp_path / "e.csv"
    epoch.write_text("".join(f"{int(ts.timestamp())},{r.open},{r.high},{r.low},{r.close}\n"
                             for ts, r in minutes.iterrows()))
    _both("GenericCSVData", str(epoch), timeframe=TF.Minutes, dtformat=1, headers=False,
          volume=-1, openinterest=-1)


def test_generic_fromdate_todate(tmp_path: Path, daily) -> None:
    path = write_csv(tmp_path / "d.csv", daily)
    _both("GenericCSVData", str(path), dtformat="%Y-%m-%d", fromdate=dt.datetime(2000, 2, 1),
          todate=dt.datetime(2000, 4, 15))


def test_backtrader_csv_with_and_without_time(tmp_path: Path, daily, minutes) -> None:
    _both("BacktraderCSVData", str(write_csv(tmp_path / "d.csv", daily)))
    timed = write_csv(tmp_path / "m.csv", minutes, time_col=True)
    _both("BacktraderCSVData", str(timed), timeframe=TF.Minutes)


def test_yahoo_adjusts_and_rounds_like_backtrader(tmp_path: Path, daily) -> None:
    path = tmp_path / "y.csv"
    rows = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    for i, (ts, r) in enumerate(daily.iterrows()):
        rows.append(f"{ts:%Y-%m-%d},{r.open},{r.high},{r.low},{r.close},"
                    f"{r.close * (0.9 + i / 1000)},{r.volume}")
    path.write_text("\n".join(rows) + "\n")
    _both("YahooFinanceCSVData", str(path))
    _both("YahooFinanceCSVData", str(path), adjclose=False, round=False)
    _both("YahooFinanceCSVData", str(path), swapcloses=True, decimals=3, roundvolume=True)
    reversed_path = tmp_path / "yr.csv"
    reversed_path.write_text("\n".join([rows[0], *rows[:0:-1]]) + "\n")
    _both("YahooFinanceCSVData", str(reversed_path), reverse=True)


def test_custom_loadline_subclass_is_read_line_by_line(tmp_path: Path, daily) -> None:
    path = write_csv(tmp_path / "d.csv", daily)

    def subclass(bt):  # type: ignore[no-untyped-def]
        class Doubled(bt.feeds.GenericCSVData):
            def _loadline(self, linetokens):  # type: ignore[no-untyped-def]
                ok = super()._loadline(linetokens)
                self.lines.volume[0] = 2 * self.lines.volume[0]
                return ok
        return Doubled

    out = []
    for bt in (backtrader, tradebridge):
        bt.feeds.Doubled = subclass(bt)
        try:
            out.append(loaded_bars(bt, "Doubled", str(path), dtformat="%Y-%m-%d"))
        finally:
            del bt.feeds.Doubled
    assert same_bars(*out)
    assert out[1][0][4] == 2 * daily.volume.iloc[0]


def test_name_defaults_to_file_stem(tmp_path: Path, daily) -> None:
    data = tradebridge.feeds.GenericCSVData(dataname=str(write_csv(tmp_path / "SPY.csv", daily)))
    assert data._name == "SPY"


def test_resampling_a_csv_feed_equals_backtrader(tmp_path: Path, daily) -> None:
    path = str(write_csv(tmp_path / "d.csv", daily))

    def build(cerebro, bt):  # type: ignore[no-untyped-def]
        cerebro.resampledata(bt.feeds.GenericCSVData(dataname=path, dtformat="%Y-%m-%d"),
                             timeframe=bt.TimeFrame.Weeks)

    assert same_bars(run_bars(backtrader, build), run_bars(tradebridge, build))


def test_chaindata_skips_overlap_like_backtrader(tmp_path: Path, daily) -> None:
    paths = [str(write_csv(tmp_path / "a.csv", daily.iloc[:70])),
             str(write_csv(tmp_path / "b.csv", daily.iloc[60:]))]

    def build(cerebro, bt):  # type: ignore[no-untyped-def]
        cerebro.chaindata(*(bt.feeds.GenericCSVData(dataname=p, dtformat="%Y-%m-%d")
                            for p in paths))

    expected = run_bars(backtrader, build)
    assert len(expected) == len(daily)
    assert same_bars(expected, run_bars(tradebridge, build))
