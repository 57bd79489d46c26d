"""DayStepsFilter: each bar arrives twice, first as its open only, then complete."""

from __future__ import annotations

from typing import Any

__all__ = ["BarReplayer_Open", "DayStepsFilter"]


class DayStepsFilter:
    """Split every bar into an opening step (OHLC = open, no volume) and the full bar, so a
    strategy can act at the open without replaying smaller bars (backtrader's
    ``BarReplayer_Open``)."""

    def __init__(self, data: Any) -> None:
        self._pending: list[float] | None = None
        data.resampling = 1
        data.replaying = True

    def __call__(self, data: Any) -> bool:
        """Queue this bar's opening step; complete the previous step in place."""
        full = [line[0] for line in data.lines]
        data.backwards()
        opening = list(full)
        for i in (data.High, data.Low, data.Close):
            opening[i] = full[data.Open]
        opening[data.Volume] = opening[data.OpenInterest] = 0.0
        removed = True
        if self._pending is not None:
            data._updatebar(self._pending)
            removed = False  # the current bar was completed: its length did not change
        self._pending = full
        data._add2stack(opening)
        return removed

    def last(self, data: Any) -> bool:
        """At the end: replace the last opening step by its full bar (True if it did)."""
        if self._pending is None:
            return False
        data.backwards()
        data._add2stack(self._pending)
        self._pending = None
        return True


BarReplayer_Open = DayStepsFilter  # noqa: N816 - backtrader's name
