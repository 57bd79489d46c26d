"""pandas feeds: ``PandasData`` (columns found by name or position) and
``PandasDirectData`` (fixed column positions, datetime in the index)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..utils.dates import datetime64_to_num
from .base import DataBase

__all__ = ["PandasData", "PandasDirectData"]

_PRICE_LINES = ("open", "high", "low", "close", "volume", "openinterest")


def _to_num(values: Any, source: str) -> np.ndarray:
    """Datetimes (naive; aware ones converted to UTC) to date numbers."""
    idx = pd.DatetimeIndex(values)
    if idx.tz is not None:
        idx = idx.tz_convert("UTC").tz_localize(None)
    if idx.hasnans:
        raise ValueError(f"{source}: missing datetime at row {int(np.argmax(idx.isna()))}")
    return datetime64_to_num(idx.to_numpy())


class _FrameFeed(DataBase):
    """Shared checks for DataFrame feeds: sorted, unique, numeric."""

    def _checked(self, dt: np.ndarray, cols: dict[str, np.ndarray], label: str) -> dict:
        d = np.diff(dt)
        if len(d) and (d < 0).any():
            row = int(np.argmax(d < 0)) + 1
            raise ValueError(f"{label}: datetimes are not sorted (row {row} goes back in time)")
        if len(d) and (d == 0).any():
            row = int(np.argmax(d == 0)) + 1
            raise ValueError(f"{label}: duplicate datetime at row {row}")
        problems = []
        for name, col in cols.items():
            if name not in ("open", "high", "low", "close"):
                continue
            for what, bad in (("negative", np.isfinite(col) & (col < 0)), ("missing", np.isnan(col))):
                if bad.any():
                    problems.append(f"{bad.sum()} {what} {name} value(s) from row {int(np.argmax(bad))}")
        if problems:
            warnings.warn(f"{label}: {'; '.join(problems)}; kept as given (backtrader does the same)",
                          UserWarning, stacklevel=4)
        out = dict(cols)
        out["datetime"] = dt
        return out

    def _label(self) -> str:
        return f"{type(self).__name__}({self._name or 'DataFrame'})"


class PandasData(_FrameFeed):
    """A DataFrame: each line from a column given by name, position, -1 (find by name), or None."""

    params = (
        ("nocase", True), ("datetime", None), ("open", -1), ("high", -1), ("low", -1),
        ("close", -1), ("volume", -1), ("openinterest", -1),
    )
    datafields = ["datetime", "open", "high", "low", "close", "volume", "openinterest"]

    def _column(self, df: pd.DataFrame, line: str) -> Any:
        spec = getattr(self.p, line)
        if spec is None:
            return None
        cols = list(df.columns)
        if isinstance(spec, int) and not isinstance(spec, bool):
            if spec >= 0:
                return df.iloc[:, spec]
            for c in cols:
                name = str(c)
                if name == line or (self.p.nocase and name.lower() == line.lower()):
                    return df[c]
            return None
        for c in cols:
            name = str(c)
            if name == spec or (self.p.nocase and name.lower() == str(spec).lower()):
                return df[c]
        raise KeyError(f"{self._label()}: column {spec!r} for line {line!r} not found "
                       f"(columns: {cols})")

    def _load_arrays(self) -> dict[str, np.ndarray]:
        df = self.p.dataname
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"{self._label()}: dataname must be a pandas DataFrame")
        dtcol = self._column(df, "datetime") if self.p.datetime is not None else None
        dtsrc = df.index if dtcol is None else dtcol
        dt = _to_num(dtsrc, self._label())
        cols: dict[str, np.ndarray] = {}
        names = list(type(self)._line_names)
        for line in names:
            if line == "datetime":
                continue
            col = self._column(df, line) if hasattr(self.p, line) else None
            if col is not None:
                cols[line] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
        return self._checked(dt, cols, self._label())


class PandasDirectData(_FrameFeed):
    """A DataFrame whose index is the datetime and whose columns sit at fixed positions."""

    params = (
        ("datetime", 0), ("open", 1), ("high", 2), ("low", 3), ("close", 4), ("volume", 5),
        ("openinterest", 6),
    )

    def _load_arrays(self) -> dict[str, np.ndarray]:
        df = self.p.dataname
        dt = _to_num(df.index, self._label())
        # positions count the index as column 0, as backtrader's itertuples does
        cols = {}
        for line in _PRICE_LINES:
            pos = getattr(self.p, line)
            if pos is None or pos < 0 or pos - 1 >= df.shape[1]:
                continue
            cols[line] = pd.to_numeric(df.iloc[:, pos - 1], errors="coerce").to_numpy(
                dtype=np.float64)
        return self._checked(dt, cols, self._label())
