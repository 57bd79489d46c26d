"""Calmar ratio: rolling annualised log return over the maximum drawdown so far."""

from __future__ import annotations

import collections
import math

from ..utils.timeframe import TimeFrame
from ._stats import FundModeMixin
from .drawdown import TimeDrawDown
from .timeframe import TimeFrameAnalyzerBase

__all__ = ["Calmar"]


class Calmar(FundModeMixin, TimeFrameAnalyzerBase):
    """``{period end: calmar}`` over a window of ``period`` periods."""

    params = (("timeframe", TimeFrame.Months), ("period", 36), ("fund", None))

    def __init__(self) -> None:
        self._maxdd = TimeDrawDown(timeframe=self.p.timeframe, compression=self.p.compression)

    def start(self) -> None:
        self._mdd = -math.inf
        period = self.p.period
        self._values: collections.deque[float] = collections.deque([math.nan] * period,
                                                                   maxlen=period)
        self._setfundmode()
        self._values.append(self._brokervalue())

    def on_dt_over(self) -> None:
        self._mdd = max(self._mdd, self._maxdd.maxdd)
        self._values.append(self._brokervalue())
        rann = math.log(self._values[-1] / self._values[0]) / len(self._values)
        self.calmar = calmar = rann / (self._mdd or math.inf)
        self.rets[self.dtkey] = calmar

    def stop(self) -> None:
        self.on_dt_over()
