"""Aroon: how many bars since the highest high / lowest low, as a percentage of the period."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._osc_math import extreme_ago
from .base import Indicator

__all__ = ["AroonDown", "AroonOscillator", "AroonUp", "AroonUpDown", "AroonUpDownOscillator"]


class _ExtremeAgo(Indicator):
    """Bars back to the most recent highest (or lowest) value of the last ``period`` bars."""

    lines = ("index",)
    params = (("period", 1), ("highest", True))

    def __init__(self) -> None:
        self.addminperiod(self.p.period)

    def _vec(self) -> np.ndarray:
        return extreme_ago(self._arr(), self.p.period, self.p.highest)

    def next(self) -> None:
        window = self.data.get(size=self.p.period)[::-1]
        self.lines.index[0] = window.index(max(window) if self.p.highest else min(window))


class _AroonBase(Indicator):
    """Builds ``up`` and/or ``down``: 100 * (period - bars since the extreme) / period."""

    _up = False
    _down = False
    params = (("period", 14), ("upperband", 70), ("lowerband", 30))
    plotinfo = dict(plotymargin=0.05, plotyhlines=[0, 100])

    def _score(self, line: Any, highest: bool) -> Any:
        ago = _ExtremeAgo(line, period=self.p.period + 1, highest=highest)
        return (100.0 / self.p.period) * (self.p.period - ago)

    def __init__(self) -> None:
        self.plotinfo.plotyhlines = [0, 100, self.p.lowerband, self.p.upperband]
        if self._up:
            self.up = self._score(self.data.high, True)
        if self._down:
            self.down = self._score(self.data.low, False)


class AroonUp(_AroonBase):
    """100 when the high of this bar is the highest of the last ``period`` + 1 bars."""

    _up = True
    lines = ("aroonup",)

    def __init__(self) -> None:
        super().__init__()
        self.lines.aroonup = self.up


class AroonDown(_AroonBase):
    """100 when the low of this bar is the lowest of the last ``period`` + 1 bars."""

    _down = True
    lines = ("aroondown",)

    def __init__(self) -> None:
        super().__init__()
        self.lines.aroondown = self.down


class AroonUpDown(AroonUp, AroonDown):
    """Aroon up and down lines."""

    alias = ("AroonIndicator",)
    lines = ("aroondown",)


class AroonOscillator(_AroonBase):
    """Aroon up minus Aroon down."""

    _up = True
    _down = True
    alias = ("AroonOsc",)
    lines = ("aroonosc",)

    def __init__(self) -> None:
        super().__init__()
        self.plotinfo.plotyhlines += [-v for v in self.plotinfo.plotyhlines]
        self.lines.aroonosc = self.up - self.down


class AroonUpDownOscillator(AroonUpDown, AroonOscillator):
    """Aroon up, down and their difference."""

    alias = ("AroonUpDownOsc",)
    lines = ("aroonosc",)
