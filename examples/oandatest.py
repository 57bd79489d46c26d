"""OANDA v20 live test with backtrader's ``oandatest`` command-line arguments.

Without ``--token`` it starts the v20 sandbox in this process (a 5-second bar every
``--sandbox-speed`` seconds) and trades against it, so it runs anywhere:

    python examples/oandatest.py --broker --trade --stopafter 10
    python examples/oandatest.py --data0 USD_JPY --resample --timeframe Seconds --compression 30
    python examples/oandatest.py --token $OANDA_TOKEN --account 101-... --practice --data0 EUR_USD

It prints every data, store, order and trade notification and each bar; with ``--trade`` it
buys ``--stake`` units once the data is LIVE (``--exectype``, ``--valid``), cancels an unfilled
order after ``--cancel`` bars and sells again unless ``--donotsell`` (the strategy is ibtest's).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ibtest import EXECTYPES, IBTest  # noqa: E402  (the same printing/trading strategy)

import tradebridge as bt  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """backtrader's oandatest arguments (plus --base-url, --journal and the sandbox's pace)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--exactbars", type=int, default=0, help="exactbars for cerebro.run")
    p.add_argument("--plot", action="store_true", help="plot at the end")
    p.add_argument("--stopafter", type=int, default=0, help="stop after this many live bars (0: never)")
    p.add_argument("--usestore", action="store_true", help="make datas and broker through an OandaStore")
    p.add_argument("--debug", action="store_true", help="log the client's requests")
    p.add_argument("--token", default=None, help="access token (default: OANDA_TOKEN; none: the sandbox)")
    p.add_argument("--account", default=None, help="account id (default: the token's only account)")
    p.add_argument("--practice", action="store_true", help="use the fxTrade Practice hosts")
    p.add_argument("--base-url", default=None, help="REST and stream base URL (a sandbox elsewhere)")
    p.add_argument("--qcheck", type=float, default=0.5, help="kept for compatibility")
    p.add_argument("--data0", default="EUR_USD", help="instrument")
    p.add_argument("--data1", default=None, help="a second instrument")
    p.add_argument("--timezone", default=None, help="time zone to show times in")
    p.add_argument("--no-backfill_start", action="store_true", help="no history at the start")
    p.add_argument("--latethrough", action="store_true", help="let late ticks through a resampler")
    p.add_argument("--no-backfill", action="store_true", help="no gap backfill after a reconnect")
    p.add_argument("--no-bidask", action="store_true", help="mid prices instead of bid/ask")
    p.add_argument("--useask", action="store_true", help="ask prices instead of bid")
    p.add_argument("--no-includeFirst", action="store_true", help="drop the candle at fromdate")
    p.add_argument("--historical", action="store_true", help="only download history")
    p.add_argument("--fromdate", default=None, help="history start, YYYY-MM-DD[THH:MM:SS]")
    p.add_argument("--smaperiod", type=int, default=5, help="SMA period")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--replay", action="store_true", help="replay to --timeframe/--compression")
    group.add_argument("--resample", action="store_true", help="resample to --timeframe/--compression")
    p.add_argument("--timeframe", default="Seconds", choices=bt.TimeFrame.Names, help="timeframe")
    p.add_argument("--compression", type=int, default=5, help="compression")
    p.add_argument("--no-takelate", action="store_true", help="resampler: do not take late samples")
    p.add_argument("--no-bar2edge", action="store_true", help="resampler: no bar2edge")
    p.add_argument("--no-adjbartime", action="store_true", help="resampler: no adjbartime")
    p.add_argument("--no-rightedge", action="store_true", help="resampler: no rightedge")
    p.add_argument("--broker", action="store_true", help="trade through OandaBroker (else paper BackBroker)")
    p.add_argument("--trade", action="store_true", help="buy once live, sell later")
    p.add_argument("--donotsell", action="store_true", help="never sell")
    p.add_argument("--exectype", default="Market", choices=EXECTYPES, help="order type")
    p.add_argument("--stake", type=int, default=1000, help="order size in units")
    p.add_argument("--valid", type=float, default=None, help="seconds an order is valid (0: DAY)")
    p.add_argument("--cancel", type=int, default=0, help="cancel an unfilled order after N bars")
    p.add_argument("--sandbox-speed", type=float, default=0.2, help="sandbox: wall seconds per 5 s bar")
    p.add_argument("--journal", default=None, help="journal file (default: under the user data dir)")
    return p.parse_args(argv)


def _datas(args: argparse.Namespace, cerebro: Any, storekw: dict[str, Any]) -> None:
    """Add data0 (and data1), resampled or replayed as asked (the feed then delivers S5 candles + ticks)."""
    tf = bt.TimeFrame.TFrame(args.timeframe)
    shaping = args.resample or args.replay
    datakw: dict[str, Any] = dict(
        timeframe=bt.TimeFrame.Seconds if shaping else tf, compression=5 if shaping else args.compression,
        historical=args.historical, qcheck=args.qcheck, backfill_start=not args.no_backfill_start,
        backfill=not args.no_backfill, bidask=not args.no_bidask, useask=args.useask,
        includeFirst=not args.no_includeFirst, latethrough=args.latethrough, tz=args.timezone)
    if args.fromdate:
        datakw["fromdate"] = dt.datetime.fromisoformat(args.fromdate)
    store = bt.stores.OandaStore(**storekw)
    factory: Any = store.getdata if args.usestore else (lambda **kw: bt.feeds.OandaData(**storekw, **kw))
    for name in filter(None, (args.data0, args.data1)):
        data = factory(dataname=name, **datakw)
        shape = dict(timeframe=tf, compression=args.compression, bar2edge=not args.no_bar2edge,
                     adjbartime=not args.no_adjbartime, rightedge=not args.no_rightedge,
                     takelate=not args.no_takelate)
        if args.replay:
            cerebro.replaydata(data, name=name, **shape)
        elif args.resample:
            cerebro.resampledata(data, name=name, **shape)
        else:
            cerebro.adddata(data, name=name)


def _start_sandbox(speed: float) -> tuple[Any, threading.Event]:
    """The v20 sandbox on a loopback port, replaying a bar every ``speed`` seconds."""
    from tradebridge.venues.oanda.sandbox import ThreadedOandaSandbox

    sandbox = ThreadedOandaSandbox(heartbeat=1.0).start()
    halt = threading.Event()

    def pace() -> None:
        while not halt.wait(speed):
            sandbox.step()

    threading.Thread(target=pace, name="sandbox-pace", daemon=True).start()
    return sandbox, halt


def run(args: argparse.Namespace) -> int:
    """Build and run the cerebro; returns the exit code."""
    if args.debug:
        import logging

        logging.basicConfig(level=logging.DEBUG)
    sandbox = halt = None
    token = args.token or os.environ.get("OANDA_TOKEN")
    if not token and not args.base_url:
        sandbox, halt = _start_sandbox(args.sandbox_speed)
        token, args.base_url, args.account = "sandbox", sandbox.url, args.account or sandbox.account_id
        print(f"OANDA v20 sandbox at {sandbox.url} (a 5 s bar every {args.sandbox_speed} s)")
    storekw = dict(token=token or "", account=args.account or "", practice=args.practice,
                   base_url=args.base_url, journal=args.journal)
    cerebro = bt.Cerebro()
    try:
        _datas(args, cerebro, storekw)
        if args.broker:
            cerebro.setbroker(bt.brokers.OandaBroker(**storekw))
        cerebro.addstrategy(IBTest, smaperiod=args.smaperiod, trade=args.trade, stake=args.stake,
                            exectype=args.exectype, stopafter=args.stopafter, valid=args.valid,
                            cancel=args.cancel, donotsell=args.donotsell)
        cerebro.run(exactbars=args.exactbars)
    finally:
        if halt is not None:
            halt.set()
        if sandbox is not None:
            sandbox.stop()
    if args.plot:
        cerebro.plot()
    return 0


if __name__ == "__main__":
    sys.exit(run(parse_args()))
