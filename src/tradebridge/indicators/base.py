"""Indicator base: a node with output lines computed from its datas.

Built-in indicators compute whole arrays with numpy in ``_vec`` (used in runonce mode)
and one bar in ``next`` (used bar by bar and live); user indicators may use backtrader's
``next``/``once`` or declare their lines from other lines in ``__init__``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..lines.lineiterator import IndType, LineIterator, as_array, store
from ..lines.series import line0

__all__ = ["Indicator"]


class Indicator(LineIterator):
    """Base class of indicators (backtrader's ``bt.Indicator``)."""

    _ltype = IndType
    csv = False
    alias: tuple[str, ...] = ()
    plotinfo = dict(subplot=True)

    def _compute_once(self) -> None:
        vec = getattr(self, "_vec", None)
        if vec is None:
            super()._compute_once()
            return
        outs = vec()
        if not isinstance(outs, (list, tuple)):
            outs = (outs,)
        for buf, arr in zip(self.lines, outs):
            store(buf, arr, self._minperiod)

    def _arr(self, i: int = 0) -> np.ndarray:
        """Input ``i`` (its first line) as a float array on this indicator's bars."""
        return as_array(line0(self.datas[i]), self._base)

    def _line_arr(self, obj: Any) -> np.ndarray:
        """Any line or line series as a float array on this indicator's bars."""
        return as_array(line0(obj), self._base)
