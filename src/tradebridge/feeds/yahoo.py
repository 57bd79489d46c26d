"""Yahoo Finance CSV files: Date,Open,High,Low,Close,Adj Close,Volume."""

from __future__ import annotations

import datetime as _dt
import warnings

import numpy as np

from ..utils.dates import TIME_MAX, time2num
from ._csvcheck import CSVFormatError, where
from .csvbase import CSVDataBase

__all__ = ["YahooFinanceCSVData", "YahooLegacyCSV"]

_FIELDS = ("datetime", "open", "high", "low", "close", "volume", "adjclose")


def _number(text: str, what: str, place: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CSVFormatError(f"{place}: {what} {text!r} is not a number") from None


class YahooFinanceCSVData(CSVDataBase):
    """Prices adjusted by Adj Close (``adjclose``), rounded (``round``/``decimals``); rows
    with ``null`` fields are skipped, as backtrader does, with a warning naming them."""

    lines = ("adjclose",)
    params = (
        ("reverse", False), ("adjclose", True), ("adjvolume", True), ("round", True),
        ("decimals", 2), ("roundvolume", False), ("swapcloses", False),
    )

    def _order(self, rows: list[list[str]], linenos: list[int]) -> list[list[str]]:
        if self.p.reverse:
            rows.reverse()
            linenos.reverse()
        return rows

    def _prepare(self) -> None:
        if self.p.reverse and not self._isfast:
            raise NotImplementedError(f"{type(self).__name__}: reverse=True with a custom "
                                      "_loadline is not supported")

    def _values(self, row: list[str], ln: int) -> tuple[float, ...]:
        """(datetime, open, high, low, close, volume, adjclose) of one row, as backtrader."""
        place = where(self._label, ln)
        if len(row) < 6:
            raise CSVFormatError(f"{place}: expected at least 6 fields, got {len(row)}")
        try:
            d = row[0]
            day = _dt.date(int(d[0:4]), int(d[5:7]), int(d[8:10]))
        except ValueError as exc:
            raise CSVFormatError(f"{place}: cannot read date {row[0]!r} ({exc})") from None
        dtnum = float(day.toordinal()) + time2num(self.p.sessionend or TIME_MAX)
        o, h, lo, c, adj = (_number(row[k], name, place)
                            for k, name in enumerate(("open", "high", "low", "close", "adj close"), 1))
        try:
            v = float(row[6])
        except (ValueError, IndexError):  # old files have no volume
            v = 0.0
        p = self.p
        if p.swapcloses:
            c, adj = adj, c
        if p.adjclose:
            factor = c / adj
            o, h, lo, c = o / factor, h / factor, lo / factor, adj
            if p.adjvolume:
                v *= factor
        if p.round:
            o, h, lo, c = (round(x, p.decimals) for x in (o, h, lo, c))
        return dtnum, o, h, lo, c, round(v, int(p.roundvolume)), adj

    def _is_null(self, row: list[str], ln: int) -> bool:
        if "null" not in row[1:]:
            return False
        warnings.warn(f"{where(self._label, ln)}: row with 'null' fields skipped (as backtrader "
                      "does)", UserWarning, stacklevel=4)
        return True

    def _columns(self, linenos: np.ndarray, rows: list[list[str]]) -> tuple[dict, np.ndarray]:
        keep = [i for i, (r, ln) in enumerate(zip(rows, linenos)) if not self._is_null(r, int(ln))]
        linenos = linenos[keep]
        vals = [self._values(rows[i], int(ln)) for i, ln in zip(keep, linenos)]
        table = np.array(vals, dtype=np.float64).reshape(len(vals), len(_FIELDS))
        cols = {name: table[:, k] for k, name in enumerate(_FIELDS)}
        cols["openinterest"] = np.zeros(len(vals))
        return cols, linenos

    def _loadline(self, linetokens: list[str]) -> bool:
        tokens: list[str] | None = linetokens
        while tokens is not None and self._is_null(tokens, self._lineno):
            tokens = self._getnextline()
        if tokens is None:
            return False
        for name, value in zip(_FIELDS, self._values(tokens, self._lineno)):
            getattr(self.lines, name)[0] = value
        self.lines.openinterest[0] = 0.0
        return True


class YahooLegacyCSV(YahooFinanceCSVData):
    """Yahoo files downloaded before May 2017 (same layout)."""

    params = (("version", ""),)
