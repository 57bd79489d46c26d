"""Sizers: how many units an order gets when the strategy does not say."""

from __future__ import annotations

from typing import Any

from ..lines.params import ParamsInitMixin

__all__ = [
    "AllInSizer", "AllInSizerInt", "FixedReverser", "FixedSize", "PercentSizer",
    "PercentSizerInt", "Sizer", "SizerBase", "SizerFix",
]


class Sizer(ParamsInitMixin):
    """Base sizer; subclasses implement ``_getsizing(comminfo, cash, data, isbuy)``."""

    strategy: Any = None
    broker: Any = None

    def getsizing(self, data: Any, isbuy: bool) -> float:
        comminfo = self.broker.getcommissioninfo(data)
        return self._getsizing(comminfo, self.broker.getcash(), data, isbuy)

    def _getsizing(self, comminfo: Any, cash: float, data: Any, isbuy: bool) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement _getsizing")

    def set(self, strategy: Any, broker: Any) -> None:
        self.strategy = strategy
        self.broker = broker


SizerBase = Sizer


class FixedSize(Sizer):
    """Always ``stake`` units (split into ``tranches`` when given)."""

    params = (("stake", 1), ("tranches", 1))

    def _getsizing(self, comminfo: Any, cash: float, data: Any, isbuy: bool) -> float:
        if self.p.tranches > 1:
            return abs(int(self.p.stake / self.p.tranches))
        return self.p.stake

    def setsizing(self, stake: float) -> None:
        self.p.stake = stake


SizerFix = FixedSize


class FixedReverser(Sizer):
    """``stake`` to open, twice ``stake`` to reverse an open position."""

    params = (("stake", 1),)

    def _getsizing(self, comminfo: Any, cash: float, data: Any, isbuy: bool) -> float:
        position = self.strategy.getposition(data)
        return self.p.stake * (1 + (position.size != 0))


class PercentSizer(Sizer):
    """A percentage of available cash at the current close; closes an open position."""

    params = (("percents", 20), ("retint", False))

    def _getsizing(self, comminfo: Any, cash: float, data: Any, isbuy: bool) -> float:
        position = self.broker.getposition(data)
        if not position:
            size = cash / data.close[0] * (self.p.percents / 100)
        else:
            size = position.size
        if self.p.retint:
            size = int(size)
        return size


class AllInSizer(PercentSizer):
    params = (("percents", 100),)


class PercentSizerInt(PercentSizer):
    params = (("retint", True),)


class AllInSizerInt(PercentSizerInt):
    params = (("percents", 100),)
