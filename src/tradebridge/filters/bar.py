"""The bar a resampler or replayer builds up from smaller bars."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..utils.dates import date2num

__all__ = ["PartialBar"]

_NAN = float("nan")
_INF = float("inf")


class PartialBar:
    """OHLCV being accumulated; values come out in the feed's line order."""

    MAXDATE = date2num(_dt.datetime.max) - 2  # far future, yet still convertible to a datetime
    __slots__ = ("close", "low", "high", "open", "volume", "openinterest", "datetime")

    def __init__(self) -> None:
        self.reset()

    def reset(self, maxdate: bool = True) -> None:
        """Empty the bar; its date is "far future" so any real bar is earlier."""
        self.close = _NAN
        self.low = _INF
        self.high = -_INF
        self.open = _NAN
        self.volume = 0.0
        self.openinterest = 0.0
        self.datetime = self.MAXDATE if maxdate else _NAN

    def isopen(self) -> bool:
        """True once a first bar was added (open is set)."""
        return self.open == self.open

    def update(self, data: Any, reopen: bool = False) -> None:
        """Fold the feed's current bar in; ``reopen`` starts a fresh bar with it."""
        if reopen:
            self.reset(maxdate=False)
        ln = data.lines
        self.datetime = ln.datetime[0]
        self.high = max(self.high, ln.high[0])
        self.low = min(self.low, ln.low[0])
        self.close = ln.close[0]
        self.volume += ln.volume[0]
        self.openinterest = ln.openinterest[0]
        if reopen or self.open != self.open:
            self.open = ln.open[0]

    def values(self) -> list[float]:
        """close, low, high, open, volume, openinterest, datetime (the feed's line order)."""
        return [self.close, self.low, self.high, self.open, self.volume, self.openinterest,
                self.datetime]
