"""Bad CSV input fails loudly naming file and line, or is skipped with a warning where
backtrader skips it; never a silent wrong result. Both the whole-file and the per-line path."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import tradebridge as bt
from tradebridge.feeds import CSVFormatError

HEADER = "Date,Open,High,Low,Close,Volume,OpenInterest\n"
GOOD = ["2020-01-02,10,11,9,10.5,100,0", "2020-01-03,10.5,12,10,11,200,0",
        "2020-01-06,11,11.5,10.5,11.2,150,0"]


class _PerLine(bt.feeds.GenericCSVData):
    """Same format, but read line by line (a subclass overriding ``_loadline``)."""

    def _loadline(self, linetokens: list[str]) -> bool:
        return super()._loadline(linetokens)


FEEDS = [bt.feeds.GenericCSVData, _PerLine]


def _load(tmp_path: Path, feedcls: type, rows: list[str], **kwargs: object) -> list[tuple]:
    path = tmp_path / "prices.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    data = feedcls(dataname=str(path), dtformat="%Y-%m-%d", **kwargs)
    data._start()
    data.preload()
    return [tuple(line.getzeroval(i) for line in data.lines) for i in range(data.buflen())]


def _fails(tmp_path: Path, feedcls: type, rows: list[str], line: int, words: str) -> None:
    with pytest.raises(CSVFormatError) as err:
        _load(tmp_path, feedcls, rows)
    msg = str(err.value)
    assert f"prices.csv, line {line}" in msg and words in msg, msg


@pytest.mark.parametrize("feedcls", FEEDS)
def test_well_formed_file_loads_every_row(tmp_path: Path, feedcls: type) -> None:
    assert len(_load(tmp_path, feedcls, GOOD)) == 3


@pytest.mark.parametrize("feedcls", FEEDS)
def test_non_numeric_price_names_line(tmp_path: Path, feedcls: type) -> None:
    _fails(tmp_path, feedcls, [GOOD[0], "2020-01-03,10.5,abc,10,11,200,0"], 3, "abc")


@pytest.mark.parametrize("feedcls", FEEDS)
def test_missing_column_names_line(tmp_path: Path, feedcls: type) -> None:
    _fails(tmp_path, feedcls, [GOOD[0], "2020-01-03,10.5,12,10"], 3, "")


@pytest.mark.parametrize("feedcls", FEEDS)
def test_bad_date_names_line(tmp_path: Path, feedcls: type) -> None:
    _fails(tmp_path, feedcls, [GOOD[0], "2020-13-03,10.5,12,10,11,200,0"], 3, "2020-13-03")


@pytest.mark.parametrize("feedcls", FEEDS)
def test_negative_price_names_line(tmp_path: Path, feedcls: type) -> None:
    _fails(tmp_path, feedcls, [GOOD[0], "2020-01-03,10.5,12,-10,11,200,0"], 3, "negative low")


@pytest.mark.parametrize("feedcls", FEEDS)
def test_unsorted_timestamps_name_line(tmp_path: Path, feedcls: type) -> None:
    _fails(tmp_path, feedcls, [GOOD[1], GOOD[0]], 3, "back in time")


@pytest.mark.parametrize("feedcls", FEEDS)
def test_duplicate_timestamps_name_line(tmp_path: Path, feedcls: type) -> None:
    _fails(tmp_path, feedcls, [GOOD[0], GOOD[1], GOOD[1]], 4, "duplicate timestamp")


@pytest.mark.parametrize("feedcls", FEEDS)
def test_missing_price_is_nan_with_warning(tmp_path: Path, feedcls: type) -> None:
    with pytest.warns(UserWarning, match=r"prices.csv, line 3: .*missing prices"):
        bars = _load(tmp_path, feedcls, [GOOD[0], "2020-01-03,10.5,,10,11,200,0", GOOD[2]])
    assert len(bars) == 3 and bars[1][2] != bars[1][2]  # high is NaN, as backtrader


@pytest.mark.parametrize("feedcls", FEEDS)
def test_blank_line_skipped_with_warning(tmp_path: Path, feedcls: type) -> None:
    with pytest.warns(UserWarning, match=r"prices.csv, line 3: blank line"):
        bars = _load(tmp_path, feedcls, [GOOD[0], "", GOOD[1]])
    assert len(bars) == 2


def test_nullvalue_fills_absent_and_empty_fields(tmp_path: Path) -> None:
    bars = _load(tmp_path, bt.feeds.GenericCSVData, [GOOD[0].replace(",100,", ",,")],
                 nullvalue=0.0, openinterest=-1)
    assert bars[0][4] == 0.0 and bars[0][5] == 0.0


def test_yahoo_null_rows_skipped_with_warning_naming_line() -> None:
    text = ("Date,Open,High,Low,Close,Adj Close,Volume\n"
            "2020-01-02,10,11,9,10.5,10.5,100\n2020-01-03,null,null,null,null,null,null\n"
            "2020-01-06,11,11.5,10.5,11.2,11.2,150\n")
    for feedcls in (bt.feeds.YahooFinanceCSVData, _yahoo_per_line()):
        data = feedcls(dataname=io.StringIO(text))
        data._start()
        with pytest.warns(UserWarning, match=r"line 3: row with 'null' fields skipped"):
            data.preload()
        assert data.buflen() == 2


def _yahoo_per_line() -> type:
    class PerLine(bt.feeds.YahooFinanceCSVData):
        def _loadline(self, linetokens: list[str]) -> bool:
            return super()._loadline(linetokens)

    return PerLine


def test_stream_errors_name_the_feed(tmp_path: Path) -> None:
    data = bt.feeds.GenericCSVData(dataname=io.StringIO(HEADER + "2020-01-02,x,1,1,1,1,1\n"),
                                   dtformat="%Y-%m-%d")
    data._start()
    with pytest.raises(CSVFormatError, match=r"line 2: open 'x' is not a number"):
        data.preload()
