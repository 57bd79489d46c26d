"""Observers: per-step records shown in plots (``self.stats``)."""

from .base import Observer
from .drawdown import DrawDown, DrawDown_Old, DrawDownLength
from .fund import FundShares, FundValue
from .logreturns import LogReturns, LogReturns2
from .standard import Broker, BuySell, Cash, DataTrades, Trades, Value
from .timereturn import Benchmark, TimeReturn

CashValue = Broker
FundShareValue = FundVal = FundValue

__all__ = [
    "Benchmark", "Broker", "BuySell", "Cash", "CashValue", "DataTrades", "DrawDown",
    "DrawDownLength", "DrawDown_Old", "FundShareValue", "FundShares", "FundVal", "FundValue",
    "LogReturns", "LogReturns2", "Observer", "TimeReturn", "Trades", "Value",
]
