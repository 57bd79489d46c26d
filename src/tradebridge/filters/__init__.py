"""Data filters (backtrader's ``bt.filters``): resampling, replaying and session filtering."""

from .daysteps import BarReplayer_Open, DayStepsFilter
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
from .sessionfill import SessionFiller

__all__ = [
    "BarReplayer_Open", "DayStepsFilter",
    "Replayer", "ReplayerDaily", "ReplayerMinutes", "ReplayerMonthly", "ReplayerSeconds",
    "ReplayerTicks", "ReplayerWeekly", "Resampler", "ResamplerDaily", "ResamplerMinutes",
    "ResamplerMonthly", "ResamplerSeconds", "ResamplerTicks", "ResamplerWeekly",
    "ResamplerYearly", "SessionFilter", "SessionFilterSimple",
    "SessionFiller",
]
