"""Up/down days and Wilder's Relative Strength Index with its moving-average variants."""

from __future__ import annotations

from ..lines.buffer import Clock
from ..lines.ops import DivZeroByZero, Max
from .averages import ExponentialMovingAverage, MovingAverageSimple, SmoothedMovingAverage
from .base import Indicator

__all__ = [
    "DownDay", "DownDayBool", "RSI_EMA", "RSI_SMA", "RSI_Safe", "RelativeMomentumIndex",
    "RelativeStrengthIndex", "UpDay", "UpDayBool",
]


class _DayBase(Indicator):
    params = (("period", 1),)


class UpDay(_DayBase):
    """Rise over ``period`` bars, 0 when the data fell: max(x - x[-period], 0)."""

    lines = ("upday",)

    def __init__(self) -> None:
        self.lines.upday = Max(self.data - self.data(-self.p.period), 0.0)


class DownDay(_DayBase):
    """Fall over ``period`` bars, 0 when the data rose: max(x[-period] - x, 0)."""

    lines = ("downday",)

    def __init__(self) -> None:
        self.lines.downday = Max(self.data(-self.p.period) - self.data, 0.0)


class UpDayBool(_DayBase):
    """1.0 when the data is above its value ``period`` bars ago."""

    lines = ("upday",)

    def __init__(self) -> None:
        self.lines.upday = self.data > self.data(-self.p.period)


class DownDayBool(_DayBase):
    """1.0 when the data is below its value ``period`` bars ago."""

    lines = ("downday",)

    def __init__(self) -> None:
        self.lines.downday = self.data(-self.p.period) > self.data


def rs_for(rsi: float) -> float:
    """The up/down ratio that gives ``rsi`` (inf for 100), used for the safe division."""
    if rsi == 100.0:
        return float("inf")
    return (-100.0 / (rsi - 100.0)) - 1.0


class RelativeStrengthIndex(Indicator):
    """RSI: 100 - 100 / (1 + avg(up days) / avg(down days)), Wilder's smoothing by default.

    With ``safediv`` the 0/0 and x/0 ratios give ``safelow`` and ``safehigh`` instead of NaN
    and 100.
    """

    alias = ("RSI", "RSI_SMMA", "RSI_Wilder")
    lines = ("rsi",)
    params = (
        ("period", 14), ("movav", SmoothedMovingAverage), ("upperband", 70.0), ("lowerband", 30.0),
        ("safediv", False), ("safehigh", 100.0), ("safelow", 50.0), ("lookback", 1),
    )

    def __init__(self) -> None:
        self.plotinfo.plotyhlines = [self.p.upperband, self.p.lowerband]
        upday = UpDay(self.data, period=self.p.lookback)
        downday = DownDay(self.data, period=self.p.lookback)
        maup = self.p.movav(upday, period=self.p.period)
        madown = self.p.movav(downday, period=self.p.period)
        if self.p.safediv:
            rs = DivZeroByZero(maup, madown, rs_for(self.p.safehigh), rs_for(self.p.safelow))
        else:
            rs = maup / madown
        self.lines.rsi = 100.0 - 100.0 / (1.0 + rs)


class RSI_Safe(RelativeStrengthIndex):  # noqa: N801 - backtrader's name
    """RSI with ``safediv`` on by default."""

    alias = ()

    params = (("safediv", True),)


class RSI_SMA(RelativeStrengthIndex):  # noqa: N801 - backtrader's name
    """RSI over simple moving averages (Cutler's RSI)."""

    alias = ("RSI_Cutler",)
    params = (("movav", MovingAverageSimple),)


class RSI_EMA(RelativeStrengthIndex):  # noqa: N801 - backtrader's name
    """RSI over exponential moving averages."""

    alias = ()

    params = (("movav", ExponentialMovingAverage),)


class RelativeMomentumIndex(RelativeStrengthIndex):
    """RSI of moves over ``lookback`` bars instead of one; the line is also reachable as ``rmi``."""

    alias = ("RMI",)
    params = (("period", 20), ("lookback", 5))
    plotlines = dict(rsi=dict(_name="rmi"))

    def _make_lines(self, clk: Clock, size: int = 0) -> None:
        super()._make_lines(clk, size)
        self.rmi = self.lines.rmi = self.lines.rsi
