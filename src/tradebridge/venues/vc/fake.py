"""A fake Visual Chart behind the COM seam: nothing of Visual Chart runs on Linux, so this plays
the event sequences its servers produce.

A scenario (a test, a sandbox) drives it: :meth:`FakeVC.push_bar` adds a bar to a symbol
(live series get ``OnNewDataSerieBar``; resting orders are matched against it by
:class:`~tradebridge.venues.vc.fakevenue.FakeVenue` and report ``OnPartialExecutedOrder`` /
``OnTotalExecutedOrder``, then ``OnChangedOpenPositions`` and ``OnChangedBalance``);
:meth:`~FakeVC.push_tick` sends ``OnNewTicks``; :meth:`~FakeVC.shutdown` and
:meth:`~FakeVC.disconnect` take the server away (``OnServerShutDown`` / a connection
``OnInternalEvent``) and :meth:`~FakeVC.restore` brings it back. The consumer side only uses the
seam: ``call`` and ``pump``, from any one thread; the scenario may drive from another.

While the server is away the market goes on: orders still fill, calls fail with
:class:`~tradebridge.venues.vc.seam.ComCallError`, and the events are held and delivered after
the return (``missed="replay"``, as Visual Chart's Trader is taken to re-read its order book on
reconnecting; not yet confirmed by a capture) or lost (``missed="drop"``).
"""

from __future__ import annotations

import copy
import datetime as _dt
import itertools
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .fakevenue import FakeVenue, Fill, RestingOrder
from .marketdata import ole_from_datetime
from .seam import ComBackend, ComCallError, ComEvent, check_call, check_event

__all__ = ["FakeSymbol", "FakeVC", "bar_record"]


def bar_record(when: _dt.datetime, open: float, high: float, low: float, close: float, volume: float = 0.0,
               openinterest: float = 0.0) -> dict[str, Any]:
    """A bar as ``GetBarValues`` gives it (``when`` in Visual Chart's clock, naive)."""
    return {"Date": ole_from_datetime(when), "Open": open, "High": high, "Low": low, "Close": close,
            "Volume": volume, "OpenInterest": openinterest}


@dataclass
class FakeSymbol:
    """A symbol the fake serves: its ``GetSymbolInfo`` record and its bars so far (oldest first)."""

    info: dict[str, Any]
    bars: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def future(cls, description: str, bars: Sequence[Mapping[str, Any]] = (), point_value: float = 1.0,
               time_offset: float = 0.0) -> FakeSymbol:
        """A futures contract with the given bars."""
        info = {"Type": "IT_Future", "Description": description, "Decimals": 2, "TimeOffset": time_offset,
                "PointValue": point_value, "MinMovement": 0.25}
        return cls(info, [dict(b) for b in bars])


@dataclass
class _Serie:
    symbol: str
    bars: list[dict[str, Any]]
    live: bool
    end: float | None


class FakeVC(ComBackend):
    """Visual Chart's three COM objects, played in memory (see the module docstring).

    A serie serves the symbol's bars from ``start`` (to ``end``) as they were given, whatever
    compression is asked: resampling is the scenario's business.
    """

    def __init__(self, symbols: Mapping[str, FakeSymbol] | None = None,
                 accounts: Mapping[str, float] | None = None, liquidity: float | None = None,
                 missed: str = "replay") -> None:
        if missed not in ("replay", "drop"):
            raise ValueError(f"missed must be 'replay' or 'drop', got {missed!r}")
        self.symbols = dict(symbols or {})
        multipliers = {code: float(s.info.get("PointValue") or 1.0) for code, s in self.symbols.items()}
        accounts = accounts if accounts is not None else {"A1": 100_000.0}
        self.venue = FakeVenue(accounts, multipliers, liquidity)
        for code, sym in self.symbols.items():
            if sym.bars:
                self.venue.mark(code, sym.bars[-1])
        self.missed = missed
        self._series: dict[str, _Serie] = {}
        self._feeds: set[str] = set()
        self._ids = itertools.count(1)
        self._queue: deque[ComEvent] = deque()
        self._held: list[ComEvent] = []
        self._cond = threading.Condition()
        self._woken = False
        self._connected = False
        self._down = False
        self._verbs: Mapping[tuple[str, str], Callable[..., Any]] = {
            ("datasource", "symbol_info"): self._symbol_info, ("datasource", "open_serie"): self._open_serie,
            ("datasource", "serie_size"): lambda serie: len(self._serie(serie).bars),
            ("datasource", "serie_bars"): self._serie_bars,
            ("datasource", "close_serie"): self._close_serie,
            ("realtime", "request_feed"): self._request_feed,
            ("realtime", "cancel_feed"): lambda symbol: self._feeds.discard(symbol),
            ("trader", "accounts"): self._accounts, ("trader", "balance"): self._balance,
            ("trader", "positions"): lambda account: self.venue.position_records(self._account(account)),
            ("trader", "orders"): self._orders, ("trader", "send_order"): self._send_order,
            ("trader", "cancel_order"): self._cancel_order, ("trader", "modify_order"): self._modify_order,
        }

    # the seam
    def connect(self) -> None:
        with self._cond:
            self._connected = True

    def call(self, target: str, verb: str, **args: Any) -> Any:
        """Run a verb on the fake's state; refused while not connected or while the server is away."""
        check_call(target, verb, args)
        with self._cond:
            if not self._connected:
                raise ComCallError(f"{target}.{verb}: the backend is not connected")
            if self._down:
                raise ComCallError(f"{target}.{verb}: Visual Chart's server is not available")
            return copy.deepcopy(self._verbs[(target, verb)](**args))

    def pump(self, timeout: float) -> list[ComEvent]:
        """Wait up to ``timeout`` seconds for events; return all queued."""
        with self._cond:
            if not self._queue and not self._woken and timeout > 0:
                self._cond.wait_for(lambda: bool(self._queue) or self._woken, timeout)
            self._woken = False
            events = list(self._queue)
            self._queue.clear()
            return events

    def wake(self) -> None:
        """End a waiting ``pump`` (or the next one) at once."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._connected = False
            self._series.clear()
            self._feeds.clear()

    # what a scenario does
    def push_bar(self, symbol: str, bar: Mapping[str, Any]) -> list[Fill]:
        """A new bar of ``symbol``: live series grow, resting orders are matched; returns the fills."""
        with self._cond:
            record = dict(bar)
            self._symbol(symbol).bars.append(record)
            for serie_id, serie in self._series.items():
                if serie.symbol == symbol and serie.live:
                    serie.bars.append(record)
                    self._emit("datasource", "OnNewDataSerieBar", serie=serie_id, size=len(serie.bars))
            fills = self.venue.on_bar(symbol, record)
            for fill in fills:
                report = {**fill.order.record, "Volume": fill.volume, "Price": fill.price}
                self._emit("trader", "OnTotalExecutedOrder" if fill.total else "OnPartialExecutedOrder",
                           order=report)
            for account in dict.fromkeys(f.order.record["Account"] for f in fills):
                self._emit("trader", "OnChangedOpenPositions", account=account)
                self._emit("trader", "OnChangedBalance", account=account)
            return fills

    def push_tick(self, symbol: str, price: float, volume: float, when: _dt.datetime) -> None:
        """A trade tick for the symbols whose feed was requested."""
        with self._cond:
            if symbol in self._feeds:
                stamp = ole_from_datetime(when)
                ticks = [self._tick(symbol, "Field_Time", stamp, price, volume)]
                self._emit("realtime", "OnNewTicks", ticks=ticks)

    def shutdown(self) -> None:
        """Visual Chart's server shuts down: ``OnServerShutDown`` from RealTime and Trader."""
        with self._cond:
            self._emit("realtime", "OnServerShutDown")
            self._emit("trader", "OnServerShutDown")
            self._down = True

    def disconnect(self) -> None:
        """The connection to the server drops: a connection ``OnInternalEvent`` (p1=1, p2=0)."""
        with self._cond:
            self._emit("realtime", "OnInternalEvent", p1=1, p2=0, p3=0)
            self._down = True

    def restore(self) -> None:
        """The server is back: a connection ``OnInternalEvent`` (p2=1), then what was held, then balances."""
        with self._cond:
            self._down = False
            self._emit("realtime", "OnInternalEvent", p1=1, p2=1, p3=0)
            held, self._held = self._held, []
            for event in held:
                self._queue.append(event)
            for account in self.venue.cash:
                self._emit("trader", "OnChangedOpenPositions", account=account)
                self._emit("trader", "OnChangedBalance", account=account)
            self._cond.notify_all()

    # internals (called with the lock held)
    def _emit(self, source: str, name: str, **args: Any) -> None:
        check_event(source, name, args)
        event = ComEvent(source, name, copy.deepcopy(args))
        if self._down:
            if self.missed == "replay":
                self._held.append(event)
            return
        self._queue.append(event)
        self._cond.notify_all()

    def _symbol(self, symbol: str) -> FakeSymbol:
        try:
            return self.symbols[symbol]
        except KeyError:
            raise ComCallError(f"symbol {symbol!r} not found") from None

    def _serie(self, serie: str) -> _Serie:
        try:
            return self._series[serie]
        except KeyError:
            raise ComCallError(f"no open serie {serie!r}") from None

    def _account(self, account: str) -> str:
        if account not in self.venue.cash:
            raise ComCallError(f"Visual Chart has no account {account!r}")
        return account

    def _tick(self, symbol: str, fieldname: str, stamp: float, value: float, volume: float = 0.0,
              text: str = "") -> dict[str, Any]:
        return {"SymbolCode": symbol, "Field": fieldname, "FieldEx": volume, "Date": stamp, "TickIndex": 0,
                "Value": value, "Text": text}

    def _symbol_info(self, symbol: str) -> dict[str, Any]:
        return dict(self._symbol(symbol).info)

    def _open_serie(self, symbol: str, ct: str, compression: int, start: _dt.datetime,
                    end: _dt.datetime | None = None, live: bool = False) -> str:
        bars = self._symbol(symbol).bars
        first = ole_from_datetime(start)
        last = None if end is None else ole_from_datetime(end)
        chosen = [b for b in bars if b["Date"] >= first and (last is None or b["Date"] <= last)]
        serie_id = f"serie-{next(self._ids)}"
        self._series[serie_id] = _Serie(symbol, chosen, live and end is None, last)
        return serie_id

    def _close_serie(self, serie: str) -> None:
        self._series.pop(serie, None)

    def _serie_bars(self, serie: str, first: int, last: int) -> list[dict[str, Any]]:
        bars = self._serie(serie).bars
        if not 1 <= first <= last + 1 or last > len(bars):
            raise ComCallError(f"serie {serie!r} has bars 1..{len(bars)}, asked {first}..{last}")
        return bars[first - 1:last]

    def _request_feed(self, symbol: str) -> None:
        known = self.symbols.get(symbol)
        self._feeds.add(symbol)
        stamp = known.bars[-1]["Date"] if known and known.bars else (1.0 if known else 0.0)
        text = known.info.get("Description", "") if known else "Not Found"
        tick = self._tick(symbol, "Field_Description", stamp, 0.0, text=text)
        self._emit("realtime", "OnNewTicks", ticks=[tick])

    def _accounts(self) -> list[dict[str, Any]]:
        return [self._balance(name) for name in self.venue.cash]

    def _balance(self, account: str) -> dict[str, Any]:
        self._account(account)
        cash, worth = self.venue.cash[account], self.venue.net_worth(account)
        return {"Account": account, "Cash": cash, "NetWorth": worth}

    def _orders(self, account: str) -> list[dict[str, Any]]:
        self._account(account)
        return [dict(o.record) for o in self.venue.orders.values()
                if o.record["Account"] == account and o.status in ("Accepted", "Partial")]

    def _send_order(self, order: Mapping[str, Any]) -> str:
        self._symbol(str(order.get("SymbolCode")))
        resting = self.venue.place(order)
        self._emit("trader", "OnNewOrderLocation", order=resting.record)
        self._emit("trader", "OnOrderInMarket", order=resting.record)
        return resting.order_id

    def _cancel_order(self, order_id: str) -> None:
        self._report("OnCancelledOrder", self.venue.cancel(order_id))

    def _modify_order(self, order_id: str, volume: float | None = None, price: float | None = None,
                      stop_price: float | None = None) -> None:
        self._report("OnModifiedOrder", self.venue.modify(order_id, volume, price, stop_price))

    def _report(self, name: str, order: RestingOrder) -> None:
        self._emit("trader", name, order=order.record)
