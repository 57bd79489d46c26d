"""Sharpe ratio of the per-period returns against a risk-free rate."""

from __future__ import annotations

import math
from typing import Any

from ..utils.timeframe import TimeFrame
from ._stats import average, standarddev
from .annualreturn import AnnualReturn
from .base import Analyzer
from .timereturn import TimeReturn

__all__ = ["SharpeRatio", "SharpeRatio_A"]


class SharpeRatio(Analyzer):
    """``sharperatio`` over ``timeframe`` returns; ``factor``/``daysfactor`` set periods a
    year, ``convertrate`` scales the rate (else the returns), ``annualize`` multiplies by
    sqrt(factor), ``legacyannual`` uses AnnualReturn."""

    params = (
        ("timeframe", TimeFrame.Years), ("compression", 1), ("riskfreerate", 0.01),
        ("factor", None), ("convertrate", True), ("annualize", False),
        ("stddev_sample", False), ("daysfactor", None), ("legacyannual", False), ("fund", None),
    )
    RATEFACTORS = {TimeFrame.Days: 252, TimeFrame.Weeks: 52, TimeFrame.Months: 12, TimeFrame.Years: 1}

    def __init__(self) -> None:
        if self.p.legacyannual:
            self.anret = AnnualReturn()
        else:
            self.timereturn = TimeReturn(timeframe=self.p.timeframe,
                                         compression=self.p.compression, fund=self.p.fund)

    def stop(self) -> None:
        self.ratio = self._legacy() if self.p.legacyannual else self._ratio()
        self.rets["sharperatio"] = self.ratio

    def _legacy(self) -> float:
        rets = self.anret.rets
        rate = self.p.riskfreerate
        return average([r - rate for r in rets]) / standarddev(rets)

    def _factor(self) -> Any:
        p = self.p
        if p.timeframe == TimeFrame.Days and p.daysfactor is not None:
            return p.daysfactor
        if p.factor is not None:
            return p.factor
        return self.RATEFACTORS.get(p.timeframe)

    def _ratio(self) -> float | None:
        p = self.p
        returns = list(self.timereturn.get_analysis().values())
        rate = p.riskfreerate
        factor = self._factor()
        if factor is not None:
            if p.convertrate:
                rate = pow(1.0 + rate, 1.0 / factor) - 1.0
            else:
                returns = [pow(1.0 + x, factor) - 1.0 for x in returns]
        if not len(returns) - p.stddev_sample:
            return None
        excess = [r - rate for r in returns]
        mean = average(excess)
        dev = standarddev(excess, avgx=mean, bessel=p.stddev_sample)
        try:
            ratio = mean / dev
            if factor is not None and p.convertrate and p.annualize:
                ratio = math.sqrt(factor) * ratio
        except (ValueError, TypeError, ZeroDivisionError):
            return None
        return ratio


class SharpeRatio_A(SharpeRatio):  # noqa: N801 - backtrader's name
    """SharpeRatio annualised (``annualize=True``)."""

    params = (("annualize", True),)
