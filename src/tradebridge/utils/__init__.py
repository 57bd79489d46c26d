"""Small shared helpers: date numbers, time frames, auto-ordered dicts."""

from .dates import date2num, num2date, num2time, time2num
from .timeframe import TimeFrame

__all__ = ["TimeFrame", "date2num", "num2date", "num2time", "time2num"]
