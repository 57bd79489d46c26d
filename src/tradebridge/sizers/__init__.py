"""Sizers: how many units an order gets when the strategy does not say."""

from __future__ import annotations

from .base import Sizer, SizerBase
from .fixedsize import FixedReverser, FixedSize, FixedSizeTarget, SizerFix
from .percents import AllInSizer, AllInSizerInt, PercentSizer, PercentSizerInt

__all__ = [
    "AllInSizer", "AllInSizerInt", "FixedReverser", "FixedSize", "FixedSizeTarget",
    "PercentSizer", "PercentSizerInt", "Sizer", "SizerBase", "SizerFix",
]
