"""Return observers: the strategy's per-period return (TimeReturn) and the same next to a
data's return (Benchmark)."""

from __future__ import annotations

import math
from typing import Any

from .. import analyzers
from ..utils.timeframe import TimeFrame
from ._slaves import SlaveAnalyzersMixin
from .base import Observer

__all__ = ["Benchmark", "TimeReturn"]


class TimeReturn(SlaveAnalyzersMixin, Observer):
    """Return of the current period (NaN until the period has one)."""

    lines = ("timereturn",)
    plotinfo = dict(plot=True, subplot=True)
    plotlines = dict(timereturn=dict(_name="Return"))
    params = (("timeframe", None), ("compression", None), ("fund", None))

    def __init__(self) -> None:
        self.treturn = self._slave(analyzers.TimeReturn, **self.p._getkwargs())

    def _plotlabel(self) -> list[Any]:
        tr = self.treturn
        return [TimeFrame.getname(tr.timeframe, tr.compression), str(tr.compression)]

    def _record(self) -> None:
        tr = self.treturn
        self.lines.timereturn[0] = tr.rets.get(tr.dtkey, math.nan)


class Benchmark(TimeReturn):
    """The strategy's return and the return of ``data`` (default: the first data)."""

    lines = ("benchmark",)
    plotlines = dict(benchmark=dict(_name="Benchmark"))
    params = (("data", None), ("_doprenext", False), ("firstopen", False), ("fund", None))

    def __init__(self) -> None:
        if self.p.data is None:
            self.p.data = self.data0
        super().__init__()
        kwargs = self.p._getkwargs()
        kwargs.update(data=None)
        strategy_returns = self._slave(analyzers.TimeReturn, **kwargs)
        self.treturn, self.tbench = strategy_returns, self.treturn

    def _plotlabel(self) -> list[Any]:
        return [*super()._plotlabel(), self.p.data._name]

    def _record(self) -> None:
        if self._status > 0 and not self.p._doprenext:
            return
        super()._record()
        self.lines.benchmark[0] = self.tbench.rets.get(self.treturn.dtkey, math.nan)
