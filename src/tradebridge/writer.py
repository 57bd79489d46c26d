"""Writers (backtrader's ``bt.WriterFile``): during a run, one csv row per strategy step with
the value of every data, strategy, observer and csv-enabled indicator line; at the end, a
text summary of the datas, strategies, params, indicators, observers and analyses.

Add one with ``cerebro.addwriter(bt.WriterFile, csv=True, out="run.csv")``, or run with
``writer=True`` for the summary on standard output. The engine side is ``engine/writers.py``.
"""

from __future__ import annotations

import io
import itertools
import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from .lines.params import ParamsInitMixin
from .lines.series import LineSeries

__all__ = ["WriterBase", "WriterFile", "WriterStringIO", "check_out_path"]


def check_out_path(out: Any) -> None:
    """Refuse a file name whose directory does not exist, before anything runs."""
    if not isinstance(out, (str, os.PathLike)):
        return
    folder = os.path.dirname(os.path.abspath(os.fspath(out)))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"WriterFile: cannot write to out={os.fspath(out)!r}: directory {folder!r} does not exist")


class WriterBase(ParamsInitMixin):
    """Base of writers: the engine calls ``start``, ``next`` per step and ``stop``."""

    def start(self) -> None:
        """Called once before the first step."""

    def stop(self) -> None:
        """Called once after the summary."""

    def next(self) -> None:
        """Called once per strategy step when csv output is on."""

    def addheaders(self, headers: Iterable[Any]) -> None:
        """Column names, in the order their values will come."""

    def addvalues(self, values: Iterable[Any]) -> None:
        """The values of the current step."""

    def writedict(self, dct: Mapping[Any, Any], level: int = 0, recurse: bool = False) -> None:
        """Write a (nested) mapping: the run's summary."""


class WriterFile(WriterBase):
    """Writes to ``out``: a stream, a file name (opened and closed here) or None (stdout)."""

    params: Any = (
        ("out", None),
        ("close_out", False),
        ("csv", False),
        ("csvsep", ","),
        ("csv_filternan", True),
        ("csv_counter", True),
        ("indent", 2),
        ("separators", ["=", "-", "+", "*", ".", "~", '"', "^", "#"]),
        ("seplen", 79),
        ("rounding", None),
    )

    def __init__(self) -> None:
        check_out_path(self.p.out)
        self._rows = 0  # rows written (an int, not itertools.count: writers get pickled)
        self.headers: list[Any] = []
        self.values: list[Any] = []

    def _start_output(self) -> None:
        """Resolve ``out`` into an open stream (once: later runs keep writing to it)."""
        if getattr(self, "out", None) is not None:
            return
        out = self.p.out
        if out is None:
            self.out, self.close_out = sys.stdout, False
        elif isinstance(out, (str, os.PathLike)):
            self.out, self.close_out = open(out, "w"), True  # noqa: SIM115 - closed in stop()
        else:
            self.out, self.close_out = out, self.p.close_out

    def start(self) -> None:
        self._start_output()
        if self.p.csv:
            self.writelineseparator()
            self.writeiterable(self.headers, counter="Id")

    def stop(self) -> None:
        if self.close_out:
            self.out.close()

    def next(self) -> None:
        if self.p.csv:
            self._rows += 1
            self.writeiterable(self.values, func=str, counter=self._rows)
            self.values = []

    def addheaders(self, headers: Iterable[Any]) -> None:
        if self.p.csv:
            self.headers.extend(headers)

    def addvalues(self, values: Iterable[Any]) -> None:
        if self.p.csv:
            if self.p.csv_filternan:
                values = (v if v == v else "" for v in values)  # NaN is the one value != itself
            self.values.extend(values)

    # -- output --------------------------------------------------------------------------------
    def writeiterable(self, iterable: Iterable[Any], func: Any = None, counter: Any = "") -> None:
        """One csv line: the counter (when ``csv_counter``) then the items."""
        if self.p.csv_counter:
            iterable = itertools.chain((counter,), iterable)
        if func is not None:
            iterable = map(func, iterable)
        self.writeline(self.p.csvsep.join(iterable))

    def writeline(self, line: str) -> None:
        self.out.write(line + "\n")

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.writeline(line)

    def writelineseparator(self, level: int = 0) -> None:
        """A rule of the level's separator character, indented, ``seplen`` wide in all."""
        seps = self.p.separators
        pad = level * self.p.indent
        self.writeline(" " * pad + seps[level % len(seps)] * (self.p.seplen - pad))

    def writedict(self, dct: Mapping[Any, Any], level: int = 0, recurse: bool = False) -> None:
        """``key: value`` lines; a nested mapping goes one level deeper under its own rule."""
        if not recurse:
            self.writelineseparator(level)
        head = " " * (level * self.p.indent) + ("- " if recurse else "")
        for key, val in dct.items():
            kline = f"{head}{key}:"
            if isinstance(val, dict):
                if recurse:
                    self.writelineseparator(level)
                self.writeline(kline)
                self.writedict(val, level=level + 1, recurse=True)
            else:
                self.writeline(f"{kline} {self._text(val)}")

    def _text(self, val: Any) -> str:
        """How a summary value reads: class names, rounded floats, joined sequences."""
        if isinstance(val, type) and issubclass(val, LineSeries):
            return val.__name__
        if isinstance(val, str):
            return val
        if isinstance(val, float):
            return str(val if self.p.rounding is None else round(val, self.p.rounding))
        if isinstance(val, int):
            return str(val)
        if isinstance(val, Iterable):
            return ", ".join(map(str, val))
        return str(val)


class WriterStringIO(WriterFile):
    """A WriterFile into a fresh ``io.StringIO`` (``writer.out``), rewound at the end."""

    params = (("out", io.StringIO),)

    def _start_output(self) -> None:
        super()._start_output()
        if isinstance(self.out, type):
            self.out = self.out()

    def stop(self) -> None:
        super().stop()
        self.out.seek(0)
