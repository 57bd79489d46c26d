"""Shared pieces for the VCStore tests: a fake Visual Chart with history, and a strategy that plays
a market script on it one bar at a time, in step with the engine.

The script's market moves (new bars, outages) run on the store's pump thread through
``store.call_soon``, after any order the strategy just sent, so every run is deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tradebridge as bt
from tradebridge.venues.vc.fake import FakeSymbol, FakeVC, bar_record

ES = "001ES"  # as VCData takes it
ES_SERIE = "010001ES"  # as Visual Chart's data source and trader know it
T0 = dt.datetime(2026, 11, 23, 9, 0)


def bar(i: int, o: float, h: float | None = None, l: float | None = None, c: float | None = None,
        volume: float = 100.0) -> dict[str, Any]:
    """The i-th one-minute bar after T0 (high/low/close default around the open)."""
    return bar_record(T0 + dt.timedelta(minutes=i), o, o + 1 if h is None else h, o - 1 if l is None else l,
                      o + 0.5 if c is None else c, volume=volume)


def fake(history: int = 3, accounts: Mapping[str, float] | None = None, **kw: Any) -> FakeVC:
    """A fake Visual Chart serving ES with ``history`` one-minute bars (opens 100, 101, ...)."""
    bars = [bar(i, 100.0 + i) for i in range(history)]
    return FakeVC({ES_SERIE: FakeSymbol.future("E-mini S&P", bars, point_value=1.0)}, accounts=accounts, **kw)


def live_bars(start: int, opens: Sequence[float]) -> list[dict[str, Any]]:
    """Bars start, start+1, ... with the given opens."""
    return [bar(start + k, o) for k, o in enumerate(opens)]


class Script(bt.Strategy):
    """Plays ``bars`` on the fake one at a time once the data is LIVE; ``steps[k](self)`` runs before
    live bar k is pushed; the run stops after the last bar. Records bars, statuses, orders, trades."""

    params = (("fake", None), ("bars", ()), ("steps", {}), ("history", 3), ("symbol", ES_SERIE))

    def __init__(self) -> None:
        self.log: list[tuple[str, Any]] = []
        self.orders: list[tuple[int, str, float, float]] = []  # (ref, status, executed size, executed price)
        self.trades: list[tuple[float, float]] = []
        self.stores: list[Any] = []
        self.pushed = 0
        self.order_objs: dict[int, Any] = {}

    @property
    def seen(self) -> int:
        return len(self.data) - self.p.history

    def notify_data(self, data: Any, status: int, *args: Any, **kwargs: Any) -> None:
        self.log.append(("status", data._getstatusname(status)))
        if status == data.LIVE:
            self.advance()

    def notify_store(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.stores.append(msg)

    def notify_order(self, order: Any) -> None:
        self.order_objs[order.ref] = order
        self.orders.append((order.ref, order.getstatusname(), order.executed.size, order.executed.price))

    def notify_trade(self, trade: Any) -> None:
        if trade.isclosed:
            self.trades.append((trade.pnl, trade.pnlcomm))

    def next(self) -> None:
        self.log.append(("bar", (self.data.datetime.datetime(0), self.data.open[0])))
        if self.seen >= 0:
            self.advance()

    def market(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run a market move on the pump thread, after whatever the strategy sent before it."""
        self.data._store.call_soon(fn, *args)

    def advance(self) -> None:
        if self.seen != self.pushed:
            return
        step = self.p.steps.get(self.seen)
        if step is not None:
            step(self)
        if self.pushed < len(self.p.bars):
            self.market(self.p.fake.push_bar, self.p.symbol, self.p.bars[self.pushed])
            self.pushed += 1
        else:
            self.env.runstop()

    def outage(self, *, bars: int = 0) -> None:
        """The server goes away, ``bars`` more bars trade meanwhile, then it comes back."""
        fake, todo = self.p.fake, list(self.p.bars[self.pushed:self.pushed + bars])
        self.pushed += len(todo)

        def play() -> None:
            fake.shutdown()
            for b in todo:
                fake.push_bar(self.p.symbol, b)
            fake.restore()
        self.market(play)


def bars_of(log: list[tuple[str, Any]]) -> list[Any]:
    return [x for kind, x in log if kind == "bar"]


def statuses_of(log: list[tuple[str, Any]]) -> list[str]:
    return [x for kind, x in log if kind == "status"]


def run(fake: FakeVC, journal: Any, bars: Sequence[Mapping[str, Any]] = (),
        steps: Mapping[int, Any] | None = None, history: int = 3, broker: Mapping[str, Any] | None = None,
        strat: type = Script,
        **data_kw: Any) -> tuple[Any, Any]:
    """A Script run through Cerebro on VCStore(fake) with a VCBroker journaling to ``journal``;
    returns (strategy, broker)."""
    from tradebridge.venues.vc.store import VCStore

    store = VCStore(backend=fake)
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(store.getdata(dataname=ES, timeframe=bt.TimeFrame.Minutes, usetimezones=False, **data_kw))
    vcbroker = store.getbroker(journal=str(journal), **(broker or {}))
    cerebro.setbroker(vcbroker)
    cerebro.addstrategy(strat, fake=fake, bars=list(bars), steps=dict(steps or {}), history=history)
    return cerebro.run()[0], vcbroker


def venue_position(fake: FakeVC, account: str = "A1", symbol: str = ES_SERIE) -> float:
    pos = fake.venue.positions.get((account, symbol))
    return 0.0 if pos is None else pos.size


def venue_filled(fake: FakeVC) -> dict[str, float]:
    """Signed filled size of every order at the fake, by our client id (ExtendedInfo)."""
    return {o.record["ExtendedInfo"]: o.sign * o.filled for o in fake.venue.orders.values() if o.filled}
