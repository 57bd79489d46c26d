"""GenericCSVData (columns by index, configurable date formats) and BacktraderCSVData."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

from ..utils.dates import TIME_MAX, datetime64_to_num, time2num
from ..utils.timeframe import TimeFrame
from ._csvcheck import CSVFormatError, parse_datetimes, parse_floats, where
from .csvbase import CSVDataBase

__all__ = ["BacktraderCSVData", "GenericCSVData"]

_NAN = float("nan")


def _from_timestamp(kind: int) -> Any:
    """dtformat 1 (integer seconds) or 2 (float seconds) since the epoch, UTC."""
    cast = int if kind == 1 else float

    def convert(x: str) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(cast(x), _dt.UTC).replace(tzinfo=None)

    return convert


def session_dates(dt: np.ndarray, sessionend: _dt.time | None) -> np.ndarray:
    """Daily bars: a bar earlier than its day's session end is dated at the session end."""
    days = dt.astype("datetime64[D]").astype(np.int64) + _dt.date(1970, 1, 1).toordinal()
    eos = days.astype(np.float64) + time2num(sessionend or TIME_MAX)
    num = datetime64_to_num(dt)
    return np.where(eos > num, eos, num)


class GenericCSVData(CSVDataBase):
    """A CSV whose columns are given by index (-1: absent, filled with ``nullvalue``)."""

    params = (
        ("nullvalue", _NAN), ("dtformat", "%Y-%m-%d %H:%M:%S"), ("tmformat", "%H:%M:%S"),
        ("datetime", 0), ("time", -1), ("open", 1), ("high", 2), ("low", 3), ("close", 4),
        ("volume", 5), ("openinterest", 6),
    )

    def start(self) -> None:
        fmt = self.p.dtformat
        self._dtconvert = _from_timestamp(fmt) if isinstance(fmt, int) else fmt
        super().start()

    def _datafields(self) -> list[tuple[str, int | None]]:
        """(line, column index or None) for each line but datetime."""
        out = []
        for name in self.lines._names:
            if name == "datetime":
                continue
            idx = getattr(self.p, name, None)
            out.append((name, idx if isinstance(idx, int) and idx >= 0 else None))
        return out

    def _dtformat(self) -> Any:
        if isinstance(self._dtconvert, str) and self.p.time >= 0:
            return self._dtconvert + "T" + self.p.tmformat
        return self._dtconvert

    def _dttext(self, row: list[str]) -> str:
        text = row[self.p.datetime]
        if isinstance(self._dtconvert, str) and self.p.time >= 0:
            text += "T" + row[self.p.time]
        return text

    def _datenums(self, dt: np.ndarray) -> np.ndarray:
        if self.p.timeframe >= TimeFrame.Days:
            return session_dates(dt, self.p.sessionend)
        return datetime64_to_num(dt)

    def _columns(self, linenos: np.ndarray, rows: list[list[str]]) -> tuple[dict, np.ndarray]:
        fields = self._datafields()
        used = [self.p.datetime, self.p.time] + [i for _, i in fields if i is not None]
        self._need_fields(linenos, rows, max(used) + 1)
        label = self._label
        dt = parse_datetimes([self._dttext(r) for r in rows], linenos, label, self._dtformat())
        cols = {"datetime": self._datenums(dt)}
        null = float(self.p.nullvalue)
        for name, idx in fields:
            if idx is None:
                cols[name] = np.full(len(rows), null)
            else:
                cols[name] = parse_floats([r[idx] for r in rows], linenos, label, name, null)
        return cols, linenos

    def _loadline(self, linetokens: list[str]) -> bool:
        dt = parse_datetimes([self._dttext(linetokens)], [self._lineno], self._label,
                             self._dtformat())
        if self.p.timeframe >= TimeFrame.Days:
            naive = dt[0].astype(_dt.datetime)
            eos = self.date2num(_dt.datetime.combine(naive.date(), self.p.sessionend or TIME_MAX))
            num = self.date2num(naive)
            self.lines.datetime[0] = eos if eos > num else num
        else:
            self.lines.datetime[0] = self.date2num(dt[0].astype(_dt.datetime))
        null = float(self.p.nullvalue)
        for name, idx in self._datafields():
            text = "" if idx is None else linetokens[idx]
            getattr(self.lines, name)[0] = null if text == "" else float(text)
        return True


class BacktraderCSVData(CSVDataBase):
    """backtrader's own CSV layout: date[,time],open,high,low,close,volume,openinterest."""

    _PRICES = ("open", "high", "low", "close", "volume", "openinterest")

    def _row_datetime(self, row: list[str], ln: int) -> _dt.datetime:
        try:
            d = row[0]
            day = _dt.date(int(d[0:4]), int(d[5:7]), int(d[8:10]))
            if len(row) == 8:
                t = row[1]
                tm = _dt.time(int(t[0:2]), int(t[3:5]), int(t[6:8]))
            else:
                tm = self.p.sessionend or TIME_MAX
        except (ValueError, IndexError) as exc:
            raise CSVFormatError(f"{where(self._label, ln)}: cannot read date/time from "
                                 f"{row[:2]!r} ({exc})") from None
        return _dt.datetime.combine(day, tm)

    def _columns(self, linenos: np.ndarray, rows: list[list[str]]) -> tuple[dict, np.ndarray]:
        self._need_fields(linenos, rows, 7)
        dts = [self._row_datetime(r, int(ln)) for r, ln in zip(rows, linenos)]
        cols = {"datetime": datetime64_to_num(np.array(dts, dtype="datetime64[us]"))}
        for k, name in enumerate(self._PRICES):
            vals = [r[k + (2 if len(r) == 8 else 1)] for r in rows]
            cols[name] = parse_floats(vals, linenos, self._label, name, _NAN)
        return cols, linenos

    def _loadline(self, linetokens: list[str]) -> bool:
        self.lines.datetime[0] = self.date2num(self._row_datetime(linetokens, self._lineno))
        first = 2 if len(linetokens) == 8 else 1
        for k, name in enumerate(self._PRICES):
            getattr(self.lines, name)[0] = float(linetokens[first + k])
        return True
