"""IBData: an Interactive Brokers data feed (backtrader's params) on the live data base.

At start it looks the contract up (one ContractDetails), downloads the history (``backfill_start``)
split, paced and cached by :mod:`.history`, delivers it ``DELAYED``, then goes ``LIVE`` on
5-second real-time bars (``rtbar``) or ticks (``reqMktData``). After a reconnect the store calls
``_ib_resume``: the gap since the last bar is backfilled (``backfill``) and the live
subscription renewed. Everything reaches the engine as inbox events; the coroutines here run on
the store's loop.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import math
from typing import Any

from ...feeds.live import LiveDataBase
from ...live import Kind
from ...utils.dates import as_utc
from ...utils.timeframe import TimeFrame
from .contracts import IBContract, parse_dataname
from .errors import IBError, classify
from .history import MAX_DURATION, Bar, HistoryCache, HistRequest, bar_seconds, bar_tuple, plan_downloads
from .mapping import bar_size, comminfo_from_details, instrument_name, what_to_show
from .store import IBStore

__all__ = ["IBData"]

_LIVE_BAR = "5 secs"  # what history is asked in when the data is ticks or 5-second bars
_LAST_TICKS = frozenset({4, 68})  # LAST, DELAYED_LAST
_QUOTE_TICKS = frozenset({1, 2, 66, 67})  # BID, ASK and their delayed twins
_PACING_RETRIES = 5


class IBData(LiveDataBase):
    """backtrader's IBData: ``dataname`` forms such as ``AAPL-STK-SMART-USD`` or ``EUR.USD-CASH-IDEALPRO``."""

    params = (
        ("sectype", "STK"), ("exchange", "SMART"), ("currency", ""), ("rtbar", False), ("what", None),
        ("useRTH", False), ("tradename", None),
    )

    def __init__(self, **kwargs: Any) -> None:
        store = IBStore.for_kwargs(kwargs)
        super().__init__(**kwargs)
        self.ib: IBStore = store
        self._store = store  # type: ignore[assignment]
        p = self.p
        self.contract: IBContract = parse_dataname(p.dataname, p.sectype, p.exchange, p.currency)
        self.tradecontract: IBContract = (parse_dataname(p.tradename, p.sectype, p.exchange, p.currency)
                                          if p.tradename else self.contract)
        self.what = what_to_show(self.contract.sectype, p.what, realtime=False)
        self.rt_what = what_to_show(self.contract.sectype, p.what, realtime=True)
        self.hist_bar = self._hist_bar_size()
        c = self.contract
        self.instrument = f"{c.symbol}.{c.currency}" if c.sectype == "CASH" else c.symbol
        self.tradeinstrument = ""  # the traded contract's name, known after the lookup
        self.con_id = 0
        self.details: Any = None
        self.tradedetails: Any = None
        self._live_sub: Any = None
        self._lookup_error: IBError | None = None
        self._sent_until = -math.inf  # epoch end of the newest bar put (history or live)

    def _hist_bar_size(self) -> str:
        if self._timeframe < TimeFrame.Seconds or self.p.rtbar:
            return _LIVE_BAR
        return bar_size(self._timeframe, self._compression)

    def __repr__(self) -> str:
        return f"<IBData {self.p.dataname}>"

    # -- engine thread ----------------------------------------------------------------------
    def _subscribe(self) -> None:
        """Connect, look the contract up (the broker needs its name and commission info), subscribe."""
        self.ib.start(data=self)
        self._lookup_error = None
        if self.details is None:
            try:
                self.ib.run(self._lookup(), timeout=self.ib.p.timeout * 10)
            except IBError as exc:
                self._lookup_error = exc  # reported in order with the statuses by _ib_start
        broker = self.ib.broker
        if self.tradedetails is not None and hasattr(broker, "register_data"):
            broker.register_data(self, self.tradeinstrument)
        self.ib.subscribe(self)

    def _unsubscribe(self) -> None:
        self.ib.unsubscribe(self)

    def _timeoffset(self) -> _dt.timedelta:
        """How far TWS's clock is ahead of ours (the engine closes resampled bars on TWS time)."""
        return self.ib.timeoffset()

    def comminfo(self) -> dict[str, Any]:
        """CommInfoBase params of the traded contract (multiplier, stock-like) from its details."""
        details = self.tradedetails or self.details
        if details is None:
            raise RuntimeError(f"{self!r}: contract details are not known yet (the data has not started)")
        return comminfo_from_details(details)

    # -- the store's loop -------------------------------------------------------------------
    def _emit(self, kind: Kind, payload: Any) -> None:
        """Hand an event to the engine thread (from the store's loop)."""
        self.ib.put(kind, payload, self)

    async def _ib_start(self) -> None:
        """Look the contract up, backfill, then subscribe live (or end for ``historical``)."""
        self._emit(Kind.DATA_STATUS, self.CONNECTED)
        error, self._lookup_error = self._lookup_error, None
        if self.details is None and error is None:
            try:
                await self._lookup()
            except IBError as exc:
                error = exc
        if error is not None:
            self.ib.notify(error)
            self._emit(Kind.DATA_STATUS, self.NOTSUBSCRIBED)
            return
        if self.p.backfill_start or self.p.historical:
            self._emit(Kind.DATA_STATUS, self.DELAYED)
            await self._backfill(self._first_start(), self._end())
        if self.p.historical:
            self._emit(Kind.DATA_STATUS, self.DISCONNECTED)
            return
        self._go_live()

    async def _ib_resume(self) -> None:
        """After a reconnect: backfill the gap since the last bar, renew the live subscription."""
        if self.details is None:
            await self._ib_start()
            return
        if self.p.historical:
            return
        if self.p.backfill and math.isfinite(self._sent_until):
            self._emit(Kind.DATA_STATUS, self.DELAYED)
            start = _dt.datetime.fromtimestamp(self._sent_until, _dt.UTC)
            if start < self._end():
                await self._backfill(start, self._end())
        self._go_live()

    def _ib_stop(self) -> None:
        sub, self._live_sub = self._live_sub, None
        ib = self.ib.ib
        if sub is None or ib is None or not ib.isConnected():
            return
        if self.p.rtbar:
            ib.cancelRealTimeBars(sub)
        else:
            ib.cancelMktData(sub.contract)

    async def _lookup(self) -> None:
        self.details = await self.ib.contract_details(self.contract.to_ib())
        self.con_id = self.details.contract.conId
        self.instrument = instrument_name(self.details.contract)
        self.tradedetails = (await self.ib.contract_details(self.tradecontract.to_ib())
                             if self.tradecontract is not self.contract else self.details)
        self.tradeinstrument = instrument_name(self.tradedetails.contract)

    # -- history ----------------------------------------------------------------------------
    def _end(self) -> _dt.datetime:
        now = _dt.datetime.fromtimestamp(self.ib.now(), _dt.UTC)
        if self.p.historical and self.p.todate is not None:
            return min(now, as_utc(self.p.todate))
        return now

    def _first_start(self) -> _dt.datetime:
        if self.p.fromdate is not None:
            return as_utc(self.p.fromdate)
        secs = bar_seconds(self.hist_bar)
        edge = math.floor(self._end().timestamp() / secs) * secs  # the newest whole bar's end
        return _dt.datetime.fromtimestamp(edge - MAX_DURATION[self.hist_bar], _dt.UTC)

    async def _backfill(self, start: _dt.datetime, end: _dt.datetime) -> None:
        """Download what the cache lacks of ``[start, end]``, then put the complete bars in it."""
        secs = bar_seconds(self.hist_bar)
        complete = math.floor(end.timestamp() / secs) * secs  # bars starting after it still form
        if complete - secs < start.timestamp():
            return
        cache = HistoryCache(self.ib.p.histcache).open(self.contract.dataname, self.hist_bar, self.what,
                                                       bool(self.p.useRTH))
        try:
            stop = _dt.datetime.fromtimestamp(complete, _dt.UTC)
            for request in plan_downloads(cache, start, stop, self.hist_bar):
                rows = await self._download(request)
                cache.store([r for r in rows if r[0] + secs <= complete], request.start.timestamp(),
                            request.end.timestamp())
            for row in cache.bars(start.timestamp(), complete - secs):
                self._emit_bar(row[0], row[1:], secs)
        finally:
            cache.close()

    async def _download(self, request: HistRequest) -> list[Bar]:
        """One historical request, sent when the pacer allows; retried after error 162 pacing."""
        ib, pacer = self.ib.ib, self.ib.pacer
        identity, key = request.keys(self.contract.dataname, self.what, bool(self.p.useRTH))
        contract = self.details.contract
        for _ in range(_PACING_RETRIES):
            await asyncio.sleep(pacer.delay(identity, key))
            pacer.record(identity, key)
            errors: list[tuple[int, str]] = []

            def watch(req_id: int, code: int, text: str, about: Any, errors: list = errors) -> None:
                if about is not None and about.conId == contract.conId:
                    errors.append((code, text))

            ib.errorEvent += watch
            try:
                bars = await ib.reqHistoricalDataAsync(
                    contract, endDateTime=request.end_str, durationStr=request.duration,
                    barSizeSetting=request.bar_size, whatToShow=self.what, useRTH=bool(self.p.useRTH),
                    formatDate=2)
            finally:
                ib.errorEvent -= watch
            if any(classify(code, text).title.endswith("pacing violation") for code, text in errors):
                pacer.violation()
                continue
            pacer.answered()
            return [bar_tuple(bar) for bar in bars or ()]
        self.ib.notify(f"{self!r}: history {request.end_str} {request.duration} given up after "
                       f"{_PACING_RETRIES} pacing violations (error 162)")
        return []

    def _emit_bar(self, when: float, ohlcv: tuple[float, ...], secs: float) -> None:
        self._sent_until = max(self._sent_until, when + secs)
        o, h, low, c, v = ohlcv
        self._emit(Kind.BAR, {"datetime": when, "open": o, "high": h, "low": low, "close": c,
                             "volume": v, "openinterest": 0.0})

    # -- live -------------------------------------------------------------------------------
    def _go_live(self) -> None:
        ib = self.ib.ib
        contract = self.details.contract
        if self.p.rtbar:
            self._live_sub = ib.reqRealTimeBars(contract, 5, self.rt_what, bool(self.p.useRTH))
            self._live_sub.updateEvent += self._on_rtbars
        else:
            self._live_sub = ib.reqMktData(contract, "", False, False)
            self._live_sub.updateEvent += self._on_ticker
        self._emit(Kind.DATA_STATUS, self.LIVE)

    def _on_rtbars(self, bars: Any, has_new_bar: bool) -> None:
        if not has_new_bar or not bars:
            return
        bar = bars[-1]
        when = bar.time.timestamp()
        if when + 5 <= self._sent_until:
            return  # inside a bar the backfill already delivered
        self._emit_bar(when, (bar.open_, bar.high, bar.low, bar.close, bar.volume), 5)

    def _on_ticker(self, ticker: Any) -> None:
        offset = self.ib.timeoffset().total_seconds()
        cash = self.contract.sectype == "CASH"
        for tick in ticker.ticks:
            if tick.tickType in _LAST_TICKS and not cash:
                price, size = tick.price, tick.size
            elif tick.tickType in _QUOTE_TICKS and cash:
                price, size = ticker.midpoint(), 0.0
            else:
                continue
            if not math.isfinite(price) or price <= 0:
                continue
            when = tick.time.timestamp() + offset
            if when < self._sent_until:
                continue
            self._emit(Kind.TICK, {"price": float(price), "size": float(size or 0.0), "time": when})
