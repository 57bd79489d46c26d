"""OandaData: an OANDA v20 data feed (backtrader's params) on the live data base.

At start it backfills candles of the data's granularity (``timeframe``/``compression`` mapped
exactly by :mod:`.granularity`; paged within v20's 5000-candle limit) as ``DELAYED`` bars, then
goes ``LIVE`` on the store's pricing stream: each price is a tick (bid, ask or mid as
``bidask``/``useask`` say) for ``cerebro.resampledata`` to build bars from. When the pricing
stream is cut or goes silent the data reports ``CONNBROKEN``; once it is reopened the missed
stretch is backfilled from candles (``backfill``) before the ticks go on. Everything reaches the
engine as inbox events; the coroutines here run on the store's loop.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from ...feeds.live import LiveDataBase
from ...live import Kind
from ...utils.dates import as_utc
from ...utils.timeframe import TimeFrame
from . import models as m
from .errors import OandaError
from .granularity import granularity, seconds
from .models import parse_time
from .store import OandaStore

__all__ = ["OandaData"]

_FOREVER = 1_000_000  # candles asked for when paging forward to now (pages stop at the newest)


class OandaData(LiveDataBase):
    """backtrader's OandaData: ``dataname`` is an OANDA instrument such as ``EUR_USD``."""

    params: Any = (
        ("bidask", True),
        ("useask", False),
        ("includeFirst", True),
        ("reconnect", True),
        ("reconnections", -1),
        ("reconntimeout", 5.0),
        ("candles", 500),
    )

    def __init__(self, **kwargs: Any) -> None:
        store = OandaStore.for_kwargs(kwargs)
        super().__init__(**kwargs)
        self._store: Any = store
        self.o = store
        name = self.p.dataname
        if not isinstance(name, str) or "_" not in name:
            raise ValueError(
                f"OandaData dataname must be an OANDA instrument such as 'EUR_USD', got {name!r}"
            )
        self.oanda_instrument = name
        # candles of the data's own size (none for ticks: those come from the pricing stream only)
        self.granularity = (
            None if self._timeframe == TimeFrame.Ticks else granularity(self._timeframe, self._compression)
        )
        self.price_kind = "M" if not self.p.bidask else ("A" if self.p.useask else "B")
        self._cut = False
        self._backfilling = False
        self._held: list[dict[str, Any]] = []
        self._sent_until = -math.inf  # epoch end of the newest bar or time of the newest tick put

    def __repr__(self) -> str:
        return f"<OandaData {self.oanda_instrument} {self.granularity or 'ticks'}>"

    @property
    def live_wanted(self) -> bool:
        """Whether the data goes on after its history (not ``historical``)."""
        return not self.p.historical

    # -- engine thread ----------------------------------------------------------------------
    def _subscribe(self) -> None:
        self.o.start(data=self)
        self.o.subscribe(self)

    def _unsubscribe(self) -> None:
        self.o.unsubscribe(self)

    # -- the store's loop -------------------------------------------------------------------
    def _emit(self, kind: Kind, payload: Any) -> None:
        self.o.put(kind, payload, self)

    async def _oanda_start(self) -> None:
        """Backfill (``DELAYED``), then ``LIVE`` on the pricing stream, or end (``historical``)."""
        self._emit(Kind.DATA_STATUS, self.CONNECTED)
        if self.oanda_instrument not in self.o.instruments:
            known = ", ".join(sorted(self.o.instruments)) or "none"
            self.o.notify(
                f"{self!r}: OANDA account {self.o.p.account} has no instrument "
                f"{self.oanda_instrument!r} (tradeable: {known})"
            )
            self._emit(Kind.DATA_STATUS, self.NOTSUBSCRIBED)
            return
        if (self.p.backfill_start or self.p.historical) and self.granularity:
            self._emit(Kind.DATA_STATUS, self.DELAYED)
            self._backfilling = True
            await self._backfill(self._first_start(), include_first=self.p.includeFirst)
        if self.p.historical:
            self._emit(Kind.DATA_STATUS, self.DISCONNECTED)
            return
        self._emit(Kind.DATA_STATUS, self.LIVE)
        self.o.watch_prices()

    def _first_start(self) -> _dt.datetime | None:
        return None if self.p.fromdate is None else as_utc(self.p.fromdate)

    def _history_end(self) -> _dt.datetime | None:
        """Where a ``historical`` download stops (``todate``); None: now."""
        return as_utc(self.p.todate) if self.p.historical and self.p.todate is not None else None

    async def _backfill(self, start: _dt.datetime | None, include_first: bool | None = None) -> None:
        """Complete candles from ``start`` (None: the newest ``candles``) as bars, then held ticks."""
        client, gran, name = self.o.client, self.granularity, self.oanda_instrument
        assert gran is not None
        end = self._history_end()
        try:
            if start is None:
                found = await client.candles(name, gran, count=self.p.candles, end=end, price=self.price_kind)
            elif end is not None:
                found = await client.candles(name, gran, start=start, end=end, price=self.price_kind,
                                             include_first=include_first)
            else:
                found = await client.candles(name, gran, start=start, count=_FOREVER, price=self.price_kind,
                                             include_first=include_first)
            for candle in found:
                if candle.complete is not False:
                    self._emit_candle(candle, seconds(gran))
        except OandaError as exc:
            self.o.notify(f"{self!r}: backfill failed: {exc}")
        finally:
            self._backfilling = False
            held, self._held = self._held, []
            for tick in held:
                self._emit_tick(tick)

    def _emit_candle(self, candle: m.Candlestick, secs: int) -> None:
        side = {"B": candle.bid, "A": candle.ask, "M": candle.mid}[self.price_kind]
        if side is None:
            return
        when = parse_time(candle.time).timestamp()
        if when < self._sent_until:
            return
        self._sent_until = max(self._sent_until, when + secs)
        self._emit(
            Kind.BAR,
            {
                "datetime": when,
                "open": float(side.o),
                "high": float(side.h),
                "low": float(side.l),
                "close": float(side.c),
                "volume": float(candle.volume or 0),
                "openinterest": 0.0,
            },
        )

    def _on_price(self, price: m.ClientPrice) -> None:
        """One streamed price as a tick (held while a backfill runs, so bars stay in time order)."""
        bid = price.bids[0].price if price.bids else price.closeout_bid
        ask = price.asks[0].price if price.asks else price.closeout_ask
        if bid is None or ask is None or price.time is None:
            return
        value = (ask if self.p.useask else bid) if self.p.bidask else (bid + ask) / 2
        tick = {"price": float(value), "size": 0.0, "time": parse_time(price.time).timestamp()}
        if self._backfilling:
            self._held.append(tick)
        else:
            self._emit_tick(tick)

    def _emit_tick(self, tick: dict[str, Any]) -> None:
        if tick["time"] < self._sent_until:
            return
        self._sent_until = tick["time"]
        self._emit(Kind.TICK, tick)

    def _on_cut(self) -> None:
        if not self._cut:
            self._cut = True
            self._emit(Kind.DATA_STATUS, self.CONNBROKEN)

    def _on_reopen(self) -> Any:
        """The pricing stream is back: hold its ticks and return the gap backfill to run."""
        self._backfilling = bool(self.p.backfill and self.granularity and math.isfinite(self._sent_until))
        return self._oanda_resume()

    async def _oanda_resume(self) -> None:
        self._cut = False
        if self._backfilling:
            self._emit(Kind.DATA_STATUS, self.DELAYED)
            secs = seconds(self.granularity) if self.granularity else 1
            start = math.floor(self._sent_until / secs) * secs
            await self._backfill(_dt.datetime.fromtimestamp(start, _dt.UTC), include_first=True)
        self._emit(Kind.DATA_STATUS, self.LIVE)
