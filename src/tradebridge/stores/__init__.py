"""Stores: one connection to a venue each, handing out its broker and data feeds."""

from .base import Store, StoreConflictError

__all__ = ["Store", "StoreConflictError"]


# Venue names load on first use, so tradebridge works without the venue's dependency.
_LAZY = {"IBStore": "tradebridge.venues.ib.store", "VCStore": "tradebridge.venues.vc.store",
         "OandaStore": "tradebridge.venues.oanda.store"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
