"""AnnualReturn: the portfolio's return in each calendar year (from the Broker observer)."""

from __future__ import annotations

from collections import OrderedDict

from .base import Analyzer

__all__ = ["AnnualReturn"]


class AnnualReturn(Analyzer):
    """``{year: return}``; each year runs from the previous year's last value."""

    def stop(self) -> None:
        self.rets: list[float] = []
        self.ret: OrderedDict[int, float] = OrderedDict()
        values = self.strategy.stats.broker.value
        dtline = self.data.datetime
        cur_year = -1
        value_start = value_end = 0.0
        for ago in range(-(len(self.data) - 1), 1):
            year = dtline.date(ago).year
            value = values[ago]
            if year > cur_year:
                if cur_year >= 0:
                    self._record(cur_year, value_end / value_start - 1.0)
                    value_start = value_end
                else:
                    value_start = value
                cur_year = year
            value_end = value
        if cur_year not in self.ret:
            self._record(cur_year, value_end / value_start - 1.0)

    def _record(self, year: int, ret: float) -> None:
        self.rets.append(ret)
        self.ret[year] = ret

    def get_analysis(self) -> OrderedDict[int, float]:
        return self.ret
