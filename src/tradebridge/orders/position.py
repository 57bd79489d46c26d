"""Position of one data in one broker: size and average price, with backtrader's update rules."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from tradebridge.utils.dates import num2date

__all__ = ["Position", "moved"]


class Position:
    """Size and average price; ``update`` reports how much a fill opened and closed."""

    def __init__(self, size: float = 0, price: float = 0.0) -> None:
        self.size = size
        self.price = self.price_orig = price if size else 0.0
        self.adjbase: float | None = None
        self.upopened = self.upclosed = 0  # what set(size, price) leaves from size itself
        self.updt = None
        self._when: Any = None  # (date number, tz) until ``datetime`` is read

    @property
    def datetime(self) -> _dt.datetime | None:
        """When the last fill (or interest charge) happened."""
        when = self._when
        if type(when) is tuple:
            self._when = when = num2date(when[0], when[1])
        return when

    @datetime.setter
    def datetime(self, dt: _dt.datetime | None) -> None:
        self._when = dt

    def stamp(self, num: float, tz: Any = None) -> None:
        """Set ``datetime`` from a date number; converted only if read (fills rarely are)."""
        self._when = (num, tz)

    def __str__(self) -> str:
        return "\n".join(
            (
                "--- Position Begin",
                f"- Size: {self.size}",
                f"- Price: {self.price}",
                f"- Price orig: {self.price_orig}",
                f"- Closed: {self.upclosed}",
                f"- Opened: {self.upopened}",
                f"- Adjbase: {self.adjbase}",
                "--- Position End",
            )
        )

    def fix(self, size: float, price: float) -> bool:
        """Overwrite size and price; True if the size did not change."""
        oldsize = self.size
        self.size = size
        self.price = price
        return self.size == oldsize

    def set(self, size: float, price: float) -> tuple[float, float, float, float]:
        """Jump to ``size`` at ``price``, computing what was opened and closed."""
        cur = self.size
        if cur > 0:
            if size > cur:
                self.upopened, self.upclosed = size - cur, 0
            else:
                self.upopened, self.upclosed = min(0, size), min(cur, cur - size)
        elif cur < 0:
            if size < cur:
                self.upopened, self.upclosed = size - cur, 0
            else:
                self.upopened, self.upclosed = max(0, size), max(cur, cur - size)
        else:
            self.upopened, self.upclosed = cur, 0
        self.size = size
        self.price_orig = self.price
        self.price = price if size else 0.0
        return self.size, self.price, self.upopened, self.upclosed

    def __len__(self) -> int:
        return abs(self.size)

    def __bool__(self) -> bool:
        return self.size != 0

    def clone(self) -> Position:
        """A copy holding only size and price."""
        return Position(size=self.size, price=self.price)

    def pseudoupdate(self, size: float, price: float) -> tuple[float, float, float, float]:
        """What ``update`` would return, without changing this position."""
        return moved(self.size, self.price, size, price)

    def update(
        self, size: float, price: float, dt: _dt.datetime | None = None
    ) -> tuple[float, float, float, float]:
        """Apply a fill; return (new size, new price, opened, closed)."""
        self.datetime = dt
        self.price_orig = self.price
        after = self.size, self.price, self.upopened, self.upclosed = moved(
            self.size, self.price, size, price)
        return after


def moved(oldsize: float, oldprice: float, size: float, price: float
           ) -> tuple[float, float, float, float]:
    """(new size, new average price, opened, closed) after a fill of ``size`` at ``price``."""
    newsize = oldsize + size
    if not newsize:
        return newsize, 0.0, 0, size
    if not oldsize:
        return newsize, price, size, 0
    if (size > 0) if oldsize > 0 else (size < 0):  # adding to the position
        return newsize, (oldprice * oldsize + size * price) / newsize, size, 0
    if (oldsize > 0) == (newsize > 0):  # reducing, same side
        return newsize, oldprice, 0, size
    return newsize, price, newsize, -oldsize  # reversed through zero
