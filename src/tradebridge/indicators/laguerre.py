"""Ehlers' Laguerre filter and Laguerre RSI: a four-stage recursive filter over the data.

One step function holds the recursion; the whole-array pass and ``next`` both use it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .base import Indicator

__all__ = ["LaguerreFilter", "LaguerreRSI"]

Stages = tuple[float, float, float, float]


def laguerre_step(st: Stages, x: float, g: float) -> Stages:
    """The four filter stages after value ``x`` (``gamma`` = g)."""
    l0_1, l1_1, l2_1, l3_1 = st
    l0 = (1.0 - g) * x + g * l0_1
    l1 = -g * l0 + l0_1 + g * l1_1
    l2 = -g * l1 + l1_1 + g * l2_1
    l3 = -g * l2 + l2_1 + g * l3_1
    return l0, l1, l2, l3


def laguerre_rsi(st: Stages) -> float:
    """Share of upward steps between consecutive stages (1.0 when all stages are equal)."""
    cu = cd = 0.0
    for a, b in ((st[0], st[1]), (st[1], st[2]), (st[2], st[3])):
        if a >= b:
            cu += a - b
        else:
            cd += b - a
    den = cu + cd
    return 1.0 if not den else cu / den


def laguerre_filter(st: Stages) -> float:
    """Weighted (1, 2, 2, 1) average of the stages."""
    l0, l1, l2, l3 = st
    return (l0 + (2 * l1) + (2 * l2) + l3) / 6


class _LaguerreBase(Indicator):
    """Runs the filter from the first valid bar; ``_out`` turns the stages into the line value."""

    params = (("gamma", 0.5), ("period", 1))
    _out: Callable[[Stages], float]

    def __init__(self) -> None:
        self.addminperiod(self.p.period)
        self._stages: Stages = (0.0, 0.0, 0.0, 0.0)

    def _vec(self) -> np.ndarray:
        xs = self._arr().tolist()
        out = [math.nan] * len(xs)
        st: Stages = (0.0, 0.0, 0.0, 0.0)
        g, value = self.p.gamma, type(self)._out
        for i in range(self._minperiod - 1, len(xs)):
            st = laguerre_step(st, xs[i], g)
            out[i] = value(st)
        return np.asarray(out)

    def next(self) -> None:
        self._stages = laguerre_step(self._stages, self.data[0], self.p.gamma)
        self.lines[0][0] = type(self)._out(self._stages)


class LaguerreRSI(_LaguerreBase):
    """Laguerre RSI, 0 to 1: a smooth RSI with little lag."""

    alias = ("LRSI",)
    lines = ("lrsi",)
    params = (("period", 6),)
    plotinfo = dict(plotymargin=0.15, plotyticks=[0.0, 0.2, 0.5, 0.8, 1.0])
    _out = staticmethod(laguerre_rsi)


class LaguerreFilter(_LaguerreBase):
    """Laguerre filter: a smoothed price with little lag."""

    alias = ("LAGF",)
    lines = ("lfilter",)
    plotinfo = dict(subplot=False)
    _out = staticmethod(laguerre_filter)
