"""Crossings of two lines: CrossUp, CrossDown, CrossOver (+1 up, -1 down, 0 none)."""

from __future__ import annotations

import numpy as np

from ..lines.ops import And
from .base import Indicator

__all__ = ["CrossDown", "CrossOver", "CrossUp", "NonZeroDifference"]


class NonZeroDifference(Indicator):
    """data0 - data1, carrying the last non-zero difference through zeros."""

    alias = ("NZD",)
    lines = ("nzd",)
    _mindatas = 2

    def _vec(self) -> np.ndarray:
        d = self._arr(0) - self._arr(1)
        out = d.copy()
        start = self._minperiod - 1
        zero = np.nonzero(d[start + 1 :] == 0)[0] + start + 1
        if len(zero):
            # carry the previous value forward through runs of zeros
            idx = np.arange(len(d))
            valid = np.ones(len(d), dtype=bool)
            valid[zero] = False
            last = np.maximum.accumulate(np.where(valid, idx, 0))
            out = d[last]
        return out

    def nextstart(self) -> None:
        self.lines[0][0] = self.data0[0] - self.data1[0]

    def next(self) -> None:
        d = self.data0[0] - self.data1[0]
        self.lines[0][0] = d if d else self.lines[0][-1]


class _CrossBase(Indicator):
    lines = ("cross",)
    plotinfo = dict(plotymargin=0.05, plotyhlines=[0.0, 1.0])
    _mindatas = 2
    _crossup = True

    def __init__(self) -> None:
        nzd = NonZeroDifference(self.data0, self.data1)
        if self._crossup:
            before = nzd(-1) < 0.0
            after = self.data0 > self.data1
        else:
            before = nzd(-1) > 0.0
            after = self.data0 < self.data1
        self.lines.cross = And(before, after)


class CrossUp(_CrossBase):
    """1.0 on the bar data0 crosses above data1."""

    _crossup = True


class CrossDown(_CrossBase):
    """1.0 on the bar data0 crosses below data1."""

    _crossup = False


class CrossOver(Indicator):
    """+1.0 when data0 crosses above data1, -1.0 when below, else 0.0."""

    lines = ("crossover",)
    plotinfo = dict(plotymargin=0.05, plotyhlines=[-1.0, 1.0])
    _mindatas = 2

    def __init__(self) -> None:
        upcross = CrossUp(self.data, self.data1)
        downcross = CrossDown(self.data, self.data1)
        self.lines.crossover = upcross - downcross
