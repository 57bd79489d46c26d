"""Price oscillators: CCI, Williams %R and A/D, Ultimate, Awesome, Acceleration/Deceleration,
Pretty Good Oscillator, DV2 and Know Sure Thing, composed the way backtrader composes them."""

from __future__ import annotations

import numpy as np

from .averages import MovingAverageSimple
from .base import Indicator
from .basicops import Highest, Lowest, PercentRank, SumN
from .deviation import MeanDeviation
from .momentum import RateOfChange100
from .truerange import AverageTrueRange, TrueLow, TrueRange

__all__ = [
    "DV2", "AccelerationDecelerationOscillator", "AwesomeOscillator", "CommodityChannelIndex",
    "KnowSureThing", "PrettyGoodOscillator", "UltimateOscillator", "WilliamsAD", "WilliamsR",
]


class CommodityChannelIndex(Indicator):
    """(typical price - its average) / (``factor`` * mean deviation of the typical price)."""

    alias = ("CCI",)
    lines = ("cci",)
    params = (("period", 20), ("factor", 0.015), ("movav", MovingAverageSimple), ("upperband", 100.0),
              ("lowerband", -100.0))

    def __init__(self) -> None:
        self.plotinfo.plotyhlines = [0.0, self.p.upperband, self.p.lowerband]
        tp = (self.data.high + self.data.low + self.data.close) / 3.0
        tpmean = self.p.movav(tp, period=self.p.period)
        meandev = MeanDeviation(tp, tpmean, period=self.p.period)
        self.lines.cci = (tp - tpmean) / (self.p.factor * meandev)


class WilliamsR(Indicator):
    """Williams %R: where the close sits in the ``period`` range, 0 (top) to -100 (bottom)."""

    lines = ("percR",)
    params = (("period", 14), ("upperband", -20.0), ("lowerband", -80.0))
    plotinfo = dict(plotname="Williams R%")
    plotlines = dict(percR=dict(_name="R%"))

    def __init__(self) -> None:
        h = Highest(self.data.high, period=self.p.period)
        l = Lowest(self.data.low, period=self.p.period)
        self.lines.percR = -100.0 * (h - self.data.close) / (h - l)


def williams_ad_step(close: float, prev_close: float, high: float, low: float) -> float:
    """One bar's accumulation: close - true low on an up close, close - true high on a down one."""
    up = close - min(low, prev_close) if close > prev_close else 0.0
    down = close - max(high, prev_close) if prev_close > close else 0.0
    return up + down


class WilliamsAD(Indicator):
    """Williams accumulation/distribution: running sum of up-close and down-close pressure."""

    lines = ("ad",)

    def __init__(self) -> None:
        self.addminperiod(2)

    def _vec(self) -> np.ndarray:
        d = self.data
        c, h, l = self._line_arr(d.close), self._line_arr(d.high), self._line_arr(d.low)
        pc = np.concatenate(([np.nan], c[:-1]))
        truelow = np.where(pc < l, pc, l)
        truehigh = np.where(pc > h, pc, h)
        step = np.where(c > pc, c - truelow, 0.0) + np.where(pc > c, c - truehigh, 0.0)
        out = np.full(len(c), np.nan)
        start = self._minperiod - 1
        out[start:] = np.cumsum(step[start:])  # sequential sums, as the bar-by-bar running total
        return out

    def nextstart(self) -> None:
        d = self.data
        self.lines.ad[0] = 0.0 + williams_ad_step(d.close[0], d.close[-1], d.high[0], d.low[0])

    def next(self) -> None:
        d = self.data
        self.lines.ad[0] = self.lines.ad[-1] + williams_ad_step(d.close[0], d.close[-1], d.high[0], d.low[0])


class UltimateOscillator(Indicator):
    """Weighted (4:2:1) buying pressure / true range over three periods, 0 to 100."""

    lines = ("uo",)
    params = (("p1", 7), ("p2", 14), ("p3", 28), ("upperband", 70.0), ("lowerband", 30.0))

    def __init__(self) -> None:
        hlines = [self.p.upperband, self.p.lowerband]
        self.plotinfo.plotyhlines = hlines
        self.plotinfo.plotyticks = [10.0, 50.0, 90.0, *hlines]
        bp = self.data.close - TrueLow(self.data)
        tr = TrueRange(self.data)
        av1, av2, av3 = (SumN(bp, period=p) / SumN(tr, period=p) for p in (self.p.p1, self.p.p2, self.p.p3))
        factor = 100.0 / (4.0 + 2.0 + 1.0)
        self.lines.uo = (4.0 * factor) * av1 + (2.0 * factor) * av2 + factor * av3


class AwesomeOscillator(Indicator):
    """Fast minus slow average of the median price (high + low) / 2."""

    alias = ("AwesomeOsc", "AO")
    lines = ("ao",)
    params = (("fast", 5), ("slow", 34), ("movav", MovingAverageSimple))
    plotlines = dict(ao=dict(_method="bar", alpha=0.50, width=1.0))

    def __init__(self) -> None:
        median = (self.data.high + self.data.low) / 2.0
        self.lines.ao = self.p.movav(median, period=self.p.fast) - self.p.movav(median, period=self.p.slow)


class AccelerationDecelerationOscillator(Indicator):
    """Awesome Oscillator minus its ``period`` average."""

    alias = ("AccDeOsc",)
    lines = ("accde",)
    params = (("period", 5), ("movav", MovingAverageSimple))
    plotlines = dict(accde=dict(_method="bar", alpha=0.50, width=1.0))

    def __init__(self) -> None:
        ao = AwesomeOscillator(self.data)
        self.lines.accde = ao - self.p.movav(ao, period=self.p.period)


class PrettyGoodOscillator(Indicator):
    """Distance of the data from its average, in average true ranges."""

    alias = ("PGO", "PrettyGoodOsc")
    lines = ("pgo",)
    params = (("period", 14), ("_movav", MovingAverageSimple))

    def __init__(self) -> None:
        movav = self.p._movav(self.data, period=self.p.period)
        atr = AverageTrueRange(self.data, period=self.p.period)
        self.lines.pgo = (self.data - movav) / atr


class DV2(Indicator):
    """Varadi's DV2: percent rank of the smoothed close / mid-range ratio over ``period`` bars."""

    lines = ("dv2",)
    params = (("period", 252), ("maperiod", 2), ("_movav", MovingAverageSimple))

    def __init__(self) -> None:
        chl = self.data.close / ((self.data.high + self.data.low) / 2.0)
        dvu = self.p._movav(chl, period=self.p.maperiod)
        self.lines.dv2 = PercentRank(dvu, period=self.p.period) * 100


class KnowSureThing(Indicator):
    """Pring's KST: weighted sum of four smoothed rates of change, with a signal average."""

    alias = ("KST",)
    lines = ("kst", "signal")
    params = (
        ("rp1", 10), ("rp2", 15), ("rp3", 20), ("rp4", 30),
        ("rma1", 10), ("rma2", 10), ("rma3", 10), ("rma4", 10),
        ("rsignal", 9), ("rfactors", [1.0, 2.0, 3.0, 4.0]),
        ("_rmovav", MovingAverageSimple), ("_smovav", MovingAverageSimple),
    )
    plotinfo = dict(plothlines=[0.0])

    def __init__(self) -> None:
        p = self.p
        rcmas = [p._rmovav(RateOfChange100(self.data, period=rp), period=rma)
                 for rp, rma in ((p.rp1, p.rma1), (p.rp2, p.rma2), (p.rp3, p.rma3), (p.rp4, p.rma4))]
        kst = sum(f * rcma for f, rcma in zip(p.rfactors, rcmas))
        self.lines.kst = kst
        self.lines.signal = p._smovav(kst, period=p.rsignal)
