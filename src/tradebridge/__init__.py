"""tradebridge: write a strategy once; backtest, paper-trade and trade it live.

``import tradebridge as bt`` gives backtrader 1.9.78's API.
"""

from __future__ import annotations

from . import (
    analyzers,
    brokers,
    commissions,
    feeds,
    fillers,
    filters,
    indicators,
    observers,
    sizers,
    stores,
    studies,
    writer,
)
from .analyzers import Analyzer, TimeFrameAnalyzerBase
from .brokers import BackBroker, BrokerBase
from .engine import timer
from .engine.cerebro import Cerebro
from .engine.optreturn import OptReturn
from .engine.strategy import Strategy
from .engine.timer import SESSION_END, SESSION_START, SESSION_TIME, Timer
from .feeds.base import AbstractDataBase, DataBase, FeedBase
from .indicators import Indicator
from .lines.buffer import LineBuffer
from .lines.lineiterator import LineIterator
from .lines.ops import All, And, Any, Cmp, CmpEx, DivByZero, DivZeroByZero, If, Max, Min, Or, Sum
from .lines.series import LineSeries
from .observers import Observer
from .orders import (
    AutoOrderedDict,
    BuyOrder,
    CommInfoBase,
    CommissionInfo,
    Order,
    OrderBase,
    OrderData,
    OrderExecutionBit,
    Position,
    SellOrder,
    Trade,
)
from .sizers import Sizer, SizerBase
from .stores import Store
from .utils.dates import date2num, num2date, num2time, time2num
from .utils.timeframe import TimeFrame
from .writer import WriterBase, WriterFile, WriterStringIO

ind = indicators
obs = observers
feed = feeds
broker = brokers
comminfo = commissions

__version__ = "0.1.0"
