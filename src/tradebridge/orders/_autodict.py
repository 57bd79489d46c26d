"""An ordered dict whose missing keys spring into existence, readable with dots.

Order ``info`` and trade history entries use it, as backtrader does, so that user code
like ``order.info.reason`` or ``entry.status.pnl`` keeps working and prints the same.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

__all__ = ["AutoOrderedDict"]


class AutoOrderedDict(OrderedDict):
    """OrderedDict with attribute access; a missing key becomes a nested empty dict."""

    _closed = False

    def _close(self) -> None:
        """Stop creating keys on lookup (here and in nested dicts)."""
        self._closed = True
        for val in self.values():
            if isinstance(val, AutoOrderedDict):
                val._close()

    def _open(self) -> None:
        """Allow creating keys on lookup again."""
        self._closed = False

    def __missing__(self, key: Any) -> Any:
        if self._closed:
            raise KeyError(key)
        value = self[key] = AutoOrderedDict()
        return value

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_"):
            self.__dict__[key] = value
        else:
            self[key] = value

    def _arith(self, other: Any, op: str) -> Any:
        """An empty auto-created entry behaves as the neutral value of ``other``'s type."""
        if isinstance(other, AutoOrderedDict):
            return NotImplemented
        return getattr(type(other)(), op)(other)

    def __iadd__(self, other: Any) -> Any:
        return self._arith(other, "__add__")

    def __isub__(self, other: Any) -> Any:
        return self._arith(other, "__sub__")

    def __imul__(self, other: Any) -> Any:
        return self._arith(other, "__mul__")

    def __itruediv__(self, other: Any) -> Any:
        return self._arith(other, "__truediv__")

    def __ifloordiv__(self, other: Any) -> Any:
        return self._arith(other, "__floordiv__")

    def lvalues(self) -> list[Any]:
        """The values as a list."""
        return list(self.values())
