"""Log-return observers over a rolling window of periods, of one data or two."""

from __future__ import annotations

from typing import Any

from .. import analyzers
from ..utils.timeframe import TimeFrame
from ._slaves import SlaveAnalyzersMixin
from .base import Observer

__all__ = ["LogReturns", "LogReturns2"]


class LogReturns(SlaveAnalyzersMixin, Observer):
    """Rolling log return of the first data (``timeframe``/``compression`` periods)."""

    lines = ("logret1",)
    plotinfo = dict(plot=True, subplot=True)
    params = (("timeframe", None), ("compression", None), ("fund", None))

    def __init__(self) -> None:
        self.logret1 = self._slave(analyzers.LogReturnsRolling, data=self.data0,
                                   **self.p._getkwargs())

    def _plotlabel(self) -> list[Any]:
        return [TimeFrame.getname(self.p.timeframe, self.p.compression), str(self.p.compression or 1)]

    def _record(self) -> None:
        self.lines.logret1[0] = self.logret1.rets[self.logret1.dtkey]


class LogReturns2(LogReturns):
    """LogReturns of the first two datas side by side."""

    lines = ("logret2",)

    def __init__(self) -> None:
        super().__init__()
        data1 = self.datas[1] if len(self.datas) > 1 else self._owner.datas[1]
        self.logret2 = self._slave(analyzers.LogReturnsRolling, data=data1,
                                   **self.p._getkwargs())

    def _record(self) -> None:
        super()._record()
        self.lines.logret2[0] = self.logret2.rets[self.logret2.dtkey]
