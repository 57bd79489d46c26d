"""Drawdown of the portfolio: per step (DrawDown) or sampled once per period (TimeDrawDown)."""

from __future__ import annotations

import math

from ..orders import AutoOrderedDict
from ._stats import FundModeMixin
from .base import Analyzer
from .timeframe import TimeFrameAnalyzerBase

__all__ = ["DrawDown", "TimeDrawDown"]


class DrawDown(FundModeMixin, Analyzer):
    """Current and maximum drawdown (percent and money) and their lengths in bars."""

    params = (("fund", None),)

    def start(self) -> None:
        self._setfundmode()

    def create_analysis(self) -> None:
        self.rets = AutoOrderedDict()
        self.rets.len = 0
        self.rets.drawdown = 0.0
        self.rets.moneydown = 0.0
        self.rets.max.len = 0.0
        self.rets.max.drawdown = 0.0
        self.rets.max.moneydown = 0.0
        self._max = self.rets["max"]
        self._maxvalue = -math.inf

    def stop(self) -> None:
        self.rets._close()

    def notify_fund(self, cash: float, value: float, fundvalue: float, shares: float) -> None:
        self._value = self._pickvalue(value, fundvalue)
        self._maxvalue = max(self._maxvalue, self._value)

    def next(self) -> None:
        # item access (C speed) instead of the dotted form; "if new > old" is max()'s rule
        r, m = self.rets, self._max
        r["moneydown"] = moneydown = self._maxvalue - self._value
        r["drawdown"] = drawdown = 100.0 * moneydown / self._maxvalue
        if moneydown > m["moneydown"]:
            m["moneydown"] = moneydown
        if drawdown > m["drawdown"]:
            m["drawdown"] = drawdown
        r["len"] = length = r["len"] + 1 if drawdown else 0
        if length > m["len"]:
            m["len"] = length


class TimeDrawDown(FundModeMixin, TimeFrameAnalyzerBase):
    """Maximum drawdown (percent) and its length, sampling the value at each period start."""

    params = (("fund", None),)

    def start(self) -> None:
        self._setfundmode()
        self.dd = 0.0
        self.maxdd = 0.0
        self.maxddlen = 0
        self.peak = -math.inf
        self.ddlen = 0

    def on_dt_over(self) -> None:
        value = self._brokervalue()
        if value > self.peak:
            self.peak = value
            self.ddlen = 0
        self.dd = dd = 100.0 * (self.peak - value) / self.peak
        self.ddlen += bool(dd)
        self.maxdd = max(self.maxdd, dd)
        self.maxddlen = max(self.maxddlen, self.ddlen)

    def stop(self) -> None:
        self.rets["maxdrawdown"] = self.maxdd
        self.rets["maxdrawdownperiod"] = self.maxddlen
