"""CSVDataBase: a feed read from a text file (path or open file), one bar per line.

Subclasses either implement ``_columns`` (the whole file parsed into numpy columns: the
fast path) or, as in backtrader, ``_loadline(tokens)`` (one bar at a time). A subclass that
overrides ``_loadline`` below the class giving ``_columns`` is read line by line.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from ._csvcheck import CSVFormatError, check_bar, check_columns, where
from .base import DataBase

__all__ = ["CSVDataBase", "CSVFormatError"]


class CSVDataBase(DataBase):
    """Base of the CSV feeds (``headers``: skip the first line; ``separator``)."""

    params = (("headers", True), ("separator", ","))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        name = self.p.dataname
        if not self.p.name and isinstance(name, (str, os.PathLike)):
            self._name = os.path.splitext(os.path.basename(os.fspath(name)))[0]
        self._f: Any = None

    # -- file handling --------------------------------------------------------------------
    @property
    def _label(self) -> str:
        name = self.p.dataname
        if isinstance(name, (str, os.PathLike)):
            return os.fspath(name)
        return str(getattr(name, "name", None) or f"{type(self).__name__}(<stream>)")

    def start(self) -> None:
        """Open the file and skip the header line."""
        name = self.p.dataname
        self._f = name if hasattr(name, "readline") else open(name)  # noqa: SIM115
        self._lineno = 0
        self._prevbar: tuple[int, float] | None = None
        self.separator = self.p.separator
        if self.p.headers:
            self._f.readline()
            self._lineno = 1
        self._isfast = self._fast()
        self._prepare()

    def _prepare(self) -> None:
        """Subclass hook run after opening (e.g. reversing the rows)."""

    def stop(self) -> None:
        self._close()

    def _close(self) -> None:
        """Close a file we opened (a stream given by the user stays open)."""
        if self._f is not None and self._f is not self.p.dataname:
            self._f.close()
        self._f = None

    def _getnextline(self) -> list[str] | None:
        """The next line's fields (backtrader's name), or None at the end of the file."""
        while self._f is not None:
            line = self._f.readline()
            if not line:
                self._close()
                return None
            self._lineno += 1
            line = line.rstrip("\n")
            if line.strip():
                return line.split(self.separator)
            self._warn_blank(self._lineno)
        return None

    def _warn_blank(self, lineno: int) -> None:
        warnings.warn(f"{where(self._label, lineno)}: blank line skipped", UserWarning, stacklevel=3)

    def _read_rows(self) -> tuple[np.ndarray, list[list[str]]]:
        """All remaining lines as (line numbers, fields); blank lines skipped with a warning."""
        text = self._f.read() if self._f is not None else ""
        self._close()
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        linenos, rows = [], []
        sep = self.separator
        for n, line in enumerate(lines, self._lineno + 1):
            if line.strip():
                linenos.append(n)
                rows.append(line.split(sep))
            else:
                self._warn_blank(n)
        self._lineno += len(lines)
        return np.array(linenos, dtype=np.int64), self._order(rows, linenos)

    def _order(self, rows: list[list[str]], linenos: list[int]) -> list[list[str]]:
        """Subclass hook: reorder rows (line numbers follow) — identity here."""
        return rows

    # -- loading --------------------------------------------------------------------------
    def _fast(self) -> bool:
        """True when whole-file parsing gives the same bars as ``_loadline`` would."""
        cls = type(self)
        owner = next((c for c in cls.__mro__ if "_columns" in c.__dict__), None)
        loadline = getattr(cls, "_loadline")  # noqa: B009 - class attribute, not instance
        if owner is None or loadline is not owner.__dict__.get("_loadline", getattr(owner, "_loadline")):  # noqa: B009
            return False
        return self._tz is None and self._tzinput is None

    def _columns(self, linenos: np.ndarray, rows: list[list[str]]) -> tuple[dict, np.ndarray]:
        raise NotImplementedError

    def _load_arrays(self) -> dict[str, np.ndarray] | None:
        if not self._isfast:
            return None
        linenos, rows = self._read_rows()
        cols, linenos = self._columns(linenos, rows)
        check_columns(self._label, linenos, cols)
        return cols

    def _load(self) -> bool | None:
        if self._isfast:
            return super()._load()
        tokens = self._getnextline()
        if tokens is None:
            return False
        try:
            ok = self._loadline(tokens)
        except (ValueError, IndexError, TypeError) as exc:
            self._close()
            if isinstance(exc, CSVFormatError):
                raise
            raise CSVFormatError(f"{where(self._label, self._lineno)}: {exc} "
                                 f"(fields: {tokens!r})") from exc
        if ok:
            try:
                check_bar(self._label, self._lineno, self._prevbar, self.lines)
            except CSVFormatError:
                self._close()
                raise
            self._prevbar = (self._lineno, self.lines.datetime[0])
        return ok

    def _loadline(self, linetokens: list[str]) -> bool:
        """Fill the current bar from one line's fields (per-bar path)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _loadline")

    def _need_fields(self, linenos: np.ndarray, rows: list[list[str]], count: int) -> None:
        """Refuse rows with fewer than ``count`` fields."""
        for ln, row in zip(linenos, rows):
            if len(row) < count:
                raise CSVFormatError(
                    f"{where(self._label, int(ln))}: expected at least {count} fields separated "
                    f"by {self.separator!r}, got {len(row)}: {self.separator.join(row)!r}")

