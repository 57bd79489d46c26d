"""Wilder's directional movement system (+DI, -DI, ADX, ADXR and their combinations) and the
Vortex indicator, composed the way backtrader composes them."""

from __future__ import annotations

from ..lines.ops import And, If, Max
from .averages import SmoothedMovingAverage
from .base import Indicator
from .basicops import SumN
from .truerange import AverageTrueRange

__all__ = [
    "AverageDirectionalMovementIndex", "AverageDirectionalMovementIndexRating", "DirectionalIndicator",
    "DirectionalMovement", "DirectionalMovementIndex", "DownMove", "MinusDirectionalIndicator",
    "PlusDirectionalIndicator", "UpMove", "Vortex",
]


class UpMove(Indicator):
    """data - data[-1]."""

    lines = ("upmove",)

    def __init__(self) -> None:
        self.lines.upmove = self.data - self.data(-1)


class DownMove(Indicator):
    """data[-1] - data."""

    lines = ("downmove",)

    def __init__(self) -> None:
        self.lines.downmove = self.data(-1) - self.data


class _DirectionalIndicator(Indicator):
    """Builds ``DIplus``/``DIminus``: averaged directional movement over the ATR, in percent."""

    params = (("period", 14), ("movav", SmoothedMovingAverage))
    plotlines = dict(plusDI=dict(_name="+DI"), minusDI=dict(_name="-DI"))

    def __init__(self, _plus: bool = True, _minus: bool = True) -> None:
        d, period, movav = self.data, self.p.period, self.p.movav
        atr = AverageTrueRange(d, period=period, movav=movav)
        upmove = d.high - d.high(-1)
        downmove = d.low(-1) - d.low
        if _plus:
            plus_dm = If(And(upmove > downmove, upmove > 0.0), upmove, 0.0)
            self.DIplus = 100.0 * movav(plus_dm, period=period) / atr
        if _minus:
            minus_dm = If(And(downmove > upmove, downmove > 0.0), downmove, 0.0)
            self.DIminus = 100.0 * movav(minus_dm, period=period) / atr


class DirectionalIndicator(_DirectionalIndicator):
    """+DI and -DI."""

    alias = ("DI",)
    lines = ("plusDI", "minusDI")

    def __init__(self) -> None:
        super().__init__()
        self.lines.plusDI = self.DIplus
        self.lines.minusDI = self.DIminus


class PlusDirectionalIndicator(_DirectionalIndicator):
    """+DI only."""

    alias = ("PlusDI",)
    lines = ("plusDI",)
    plotinfo = dict(plotname="+DirectionalIndicator")

    def __init__(self) -> None:
        super().__init__(_minus=False)
        self.lines.plusDI = self.DIplus


class MinusDirectionalIndicator(_DirectionalIndicator):
    """-DI only."""

    alias = ("MinusDI",)
    lines = ("minusDI",)
    plotinfo = dict(plotname="-DirectionalIndicator")

    def __init__(self) -> None:
        super().__init__(_plus=False)
        self.lines.minusDI = self.DIminus


class AverageDirectionalMovementIndex(_DirectionalIndicator):
    """ADX: 100 * average of |+DI - -DI| / (+DI + -DI)."""

    alias = ("ADX",)
    lines = ("adx",)
    plotlines = dict(adx=dict(_name="ADX"))

    def __init__(self) -> None:
        super().__init__()
        dx = abs(self.DIplus - self.DIminus) / (self.DIplus + self.DIminus)
        self.adx_expr = 100.0 * self.p.movav(dx, period=self.p.period)
        self.lines.adx = self.adx_expr


class AverageDirectionalMovementIndexRating(AverageDirectionalMovementIndex):
    """ADXR: mean of the ADX and the ADX ``period`` bars ago."""

    alias = ("ADXR",)
    lines = ("adxr",)
    plotlines = dict(adxr=dict(_name="ADXR"))

    def __init__(self) -> None:
        super().__init__()
        self.lines.adxr = (self.adx_expr + self.adx_expr(-self.p.period)) / 2.0


class DirectionalMovementIndex(AverageDirectionalMovementIndex, DirectionalIndicator):
    """ADX with +DI and -DI."""

    alias = ("DMI",)
    lines = ("plusDI", "minusDI")


class DirectionalMovement(AverageDirectionalMovementIndexRating, DirectionalIndicator):
    """ADX, ADXR, +DI and -DI."""

    alias = ("DM",)
    lines = ("plusDI", "minusDI")


class Vortex(Indicator):
    """+VI and -VI: summed upward/downward vortex movement over the summed true range."""

    lines = ("vi_plus", "vi_minus")
    params = (("period", 14),)
    plotlines = dict(vi_plus=dict(_name="+VI"), vi_minus=dict(_name="-VI"))

    def __init__(self) -> None:
        h, l, c, period = self.data.high, self.data.low, self.data.close, self.p.period
        vm_plus = SumN(abs(h(0) - l(-1)), period=period)
        vm_minus = SumN(abs(l(0) - h(-1)), period=period)
        tr = SumN(Max(abs(h(0) - l(0)), abs(h(0) - c(-1)), abs(l(0) - c(-1))), period=period)
        self.lines.vi_plus = vm_plus / tr
        self.lines.vi_minus = vm_minus / tr
