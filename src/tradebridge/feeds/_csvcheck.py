"""Checks and column parsers shared by the CSV feeds: every problem names file and line."""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["CSVFormatError", "check_bar", "check_columns", "parse_datetimes", "parse_floats"]

_PRICES = ("open", "high", "low", "close")
_ISO = {"%Y-%m-%d %H:%M:%S": ("s", " "), "%Y-%m-%dT%H:%M:%S": ("s", "T"), "%Y-%m-%d": ("D", "")}


class CSVFormatError(ValueError):
    """A CSV row that cannot become a bar (message: file, line, what is wrong)."""


def where(label: str, lineno: int) -> str:
    return f"{label}, line {lineno}"


def parse_floats(values: Sequence[str], linenos: Sequence[int] | np.ndarray, label: str, what: str,
                 null: float) -> np.ndarray:
    """Numbers as Python's ``float`` reads them; empty fields become ``null``."""
    try:
        return np.array([null if v == "" else float(v) for v in values], dtype=np.float64)
    except (ValueError, TypeError):
        for v, ln in zip(values, linenos):
            try:
                float(v) if v != "" else null
            except (ValueError, TypeError):
                raise CSVFormatError(f"{where(label, ln)}: {what} {v!r} is not a number") from None
        raise


def parse_datetimes(values: Sequence[str], linenos: Sequence[int] | np.ndarray, label: str,
                    fmt: str | Callable[[str], _dt.datetime]) -> np.ndarray:
    """Datetimes (``datetime64[us]``) from strings by a strptime format or a callable."""
    if isinstance(fmt, str) and fmt in _ISO:
        fast = _parse_iso(values, *_ISO[fmt])
        if fast is not None:
            return fast
    convert = (lambda s: _dt.datetime.strptime(s, fmt)) if isinstance(fmt, str) else fmt
    out = []
    for v, ln in zip(values, linenos):
        try:
            out.append(convert(v))
        except (ValueError, TypeError, OverflowError) as exc:
            raise CSVFormatError(f"{where(label, ln)}: cannot read datetime {v!r} ({exc})") from None
    return np.array(out, dtype="datetime64[us]")


def _parse_iso(values: Sequence[str], unit: str, sep: str) -> np.ndarray | None:
    """Vectorised strict ISO parsing; None when any value is not exactly in the layout."""
    if not len(values):
        return np.array([], dtype="datetime64[us]")
    strs = np.array(values)
    try:
        parsed = strs.astype(f"datetime64[{unit}]")
    except ValueError:
        return None
    back = np.datetime_as_string(parsed, unit=unit)  # type: ignore[call-overload]
    if sep == " ":
        back = np.char.replace(back, "T", " ")
    if not (back == strs).all():
        return None
    return parsed.astype("datetime64[us]")


def check_columns(label: str, linenos: np.ndarray, cols: dict[str, np.ndarray]) -> None:
    """Refuse unsorted/duplicate times and negative prices; warn about missing prices."""
    dt = cols["datetime"]
    if len(dt) > 1:
        step = np.diff(dt)
        bad = np.nonzero(step <= 0)[0]
        if len(bad):
            i = int(bad[0])
            kind = "duplicate timestamp" if step[i] == 0 else "timestamp goes back in time"
            raise CSVFormatError(f"{where(label, int(linenos[i + 1]))}: {kind} (previous bar at "
                                 f"line {int(linenos[i])}); rows must be sorted by time, unique")
    missing = np.zeros(len(dt), dtype=bool)
    for name in _PRICES:
        col = cols.get(name)
        if col is None:
            continue
        neg = np.nonzero(col < 0)[0]
        if len(neg):
            raise CSVFormatError(f"{where(label, int(linenos[neg[0]]))}: negative {name} "
                                 f"{col[neg[0]]!r}")
        missing |= np.isnan(col)
    if missing.any():
        first = int(np.argmax(missing))
        warnings.warn(f"{where(label, int(linenos[first]))}: {int(missing.sum())} bar(s) with "
                      "missing prices, delivered as NaN (as backtrader does)", UserWarning,
                      stacklevel=4)


def check_bar(label: str, lineno: int, prev: tuple[int, float] | None, lines: Any) -> None:
    """The per-bar form of ``check_columns`` for feeds parsed line by line."""
    cols = {name: np.array([getattr(lines, name)[0]]) for name in _PRICES if hasattr(lines, name)}
    cols["datetime"] = np.array([lines.datetime[0]])
    linenos = np.array([lineno])
    if prev is not None:
        for name in cols:
            cols[name] = np.concatenate([[prev[1] if name == "datetime" else 0.0], cols[name]])
        linenos = np.array([prev[0], lineno])
    check_columns(label, linenos, cols)
