"""Visual Chart 6 live test with backtrader's ``vctest`` command-line arguments.

On Windows with Visual Chart 6 running it talks to Visual Chart itself:

    python examples/vctest.py --data0 015ES --timeframe Minutes --compression 1 --fromdate 2026-11-24
    python examples/vctest.py --data0 015ES --timeframe Minutes --broker --account MYACC --trade --stake 2

Anywhere else (or with ``--fake``) it says so and runs against tradebridge's fake Visual Chart
(``tradebridge.venues.vc.fake``), which gets a new bar and a trade tick every ``--fake-speed``
seconds and fills orders with the backtest broker's rules. ``--record PATH`` writes the session
to a trace that ``tradebridge.venues.vc.trace.ReplayBackend`` can replay.

The strategy is ``examples/ibtest.py``'s: it prints every notification and bar; with ``--trade``
it buys ``--stake`` once the data is LIVE, cancels an unfilled order after ``--cancel`` bars and
sells again unless ``--donotsell``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import threading
from typing import Any

from ibtest import IBTest, add_shaped  # the same test strategy (examples/ is on sys.path as a script)

import tradebridge as bt

EXECTYPES = tuple(bt.Order.ExecTypes)  # as backtrader's vctest; Visual Chart rejects the trailing ones


class VCTest(IBTest):
    """ibtest's strategy with vctest's order prices (``--price``/``--pstoplimit``) and validity
    (seconds, or a date ``YYYY-MM-DD``)."""

    params = (("price", None), ("pstoplimit", None))

    def _price(self) -> float | None:
        return self.p.price if self.p.price is not None else super()._price()

    def _valid(self) -> Any:
        valid = self.p.valid
        if isinstance(valid, str):
            return dt.datetime.fromisoformat(valid)
        return super()._valid()

    def buy(self, *args: Any, **kwargs: Any) -> Any:
        if self.p.exectype == "StopLimit" and self.p.pstoplimit is not None:
            kwargs.setdefault("plimit", self.p.pstoplimit)
        kwargs.pop("trailpercent", None)  # Visual Chart has no trailing orders
        return super().buy(*args, **kwargs)


def _valid(text: str) -> float | str:
    """--valid: seconds, or a date YYYY-MM-DD."""
    try:
        return float(text)
    except ValueError:
        dt.date.fromisoformat(text)
        return text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """backtrader's vctest arguments, plus --fake/--fake-speed/--record/--journal."""
    p = argparse.ArgumentParser(description="Test Visual Chart 6 integration",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--exactbars", type=int, default=1, help="exactbars level, use 0/-1/-2 to enable plotting")
    p.add_argument("--plot", action="store_true", help="plot if possible (needs --exactbars 0 or less)")
    p.add_argument("--stopafter", type=int, default=0, help="stop after x lines of LIVE data")
    p.add_argument("--nostore", action="store_true", help="do not use the store pattern")
    p.add_argument("--qcheck", type=float, default=0.5, help="kept for compatibility")
    p.add_argument("--no-timeoffset", action="store_true", help="kept for compatibility")
    p.add_argument("--data0", default=None, help="data 0 into the system (default with the fake: 015ES)")
    p.add_argument("--tradename", default=None, help="actual trading name of the asset")
    p.add_argument("--data1", default=None, help="data 1 into the system")
    p.add_argument("--timezone", default=None, help="time zone to show times in")
    p.add_argument("--no-backfill_start", action="store_true", help="no history at the start")
    p.add_argument("--latethrough", action="store_true", help="let late samples through a resampler")
    p.add_argument("--historical", action="store_true", help="do only a historical download")
    p.add_argument("--fromdate", default=None, help="history start, YYYY-MM-DD[THH:MM:SS]")
    p.add_argument("--todate", default=None, help="history end, YYYY-MM-DD[THH:MM:SS]")
    p.add_argument("--smaperiod", type=int, default=5, help="period of the simple moving average")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--replay", action="store_true", help="replay to the chosen timeframe")
    group.add_argument("--resample", action="store_true", help="resample to the chosen timeframe")
    p.add_argument("--timeframe", default="Ticks", choices=bt.TimeFrame.Names, help="timeframe")
    p.add_argument("--compression", type=int, default=1, help="compression")
    p.add_argument("--no-bar2edge", action="store_true", help="no bar2edge for resample/replay")
    p.add_argument("--no-adjbartime", action="store_true", help="no adjbartime for resample/replay")
    p.add_argument("--no-rightedge", action="store_true", help="no rightedge for resample/replay")
    p.add_argument("--broker", action="store_true", help="use Visual Chart as broker")
    p.add_argument("--account", default=None, help="broker account (else the first)")
    p.add_argument("--trade", action="store_true", help="do sample buy/sell operations")
    p.add_argument("--donotsell", action="store_true", help="do not sell after a buy")
    p.add_argument("--exectype", default="Market", choices=EXECTYPES,
                   help="order type to open with (Visual Chart rejects the trailing ones and Historical)")
    p.add_argument("--price", type=float, default=None, help="limit price or stop trigger price")
    p.add_argument("--pstoplimit", type=float, default=None, help="limit price of a StopLimit")
    p.add_argument("--stake", type=int, default=10, help="stake of the buy")
    p.add_argument("--valid", type=_valid, default=None, help="seconds or YYYY-MM-DD")
    p.add_argument("--cancel", type=int, default=0, help="cancel a buy order after n bars")
    p.add_argument("--fake", action="store_true", help="use the fake Visual Chart even on Windows")
    p.add_argument("--fake-speed", type=float, default=0.5, help="fake: wall seconds per new bar")
    p.add_argument("--record", default=None, help="write the session's trace to this file")
    p.add_argument("--journal", default=None, help="broker journal file (default: under the user data dir)")
    return p.parse_args(argv)


def _market_time(symbol: str, utc: dt.datetime) -> dt.datetime:
    """``utc`` (naive) as the symbol's market clock shows it: how Visual Chart stamps its bars."""
    from zoneinfo import ZoneInfo

    from tradebridge.venues.vc.marketdata import market_timezone

    zone = market_timezone(symbol[3:] if symbol.startswith("010") else symbol)
    if zone is None:
        return utc
    return utc.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


class FakeMarket:
    """Drives the fake Visual Chart: a bar and a trade tick every ``speed`` seconds (random walk)."""

    def __init__(self, fake: Any, symbols: list[str], speed: float, start: dt.datetime, price: float) -> None:
        self.fake, self.symbols, self.speed = fake, symbols, speed
        self.when, self.price = start, price  # when: UTC, naive
        self.rng = random.Random(6)
        self.halt = threading.Event()
        self.store: Any = None
        self.thread = threading.Thread(target=self._run, name="vctest-fake-market", daemon=True)

    def _run(self) -> None:
        while not self.halt.wait(self.speed):
            if self.store is None or not self.store.connected:
                continue
            self.when += dt.timedelta(minutes=1)
            o = self.price
            c = round(o + self.rng.choice((-1.0, -0.5, 0.0, 0.5, 1.0)), 2)
            bar = {"Open": o, "High": max(o, c) + 0.5, "Low": min(o, c) - 0.5, "Close": c, "Volume": 100.0}
            self.price = c
            for symbol in self.symbols:  # on the store's pump thread: after any order sent before it
                when = _market_time(symbol, self.when)
                self.store.call_soon(self.fake.push_tick, symbol, c, 1.0, when)
                self.store.call_soon(self._bar, symbol, when, bar)

    def _bar(self, symbol: str, when: dt.datetime, bar: dict[str, Any]) -> None:
        from tradebridge.venues.vc.fake import bar_record

        self.fake.push_bar(symbol, bar_record(when, **{k.lower(): v for k, v in bar.items()}))


def _fake_backend(args: argparse.Namespace) -> tuple[Any, FakeMarket]:
    """The fake Visual Chart with two days of minute history for data0/data1, and its market thread."""
    from tradebridge.venues.vc.fake import FakeSymbol, FakeVC, bar_record
    from tradebridge.venues.vc.marketdata import data_spec

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, second=0, microsecond=0)
    names = [n for n in (args.data0, args.data1) if n]
    symbols = [data_spec(n).symbol for n in names]
    if args.tradename:
        symbols.append(data_spec(args.tradename).tradename)

    def history(symbol: str) -> list[dict[str, Any]]:  # the last hour, in the symbol's market clock
        return [bar_record(_market_time(symbol, now - dt.timedelta(minutes=60 - i)), 3000.0 + i % 7,
                           3004.0 + i % 7, 2997.0 + i % 7, 3001.0 + i % 7, volume=100.0) for i in range(60)]
    fake = FakeVC({s: FakeSymbol.future(s, history(s)) for s in symbols},
                  accounts={args.account or "DEMO": 100_000.0})
    start = now - dt.timedelta(minutes=1)  # the last history bar's: the market goes on from there
    return fake, FakeMarket(fake, symbols, args.fake_speed, start, 3001.0 + 59 % 7)


def _datas(args: argparse.Namespace, cerebro: Any, store: Any) -> None:
    """Add data0 (and data1), resampled or replayed as asked."""
    tf = bt.TimeFrame.TFrame(args.timeframe)
    shaping = args.resample or args.replay
    datakw: dict[str, Any] = dict(
        timeframe=bt.TimeFrame.Ticks if shaping else tf, compression=1 if shaping else args.compression,
        historical=args.historical, qcheck=args.qcheck, backfill_start=not args.no_backfill_start,
        latethrough=args.latethrough, tz=args.timezone, tradename=args.tradename)
    for key in ("fromdate", "todate"):
        if getattr(args, key):
            datakw[key] = dt.datetime.fromisoformat(getattr(args, key))
    factory = (lambda **kw: bt.feeds.VCData(store=store, **kw)) if args.nostore else store.getdata
    for name in filter(None, (args.data0, args.data1)):
        add_shaped(cerebro, factory(dataname=name, **datakw), args, name=name)


def run(args: argparse.Namespace) -> int:
    """Build and run the cerebro; returns the exit code."""
    market = None
    storekw: dict[str, Any] = {"record": args.record}
    if args.fake or sys.platform != "win32":
        if not args.fake:
            print(f"Visual Chart needs Windows with Visual Chart 6 installed (this is {sys.platform}): "
                  "running against the fake Visual Chart instead")
        args.data0 = args.data0 or "015ES"
        storekw["backend"], market = _fake_backend(args)
    if not args.data0:
        print("--data0 is required (e.g. 015ES)", file=sys.stderr)
        return 2
    store = bt.stores.VCStore(**storekw)
    cerebro = bt.Cerebro()
    _datas(args, cerebro, store)
    if args.broker:
        brokerkw = dict(account=args.account, journal=args.journal)
        broker = bt.brokers.VCBroker(store=store, **brokerkw) if args.nostore else store.getbroker(**brokerkw)
        cerebro.setbroker(broker)
    cerebro.addstrategy(VCTest, smaperiod=args.smaperiod, trade=args.trade, stake=args.stake,
                        exectype=args.exectype, stopafter=args.stopafter, valid=args.valid,
                        cancel=args.cancel, donotsell=args.donotsell, price=args.price,
                        pstoplimit=args.pstoplimit)
    if market is not None:
        market.store = store
        market.thread.start()
    try:
        cerebro.run(exactbars=args.exactbars)
    finally:
        if market is not None:
            market.halt.set()
    if args.plot and args.exactbars < 1:  # as backtrader's vctest: only lines kept in full can plot
        cerebro.plot()
    return 0


if __name__ == "__main__":
    sys.exit(run(parse_args()))
