"""PeriodStats: average, deviation, best/worst and sign counts of per-period returns."""

from __future__ import annotations

from ..utils.timeframe import TimeFrame
from ._stats import average, standarddev
from .base import Analyzer
from .timereturn import TimeReturn

__all__ = ["PeriodStats"]


class PeriodStats(Analyzer):
    """Statistics of the TimeReturn values over ``timeframe``/``compression`` periods."""

    params = (("timeframe", TimeFrame.Years), ("compression", 1), ("zeroispos", False), ("fund", None))

    def __init__(self) -> None:
        self._tr = TimeReturn(timeframe=self.p.timeframe, compression=self.p.compression,
                              fund=self.p.fund)

    def stop(self) -> None:
        trets = list(self._tr.get_analysis().values())
        pos = neg = nul = 0
        for tret in trets:
            if tret > 0.0:
                pos += 1
            elif tret < 0.0:
                neg += 1
            elif self.p.zeroispos:
                pos += tret == 0.0
            else:
                nul += tret == 0.0
        self.rets["average"] = avg = average(trets)
        self.rets["stddev"] = standarddev(trets, avg)
        self.rets["positive"] = pos
        self.rets["negative"] = neg
        self.rets["nochange"] = nul
        self.rets["best"] = max(trets)
        self.rets["worst"] = min(trets)
