"""Data filters (backtrader's ``bt.filters``): resampling, replaying and session filtering."""

from .resample import (
    Replayer,
    ReplayerDaily,
    ReplayerMinutes,
    ReplayerMonthly,
    ReplayerSeconds,
    ReplayerTicks,
    ReplayerWeekly,
    Resampler,
    ResamplerDaily,
    ResamplerMinutes,
    ResamplerMonthly,
    ResamplerSeconds,
    ResamplerTicks,
    ResamplerWeekly,
    ResamplerYearly,
)
from .session import SessionFilter, SessionFilterSimple

__all__ = [
    "Replayer", "ReplayerDaily", "ReplayerMinutes", "ReplayerMonthly", "ReplayerSeconds",
    "ReplayerTicks", "ReplayerWeekly", "Resampler", "ResamplerDaily", "ResamplerMinutes",
    "ResamplerMonthly", "ResamplerSeconds", "ResamplerTicks", "ResamplerWeekly",
    "ResamplerYearly", "SessionFilter", "SessionFilterSimple",
]
