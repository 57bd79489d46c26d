"""Stores: one connection to a venue each, handing out its broker and data feeds."""

from .base import Store, StoreConflictError

__all__ = ["Store", "StoreConflictError"]
