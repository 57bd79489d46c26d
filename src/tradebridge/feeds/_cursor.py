"""Serve whole-column data bar by bar, for when filters need per-bar loading."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["ArrayCursor"]


class ArrayCursor:
    """Walks the rows of ``_load_arrays`` output, writing each into a feed's lines."""

    __slots__ = ("_cols", "_pos", "_n")

    def __init__(self, arrays: dict[str, Any], lines: Any) -> None:
        names = [line._name for line in lines]
        self._n = len(arrays["datetime"])
        self._cols = [(i, np.asarray(arrays[name], dtype=np.float64).tolist())
                      for i, name in enumerate(names) if arrays.get(name) is not None]
        self._pos = 0

    def load_into(self, lines: Any) -> bool:
        """Copy the next row into ``lines[*][0]``; False when every row was served."""
        pos = self._pos
        if pos >= self._n:
            return False
        for i, col in self._cols:
            lines[i][0] = col[pos]
        self._pos = pos + 1
        return True
