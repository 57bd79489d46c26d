"""Volume fillers: callables ``(order, price, ago) -> size`` deciding how much fills per bar."""

from __future__ import annotations

import sys
from typing import Any

from ._base import Parametrized

__all__ = ["BarPointPerc", "FixedBarPerc", "FixedSize"]


class FixedSize(Parametrized):
    """Fill at most ``size`` (default: unlimited) and never more than the bar's volume."""

    params = (("size", None),)

    def __call__(self, order: Any, price: float, ago: int) -> float:
        cap = self.p.size or sys.maxsize
        return min(order.data.volume[ago], abs(order.executed.remsize), cap)


class FixedBarPerc(Parametrized):
    """Fill at most ``perc`` percent of the bar's volume."""

    params = (("perc", 100.0),)

    def __call__(self, order: Any, price: float, ago: int) -> float:
        maxsize = (order.data.volume[ago] * self.p.perc) // 100
        return min(maxsize, abs(order.executed.remsize))


class BarPointPerc(Parametrized):
    """Spread the volume evenly over the bar's price range in ``minmov`` steps; fill ``perc``%
    of one step's share."""

    params = (("minmov", None), ("perc", 100.0))

    def __call__(self, order: Any, price: float, ago: int) -> float:
        data = order.data
        minmov = self.p.minmov
        parts = (data.high[ago] - data.low[ago] + minmov) // minmov if minmov else 1
        alloc = ((data.volume[ago] / parts) * self.p.perc) // 100.0
        return min(alloc, abs(order.executed.remsize))
