"""Fixed-size sizers: a constant stake, a stake that doubles to reverse, a target stake."""

from __future__ import annotations

from typing import Any

from .base import Sizer

__all__ = ["FixedReverser", "FixedSize", "FixedSizeTarget", "SizerFix"]


class _Tranched(Sizer):
    """A ``stake`` split into ``tranches``; ``setsizing`` behaves as backtrader's (with
    tranches it re-splits the current stake and ignores its argument)."""

    params = (("stake", 1), ("tranches", 1))

    def _tranche(self) -> int:
        return abs(int(self.p.stake / self.p.tranches))

    def setsizing(self, stake: float) -> None:
        self.p.stake = self._split() if self.p.tranches > 1 else stake

    def _split(self) -> float:
        return self._tranche()


class FixedSize(_Tranched):
    """Always ``stake`` units (one tranche of it when ``tranches`` > 1)."""

    def _getsizing(self, comminfo: Any, cash: float, data: Any, isbuy: bool) -> float:
        return self._tranche() if self.p.tranches > 1 else self.p.stake


SizerFix = FixedSize


class FixedSizeTarget(_Tranched):
    """A target size for ``order_target_size``: the position grows by one tranche at a time
    up to ``stake``."""

    def _getsizing(self, comminfo: Any, cash: float, data: Any, isbuy: bool) -> float:
        return self._split() if self.p.tranches > 1 else self.p.stake

    def _split(self) -> float:
        return min(self.strategy.position.size + self._tranche(), self.p.stake)


class FixedReverser(Sizer):
    """``stake`` to open, twice ``stake`` to reverse an open position."""

    params = (("stake", 1),)

    def _getsizing(self, comminfo: Any, cash: float, data: Any, isbuy: bool) -> float:
        position = self.strategy.getposition(data)
        return self.p.stake * (1 + (position.size != 0))
