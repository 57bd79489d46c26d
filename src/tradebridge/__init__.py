"""tradebridge: write a strategy once; backtest, paper-trade and trade it live.

``import tradebridge as bt`` gives backtrader 1.9.78's API.
"""

from __future__ import annotations

from . import analyzers, feeds, indicators, observers, sizers
from .analyzers import Analyzer
from .engine.cerebro import Cerebro
from .engine.strategy import Strategy
from .feeds.base import AbstractDataBase, DataBase, FeedBase
from .indicators import Indicator
from .lines.buffer import LineBuffer
from .lines.lineiterator import LineIterator
from .lines.ops import All, And, Any, Cmp, CmpEx, DivByZero, DivZeroByZero, If, Max, Min, Or, Sum
from .lines.series import LineSeries
from .observers import Observer
from .sizers import Sizer
from .utils.dates import date2num, num2date, num2time, time2num
from .utils.timeframe import TimeFrame

ind = indicators
obs = observers
feed = feeds

__version__ = "0.1.0"
