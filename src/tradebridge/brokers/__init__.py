"""Brokers: the shared interface, the backtest broker and the pre-trade risk limits."""

from .backbroker import BackBroker, BrokerBack
from .base import BrokerBase
from .risk import RiskLimits

__all__ = ["BackBroker", "BrokerBack", "BrokerBase", "RiskLimits"]
