"""Sizers by share of cash: a percentage (or all) of cash at the close, closing when a
position is open; the ``Int`` variants truncate to whole units."""

from __future__ import annotations

from typing import Any

from .base import Sizer

__all__ = ["AllInSizer", "AllInSizerInt", "PercentSizer", "PercentSizerInt"]


class PercentSizer(Sizer):
    """``percents`` of available cash at the current close; an open position's size."""

    params = (("percents", 20), ("retint", False))

    def _getsizing(self, comminfo: Any, cash: float, data: Any, isbuy: bool) -> float:
        position = self.broker.getposition(data)
        size = position.size if position else cash / data.close[0] * (self.p.percents / 100)
        return int(size) if self.p.retint else size


class AllInSizer(PercentSizer):
    """All available cash."""

    params = (("percents", 100),)


class PercentSizerInt(PercentSizer):
    """``percents`` of cash, truncated to whole units."""

    params = (("retint", True),)


class AllInSizerInt(PercentSizerInt):
    """All available cash, truncated to whole units."""

    params = (("percents", 100),)
