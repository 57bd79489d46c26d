"""A list whose items can also be reached by name (``self.analyzers.sharpe``)."""

from __future__ import annotations

from typing import Any

__all__ = ["ItemCollection"]


class ItemCollection(list):
    """backtrader's ItemCollection: ordered items, each with a name."""

    def __init__(self) -> None:
        super().__init__()
        self._names: list[str] = []

    def append(self, item: Any, name: str | None = None) -> None:  # type: ignore[override]
        super().append(item)
        if name:
            setattr(self, name, item)
        self._names.append(name or "")

    def getnames(self) -> list[str]:
        return list(self._names)

    def getitems(self) -> list[tuple[str, Any]]:
        return list(zip(self._names, self))

    def getbyname(self, name: str) -> Any:
        return self[self._names.index(name)]
