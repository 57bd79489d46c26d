"""A trade: the life of a position in one data and tradeid, from opening to flat."""

from __future__ import annotations

import itertools
from typing import Any

from tradebridge.utils.dates import num2date

from ._autodict import AutoOrderedDict
from ._base import FastCopy

__all__ = ["Trade", "TradeHistory"]


class TradeHistory(AutoOrderedDict):
    """Snapshot of a trade after one update (``status``) and what caused it (``event``)."""

    def __init__(
        self, status: int, dt: float, barlen: int, size: float, price: float, value: float,
        pnl: float, pnlcomm: float, tz: Any, event: Any = None,
    ) -> None:
        super().__init__()
        st = self.status
        st.status, st.dt, st.barlen = status, dt, barlen
        st.size, st.price, st.value = size, price, value
        st.pnl, st.pnlcomm, st.tz = pnl, pnlcomm, tz
        if event is not None:
            self.event = event

    def __reduce__(self) -> tuple[Any, ...]:
        st = self.status
        return (
            type(self),
            (st.status, st.dt, st.barlen, st.size, st.price, st.value, st.pnl, st.pnlcomm,
             st.tz, self.event),
        )

    def doupdate(self, order: Any, size: float, price: float, commission: float) -> None:
        """Record the order fill behind this snapshot and freeze it."""
        ev = self.event
        ev.order, ev.size, ev.price, ev.commission = order, size, price, commission
        self._close()

    def datetime(self, tz: Any = None, naive: bool = True) -> Any:
        """The snapshot time as a datetime."""
        return num2date(self.status.dt, tz or self.status.tz, naive)


class Trade(FastCopy):
    """Size, average price, P&L and commission of one trade; ``update`` applies a fill part."""

    refbasis = itertools.count(1)
    status_names = ["Created", "Open", "Closed"]
    Created, Open, Closed = range(3)

    _printed = (
        "ref", "data", "tradeid", "size", "price", "value", "commission", "pnl", "pnlcomm",
        "justopened", "isopen", "isclosed", "baropen", "dtopen", "barclose", "dtclose",
        "barlen", "historyon", "history", "status",
    )

    def __init__(
        self, data: Any = None, tradeid: int = 0, historyon: bool = False,
        size: float = 0, price: float = 0.0, value: float = 0.0, commission: float = 0.0,
    ) -> None:
        self.ref = next(self.refbasis)
        self.data = data
        self.tradeid = tradeid
        self.size = size
        self.price = price
        self.value = value
        self.commission = commission
        self.pnl = 0.0
        self.pnlcomm = 0.0
        self.justopened = False
        self.isopen = False
        self.isclosed = False
        self.baropen = 0
        self.dtopen = 0.0
        self.barclose = 0
        self.dtclose = 0.0
        self.barlen = 0
        self.historyon = historyon
        self.history: list[TradeHistory] = []
        self.status = self.Created

    def __str__(self) -> str:
        return "\n".join(f"{name}:{getattr(self, name)}" for name in self._printed)

    def __len__(self) -> int:
        return abs(self.size)

    def __bool__(self) -> bool:
        return self.size != 0

    def getdataname(self) -> str:
        """Name of the trade's data."""
        return self.data._name

    def open_datetime(self, tz: Any = None, naive: bool = True) -> Any:
        """When the trade opened, as a datetime."""
        return self._num2date(self.dtopen, tz, naive)

    def close_datetime(self, tz: Any = None, naive: bool = True) -> Any:
        """When the trade closed, as a datetime."""
        return self._num2date(self.dtclose, tz, naive)

    def _num2date(self, num: float, tz: Any, naive: bool) -> Any:
        """Convert with the data's own converter when it has one (it knows the time zone)."""
        conv = getattr(self.data, "num2date", None)
        if conv is not None:
            return conv(num, tz=tz, naive=naive)
        return num2date(num, tz, naive)

    def update(
        self, order: Any, size: float, price: float, value: float, commission: float,
        pnl: float, comminfo: Any,
    ) -> None:
        """Apply ``size`` at ``price`` (opposite sign reduces); recompute P&L and status."""
        if not size:
            return
        data = self.data
        simulated = getattr(order, "simulated", None)  # an Order's, without building its p
        if simulated is None:
            simulated = order.p.simulated
        self.commission += commission
        oldsize = self.size
        self.size += size
        self.justopened = bool(not oldsize and size)
        nbars = len(data)
        if self.justopened:
            self.baropen = nbars
            self.dtopen = 0.0 if simulated else data.datetime[0]
            self.long = self.size > 0
        self.isopen = bool(self.size)
        self.barlen = nbars - self.baropen
        self.isclosed = bool(oldsize and not self.size)
        if self.isclosed:
            self.isopen = False
            self.barclose = nbars
            self.dtclose = data.datetime[0]
            self.status = self.Closed
        elif self.isopen:
            self.status = self.Open
        if abs(self.size) > abs(oldsize):
            self.price = (oldsize * self.price + size * price) / self.size
            pnl = 0.0
        else:
            pnl = comminfo.profitandloss(-size, self.price, price)
        self.pnl += pnl
        self.pnlcomm = self.pnl - self.commission
        self.value = comminfo.getvaluesize(self.size, self.price)
        if self.historyon:
            entry = TradeHistory(
                self.status, 0.0 if simulated else data.datetime[0], self.barlen,
                self.size, self.price, self.value, self.pnl, self.pnlcomm,
                getattr(data, "_tz", None),
            )
            entry.doupdate(order, size, price, commission)
            self.history.append(entry)
