"""What an order asked for (``created``) and what it got (``executed``), bit by bit."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from ._base import FastCopy

__all__ = ["OrderData", "OrderExecutionBit"]


class OrderExecutionBit:
    """One fill: size and price, split into the part that closed and the part that opened."""

    __slots__ = (
        "dt", "size", "price", "closed", "opened", "closedvalue", "openedvalue",
        "closedcomm", "openedcomm", "value", "comm", "pnl", "psize", "pprice",
    )

    def __init__(
        self,
        dt: float | None = None,
        size: float = 0,
        price: float = 0.0,
        closed: float = 0,
        closedvalue: float = 0.0,
        closedcomm: float = 0.0,
        opened: float = 0,
        openedvalue: float = 0.0,
        openedcomm: float = 0.0,
        pnl: float = 0.0,
        psize: float = 0,
        pprice: float = 0.0,
    ) -> None:
        self.dt = dt
        self.size = size
        self.price = price
        self.closed = closed
        self.opened = opened
        self.closedvalue = closedvalue
        self.openedvalue = openedvalue
        self.closedcomm = closedcomm
        self.openedcomm = openedcomm
        self.value = closedvalue + openedvalue
        self.comm = closedcomm + openedcomm
        self.pnl = pnl
        self.psize = psize
        self.pprice = pprice


class OrderData(FastCopy):
    """Creation request or execution outcome; execution keeps every fill in ``exbits``."""

    # the totals start at zero on the class: an instance's __dict__ (copied for every
    # notification) holds them only once a fill has set them
    p1 = p2 = 0  # the fills not yet notified: exbits[p1:p2]
    value = comm = pnl = 0.0
    psize = pprice = 0
    margin: Any = None

    def __init__(
        self,
        dt: float | None = None,
        size: float = 0,
        price: float = 0.0,
        pricelimit: float = 0.0,
        remsize: float = 0,
        pclose: float = 0.0,
        trailamount: float = 0.0,
        trailpercent: float = 0.0,
    ) -> None:
        self.pclose = pclose
        self.exbits: list[OrderExecutionBit] = []
        self.dt = dt
        self.size = size
        self.remsize = remsize
        self.price = price
        self.pricelimit = pricelimit
        self.trailamount = trailamount
        self.trailpercent = trailpercent
        if not pricelimit:
            self.pricelimit = self.price
        if pricelimit and not price:
            self.price = pricelimit
        self.plimit = pricelimit

    def __len__(self) -> int:
        return len(self.exbits)

    def __getitem__(self, key: int) -> OrderExecutionBit:
        return self.exbits[key]

    def add(self, *args: Any, **kwargs: Any) -> None:
        """Record one fill; the arguments are ``OrderExecutionBit``'s (dt, size, price, ...)."""
        self.addbit(OrderExecutionBit(*args, **kwargs))

    def addbit(self, exbit: OrderExecutionBit) -> None:
        """Record one fill and roll it into the totals (size-weighted average price)."""
        self.exbits.append(exbit)
        self.remsize -= exbit.size
        self.dt = exbit.dt
        oldvalue = self.size * self.price
        self.size += exbit.size
        self.price = (oldvalue + exbit.size * exbit.price) / self.size
        self.value += exbit.value
        self.comm += exbit.comm
        self.pnl += exbit.pnl
        self.psize = exbit.psize
        self.pprice = exbit.pprice

    def getpending(self) -> list[OrderExecutionBit]:
        """The fills not yet notified, as a list."""
        return list(self.iterpending())

    def iterpending(self) -> Iterator[OrderExecutionBit]:
        """Iterate the fills not yet notified."""
        return itertools.islice(self.exbits, self.p1, self.p2)

    def markpending(self) -> None:
        """Mark the fills since the last mark as the pending ones."""
        self.p1, self.p2 = self.p2, len(self.exbits)

    def clone(self) -> OrderData:
        """Mark pending fills and return a shallow copy (shares ``exbits``)."""
        self.markpending()
        return self.__copy__()
