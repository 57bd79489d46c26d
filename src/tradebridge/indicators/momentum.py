"""Change over ``period`` bars: Momentum, MomentumOscillator, rate of change, percent change."""

from __future__ import annotations

from .base import Indicator

__all__ = ["Momentum", "MomentumOscillator", "PercentChange", "RateOfChange", "RateOfChange100"]


class Momentum(Indicator):
    """data - data ``period`` bars ago."""

    lines = ("momentum",)
    params = (("period", 12),)
    plotinfo = dict(plothlines=[0.0])

    def __init__(self) -> None:
        self.lines.momentum = self.data - self.data(-self.p.period)


class MomentumOscillator(Indicator):
    """100 * data / data ``period`` bars ago."""

    alias = ("MomentumOsc",)
    lines = ("momosc",)
    params = (("period", 12), ("band", 100.0))

    def __init__(self) -> None:
        self.lines.momosc = 100.0 * (self.data / self.data(-self.p.period))


class RateOfChange(Indicator):
    """(data - data ``period`` ago) / data ``period`` ago."""

    alias = ("ROC",)
    lines = ("roc",)
    params = (("period", 12),)

    def __init__(self) -> None:
        dperiod = self.data(-self.p.period)
        self.lines.roc = (self.data - dperiod) / dperiod


class RateOfChange100(Indicator):
    """Rate of change in percent."""

    alias = ("ROC100",)
    lines = ("roc100",)
    params = (("period", 12),)

    def __init__(self) -> None:
        self.lines.roc100 = 100.0 * RateOfChange(self.data, period=self.p.period)


class PercentChange(Indicator):
    """data / data ``period`` ago - 1."""

    alias = ("PctChange",)
    lines = ("pctchange",)
    params = (("period", 30),)

    def __init__(self) -> None:
        self.lines.pctchange = self.data / self.data(-self.p.period) - 1.0
