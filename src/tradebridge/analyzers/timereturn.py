"""Per-period returns: simple (TimeReturn) and logarithmic over a rolling window
(LogReturnsRolling), of the portfolio or of one data's price."""

from __future__ import annotations

import collections
import math
from typing import Any

from ._stats import FundModeMixin
from .timeframe import TimeFrameAnalyzerBase

__all__ = ["LogReturnsRolling", "TimeReturn"]


class _PeriodValue(FundModeMixin, TimeFrameAnalyzerBase):
    """Tracks the value that counts (portfolio/fund value, or ``data[0]``) each step."""

    params = (("data", None), ("firstopen", True), ("fund", None))

    def start(self) -> None:
        self._setfundmode()
        self._lastvalue: float | None = None
        if self.p.data is None:
            self._lastvalue = self._brokervalue()

    def notify_fund(self, cash: float, value: float, fundvalue: float, shares: float) -> None:
        data = self.p.data
        self._value = self._pickvalue(value, fundvalue) if data is None else data[0]

    def _data_start(self) -> float:
        """First reference value of a data: its open (``firstopen``) or its close."""
        data = self.p.data
        return data.open[0] if self.p.firstopen else data[0]


class TimeReturn(_PeriodValue):
    """Return of each period (key: period end), from the value at the previous period's end."""

    def start(self) -> None:
        super().start()
        self._value_start: Any = 0.0

    def on_dt_over(self) -> None:
        if self.p.data is None or self._lastvalue is not None:
            self._value_start = self._lastvalue
        else:
            self._value_start = self._data_start()

    def next(self) -> None:
        self.rets[self.dtkey] = self._value / self._value_start - 1.0
        self._lastvalue = self._value


class LogReturnsRolling(_PeriodValue):
    """Log return over the last ``compression`` periods, keyed by period end."""

    def start(self) -> None:
        super().start()
        size = self.compression
        self._values: collections.deque[Any] = collections.deque([math.nan] * size, maxlen=size)

    def on_dt_over(self) -> None:
        data = self.p.data
        self._values.append(self._lastvalue if data is None or len(data) > 1 else self._data_start())

    def next(self) -> None:
        self.rets[self.dtkey] = math.log(self._value / self._values[0])
        self._lastvalue = self._value
