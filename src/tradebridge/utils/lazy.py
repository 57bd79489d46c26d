"""Names a package re-exports from a module loaded on first use (a venue's optional dependency)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, table: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` giving ``name`` from ``table[name]``'s module, imported then."""

    def __getattr__(name: str) -> object:  # noqa: N807
        if name in table:
            return getattr(importlib.import_module(table[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
