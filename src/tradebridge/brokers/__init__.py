"""Brokers: the shared interface, the backtest broker and the pre-trade risk limits."""

from .backbroker import BackBroker, BrokerBack
from .base import BrokerBase
from .risk import RiskLimits

__all__ = ["BackBroker", "BrokerBack", "BrokerBase", "RiskLimits"]


# Venue names load on first use, so tradebridge works without the venue's dependency.
_LAZY = {"IBBroker": "tradebridge.venues.ib.broker", "VCBroker": "tradebridge.venues.vc.broker",
         "OandaBroker": "tradebridge.venues.oanda.broker"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
