"""Brokers: the shared interface, the backtest broker and the pre-trade risk limits."""

from ..utils.lazy import lazy_getattr
from .backbroker import BackBroker, BrokerBack
from .base import BrokerBase
from .risk import RiskLimits

__all__ = ["BackBroker", "BrokerBack", "BrokerBase", "RiskLimits"]


# Venue names load on first use, so tradebridge works without the venue's dependency.
__getattr__ = lazy_getattr(__name__, {
    "IBBroker": "tradebridge.venues.ib.broker",
    "VCBroker": "tradebridge.venues.vc.broker",
    "OandaBroker": "tradebridge.venues.oanda.broker",
})
