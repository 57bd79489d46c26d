"""Oscillations around a mean: ``Oscillator`` (data minus another line) and one
``<MA>Oscillator`` (alias ``<MA>Osc``) per moving average: the data minus that average."""

from __future__ import annotations

from typing import Any

from ..lines.series import line0
from ._family import per_average
from .base import Indicator

__all__ = ["Oscillator", "OscillatorMixIn"]


class _Oscillation(Indicator):
    """Line 0 is one line minus another."""

    plotlines = dict(_0=dict(_name="osc"))

    def _oscillate(self, base: Any, mean: Any) -> None:
        """Line 0 = ``base - mean``; plotted as ``<mean's line>_osc`` (backtrader's label)."""
        self.lines[0] = base - mean
        self.plotlines._0 = dict(_name=f"{line0(mean)._name or 'osc'}_osc")


class OscillatorMixIn(_Oscillation):
    """Base of the moving-average oscillators: line 0 = the data - the average's line 0."""

    def _around(self, mean: Any) -> None:
        self._oscillate(self.data, mean)


class Oscillator(_Oscillation):
    """``data0 - data1`` with two datas; with one indicator, its own data minus it."""

    lines = ("osc",)

    def __init__(self) -> None:
        if len(self.datas) > 1:
            self._oscillate(self.data0, self.data1)
            return
        inner = getattr(self.data, "datas", None)  # backtrader: AttributeError on a data feed
        if not inner:
            raise TypeError(f"{type(self).__name__}: with one data it must be an indicator "
                            "(oscillating around its own data); give two datas otherwise")
        self._oscillate(inner[0], self.data)


for _cls in per_average(OscillatorMixIn, ("Oscillator", "Osc")):
    globals()[_cls.__name__] = _cls
    __all__.append(_cls.__name__)
