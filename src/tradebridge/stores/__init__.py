"""Stores: one connection to a venue each, handing out its broker and data feeds."""

from ..utils.lazy import lazy_getattr
from .base import Store, StoreConflictError

__all__ = ["Store", "StoreConflictError"]


# Venue names load on first use, so tradebridge works without the venue's dependency.
__getattr__ = lazy_getattr(__name__, {
    "IBStore": "tradebridge.venues.ib.store",
    "VCStore": "tradebridge.venues.vc.store",
    "OandaStore": "tradebridge.venues.oanda.store",
})
