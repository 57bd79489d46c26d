"""Drawdown observers: current/maximum drawdown level and length each step."""

from __future__ import annotations

import math

from .. import analyzers
from ._slaves import SlaveAnalyzersMixin
from .base import Observer

__all__ = ["DrawDown", "DrawDownLength", "DrawDown_Old"]


class DrawDown(SlaveAnalyzersMixin, Observer):
    """Drawdown percent (plotted) and maximum drawdown (not plotted), from the DrawDown analyzer."""

    params = (("fund", None),)
    lines = ("drawdown", "maxdrawdown")
    plotinfo = dict(plot=True, subplot=True)
    plotlines = dict(maxdrawdown=dict(_plotskip=True))

    def __init__(self) -> None:
        self._dd = self._slave(analyzers.DrawDown, **self.p._getkwargs())

    def _record(self) -> None:
        rets = self._dd.rets
        self.lines.drawdown[0] = rets.drawdown
        self.lines.maxdrawdown[0] = rets.max.drawdown


class DrawDownLength(SlaveAnalyzersMixin, Observer):
    """Drawdown length (plotted) and maximum length (not plotted), in bars."""

    lines = ("len", "maxlen")
    plotinfo = dict(plot=True, subplot=True)
    plotlines = dict(maxlength=dict(_plotskip=True))

    def __init__(self) -> None:
        self._dd = self._slave(analyzers.DrawDown)

    def _record(self) -> None:
        rets = self._dd.rets
        self.lines.len[0] = rets.len
        self.lines.maxlen[0] = rets.max.len


class DrawDown_Old(Observer):  # noqa: N801 - backtrader's name
    """Drawdown computed from the broker value directly (the original implementation)."""

    lines = ("drawdown", "maxdrawdown")
    plotinfo = dict(plot=True, subplot=True)
    plotlines = dict(maxdrawdown=dict(_plotskip=True))

    def __init__(self) -> None:
        self.maxdd = 0.0
        self.peak = -math.inf

    def next(self) -> None:
        value = self._owner.broker.getvalue()
        self.peak = max(self.peak, value)
        self.lines.drawdown[0] = dd = 100.0 * (self.peak - value) / self.peak
        self.lines.maxdrawdown[0] = self.maxdd = max(self.maxdd, dd)
