"""Observers: per-step records shown in plots (``self.stats``)."""

from .base import Observer
from .standard import Broker, BuySell, Cash, DataTrades, Trades, Value

CashValue = Broker

__all__ = ["Broker", "BuySell", "Cash", "CashValue", "DataTrades", "Observer", "Trades", "Value"]
