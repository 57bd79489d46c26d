"""Returns (total, average and annualised log returns) and VWR, the variability-weighted
return built on it."""

from __future__ import annotations

import math

from ..utils.timeframe import TimeFrame
from ._stats import FundModeMixin, standarddev
from .timeframe import TimeFrameAnalyzerBase

__all__ = ["VWR", "Returns", "VariabilityWeightedReturn"]

_TANN = {TimeFrame.Days: 252.0, TimeFrame.Weeks: 52.0, TimeFrame.Months: 12.0, TimeFrame.Years: 1.0}


class Returns(FundModeMixin, TimeFrameAnalyzerBase):
    """``rtot`` (log of end/start value), ``ravg`` (per period), ``rnorm``/``rnorm100``
    (annualised with ``tann`` periods a year)."""

    params = (("tann", None), ("fund", None))
    _TANN = _TANN

    def start(self) -> None:
        self._setfundmode()
        self._value_start = self._brokervalue()
        self._tcount = 0

    def on_dt_over(self) -> None:
        self._tcount += 1

    def stop(self) -> None:
        self._value_end = self._brokervalue()
        try:
            ratio = self._value_end / self._value_start
        except ZeroDivisionError:
            rtot = -math.inf
        else:
            rtot = -math.inf if ratio < 0.0 else math.log(ratio)
        self.rets["rtot"] = rtot
        self.rets["ravg"] = ravg = rtot / self._tcount
        tann = self.p.tann or _TANN.get(self.timeframe) or _TANN.get(self.data._timeframe, 1.0)
        rnorm = math.expm1(ravg * tann) if ravg > -math.inf else ravg
        self.rets["rnorm"] = rnorm
        self.rets["rnorm100"] = rnorm * 100.0


class VWR(FundModeMixin, TimeFrameAnalyzerBase):
    """Variability-weighted return: annualised return penalised by the deviation of the
    value path from steady compounding (``tau``, ``sdev_max``)."""

    params = (("tann", None), ("tau", 0.2), ("sdev_max", 2.0), ("fund", None))
    _TANN = _TANN

    def __init__(self) -> None:
        self._returns = Returns(timeframe=self.p.timeframe, compression=self.p.compression,
                                tann=self.p.tann)

    def start(self) -> None:
        self._setfundmode()
        self._pis = [self._brokervalue()]
        self._pns: list[float | None] = [None]

    def notify_fund(self, cash: float, value: float, fundvalue: float, shares: float) -> None:
        self._pns[-1] = self._pickvalue(value, fundvalue)

    def on_dt_over(self) -> None:
        self._pis.append(self._pns[-1])  # type: ignore[arg-type]
        self._pns.append(None)

    def stop(self) -> None:
        if self._pns[-1] is None:
            self._pis.pop()
            self._pns.pop()
        rs = self._returns.get_analysis()
        ravg = rs["ravg"]
        devs = [pn / (pi * math.exp(ravg * n)) - 1.0  # type: ignore[operator]
                for n, (pi, pn) in enumerate(zip(self._pis, self._pns), 1)]
        sdev_p = standarddev(devs, bessel=True)
        self.rets["vwr"] = rs["rnorm100"] * (1.0 - pow(sdev_p / self.p.sdev_max, self.p.tau))


VariabilityWeightedReturn = VWR
