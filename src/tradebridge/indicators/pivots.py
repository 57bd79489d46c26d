"""Pivot points (classic, Fibonacci, Demark) from one bar of a (usually resampled) data.

They are meant to run on a longer time frame (e.g. monthly bars) and be read on the
shorter one through ``pivot()``; with ``_autoplot`` they plot over the data the
resampled feed came from.
"""

from __future__ import annotations

from typing import Any

from ..lines.buffer import Clock
from ..lines.ops import CmpEx
from .base import Indicator

__all__ = ["DemarkPivotPoint", "FibonacciPivotPoint", "PivotPoint"]


class _PivotBase(Indicator):
    """Shared pivot parameters and the central pivot ``p`` of the current bar."""

    params = (("open", False), ("close", False), ("_autoplot", True))
    plotinfo = dict(subplot=False)

    def _make_lines(self, clk: Clock, size: int = 0) -> None:
        # line ``p`` must not hide the parameters: ``self.p`` stays params (self.l.p is the line)
        super()._make_lines(clk, size)
        self.p = self.params

    def _pivot(self) -> Any:
        """Bind and return line ``p``: (h+l+2c)/4, (h+l+c+o)/4 or (h+l+c)/3 as chosen."""
        d = self.data
        if self.p.close:
            p = (d.high + d.low + 2.0 * d.close) / 4.0
        elif self.p.open:
            p = (d.high + d.low + d.close + d.open) / 4.0
        else:
            p = (d.high + d.low + d.close) / 3.0
        self.l.p = p
        return p

    def _autoplot(self) -> None:
        """Plot on the feed a resampled data was made from, not on the resampled data."""
        if self.p._autoplot:
            self.plotinfo.plot = False
            source = getattr(self.data, "data", None)
            if source is not None:
                self.plotinfo.plotmaster = source


class PivotPoint(_PivotBase):
    """Classic pivot with two supports and resistances."""

    lines = ("p", "s1", "s2", "r1", "r2")

    def __init__(self) -> None:
        h, l = self.data.high, self.data.low
        p = self._pivot()
        self.lines.s1 = 2.0 * p - h
        self.lines.r1 = 2.0 * p - l
        self.lines.s2 = p - (h - l)
        self.lines.r2 = p + (h - l)
        self._autoplot()


class FibonacciPivotPoint(_PivotBase):
    """Pivot with supports/resistances at Fibonacci fractions of the bar's range."""

    lines = ("p", "s1", "s2", "s3", "r1", "r2", "r3")
    params = (("level1", 0.382), ("level2", 0.618), ("level3", 1.0))

    def __init__(self) -> None:
        h, l = self.data.high, self.data.low
        p = self._pivot()
        levels = (self.p.level1, self.p.level2, self.p.level3)
        for i, level in enumerate(levels, start=1):
            setattr(self.lines, f"s{i}", p - level * (h - l))
        for i, level in enumerate(levels, start=1):
            setattr(self.lines, f"r{i}", p + level * (h - l))
        self._autoplot()


class DemarkPivotPoint(_PivotBase):
    """Demark pivot: weights high, low or close twice as the bar closed up, flat or down."""

    lines = ("p", "s1", "r1")
    params = (("level1", 0.382), ("level2", 0.618), ("level3", 1.0))

    def __init__(self) -> None:
        d = self.data
        x1 = d.high + 2.0 * d.low + d.close
        x2 = 2.0 * d.high + d.low + d.close
        x3 = d.high + d.low + 2.0 * d.close
        x = CmpEx(d.close, d.open, x1, x2, x3)
        self.lines.p = x / 4.0
        self.lines.s1 = x / 2.0 - d.high
        self.lines.r1 = x / 2.0 - d.low
        self._autoplot()
