"""Test OANDA v20 integration: backtrader's ``oandatest`` sample's arguments on tradebridge.

Without a token (``--token`` or ``OANDA_TOKEN``) and without ``--base-url`` it starts the v20
sandbox in this process (a 5-second bar of prices every ``--sandbox-speed`` seconds) and runs
against it, so it runs anywhere:

    python examples/oandatest.py --broker --trade --stopafter 10
    python examples/oandatest.py --resample --timeframe Seconds --compression 30 --data1 USD_JPY
    python examples/oandatest.py --token $OANDA_TOKEN --account 101-... --data0 EUR_USD   # practice
    python examples/oandatest.py --token $OANDA_TOKEN --account 001-... --live yes ...   # real money

It prints every data, store, order and trade notification and each bar (data0, and data1 when
given). With ``--trade`` it enters once the data is LIVE: a buy (``--sell``: a sell) of
``--stake`` units as ``--exectype`` near the close, or with ``--usebracket`` a market buy
bracket with a stop-loss below and a take-profit above; then, unless ``--donotcounter``, it
counters the position half a stake at a time with market orders; ``--cancel N`` cancels an
order still open N live bars after the data went LIVE.

Where v20 differs from backtrader's sample (v1): ``--token``, ``--account`` and ``--data0`` are
not required (the sandbox, the token's only account, ``EUR_USD``); prices offsets are relative
to the close (``0.05`` is 5 pips on EUR_USD but nothing on USD_JPY); a stand-alone ``StopTrail``
is refused by v20 (it trails trades only: use ``--usebracket``). Added: ``--base-url`` (a v20
server elsewhere), ``--journal`` and ``--sandbox-speed``.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import os
import sys
import threading
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ibtest import IBTest, add_shaped  # noqa: E402  (the same printing of bars and notifications)

import tradebridge as bt  # noqa: E402

ENTRY_OFFSET = 0.0005  # a priced entry this fraction away from the close (below for a buy)
BRACKET_OFFSET = 0.001  # the bracket's stop-loss and take-profit this fraction away from the close


class OandaTest(IBTest):
    """Prints what happens; with ``trade`` enters once LIVE and counters half a stake at a time."""

    params: Any = (("sell", False), ("usebracket", False), ("donotcounter", False))

    def __init__(self) -> None:
        super().__init__()
        self.entered = False

    def next(self) -> None:
        super().next()
        if len(self.datas) > 1 and len(self.data1):
            d = self.data1
            print(f"{len(d):5d} {d._name or d.p.dataname} {d.datetime.datetime(0):%Y-%m-%d %H:%M:%S} "
                  f"O {d.open[0]:.5f} H {d.high[0]:.5f} L {d.low[0]:.5f} C {d.close[0]:.5f}")

    def _trade(self) -> None:
        if self.order is not None:
            if self.p.cancel and self.live_bars > self.p.cancel:  # n bars after the data went LIVE
                self.cancel(self.order)
            return
        if not self.entered and not self.position:
            self.entered = True
            self.order = self._enter()
        elif self.position and not self.p.donotcounter:
            half = max(1, self.p.stake // 2)
            units = min(half, abs(self.position.size))
            self.order = self.buy(size=units) if self.position.size < 0 else self.sell(size=units)

    def _enter(self) -> Any:
        close = self.data0.close[0]
        if self.p.usebracket:
            print("USING BRACKET")
            parent, _, _ = self.buy_bracket(size=self.p.stake, exectype=bt.Order.Market,
                                            stopprice=close * (1 - BRACKET_OFFSET),
                                            limitprice=close * (1 + BRACKET_OFFSET), valid=self._valid())
            return parent
        side = self.sell if self.p.sell else self.buy
        price = close * (1 + ENTRY_OFFSET) if self.p.sell else close * (1 - ENTRY_OFFSET)
        return side(size=self.p.stake, exectype=getattr(bt.Order, self.p.exectype), price=price,
                    valid=self._valid())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """backtrader's oandatest arguments (names, defaults, meanings), plus the v20 extras."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--exactbars", default=1, type=int, help="exactbars level, use 0/-1/-2 to enable plotting")
    p.add_argument("--stopafter", default=0, type=int, help="Stop after x lines of LIVE data")
    p.add_argument("--no-store", action="store_true", help="Do not use the store pattern")
    p.add_argument("--debug", action="store_true", help="Display all info received from source (log it)")
    p.add_argument("--token", default=None,
                   help="Access token to use (v20: default OANDA_TOKEN; none at all: the sandbox)")
    p.add_argument("--account", default=None,
                   help="Account identifier to use (v20: default the token's only one)")
    p.add_argument("--live", default=None, nargs="?", const="yes",
                   help="Go to live server rather than practice (any value; v20: the value may be left out)")
    p.add_argument("--qcheck", default=0.5, type=float,
                   help="Timeout for periodic notification/resampling/replaying check")
    p.add_argument("--data0", default="EUR_USD", help="data 0 into the system (v20: not required)")
    p.add_argument("--data1", default=None, help="data 1 into the system")
    p.add_argument("--timezone", default=None, help="timezone to get time output into (pytz names)")
    p.add_argument("--bidask", default=None, action="store_true", help="Use bidask ... if False use midpoint")
    p.add_argument("--useask", default=None, action="store_true",
                   help='Use the "ask" of bidask prices/streaming')
    p.add_argument("--no-backfill_start", action="store_true", help="Disable backfilling at the start")
    p.add_argument("--no-backfill", action="store_true", help="Disable backfilling after a disconnection")
    p.add_argument("--historical", action="store_true", help="do only historical download")
    p.add_argument("--fromdate", default=None,
                   help="Starting date for historical download with format: YYYY-MM-DD[THH:MM:SS]")
    p.add_argument("--smaperiod", default=5, type=int, help="Period to apply to the Simple Moving Average")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--replay", action="store_true", help="replay to chosen timeframe")
    group.add_argument("--resample", action="store_true", help="resample to chosen timeframe")
    p.add_argument("--timeframe", default=bt.TimeFrame.Names[1], choices=bt.TimeFrame.Names,
                   help="TimeFrame for Resample/Replay")
    p.add_argument("--compression", default=1, type=int, help="Compression for Resample/Replay")
    p.add_argument("--timeframe1", default=None, choices=bt.TimeFrame.Names,
                   help="TimeFrame for Resample/Replay - Data1")
    p.add_argument("--compression1", default=None, type=int, help="Compression for Resample/Replay - Data1")
    p.add_argument("--no-takelate", action="store_true", help="resample/replay, do not accept late samples")
    p.add_argument("--no-bar2edge", action="store_true", help="no bar2edge for resample/replay")
    p.add_argument("--no-adjbartime", action="store_true", help="no adjbartime for resample/replay")
    p.add_argument("--no-rightedge", action="store_true", help="no rightedge for resample/replay")
    p.add_argument("--broker", action="store_true", help="Use Oanda as broker")
    p.add_argument("--trade", action="store_true", help="Do Sample Buy/Sell operations")
    p.add_argument("--sell", action="store_true", help="Start by selling")
    p.add_argument("--usebracket", action="store_true", help="Test buy_bracket")
    p.add_argument("--donotcounter", action="store_true", help="Do not counter the 1st operation")
    p.add_argument("--exectype", default=bt.Order.ExecTypes[0], choices=bt.Order.ExecTypes,
                   help="Execution to Use when opening position (v20 refuses a stand-alone StopTrail)")
    p.add_argument("--stake", default=10, type=int, help="Stake to use in buy operations (units)")
    p.add_argument("--valid", default=None, type=float, help="Seconds to keep the order alive (0 means DAY)")
    p.add_argument("--cancel", default=0, type=int,
                   help="Cancel a buy order after n bars in operation, to be combined with orders like Limit")
    p.add_argument("--plot", "-p", nargs="?", metavar="kwargs", const=True,
                   help='Plot the read data applying any kwargs passed, e.g. --plot style="candle" '
                        "(needs --exactbars < 1)")
    p.add_argument("--base-url", default=None, help="v20 extra: REST and stream base URL of a v20 server")
    p.add_argument("--journal", default=None,
                   help="v20 extra: journal file (default: under the user data dir)")
    p.add_argument("--sandbox-speed", default=0.2, type=float,
                   help="v20 extra: in-process sandbox, wall seconds per 5-second bar")
    args = p.parse_args(argv)
    if args.live is not None and not (args.token or os.environ.get("OANDA_TOKEN")):
        p.error("--live needs a token (--token or OANDA_TOKEN): the in-process sandbox is not a live server")
    return args


def plot_kwargs(text: Any) -> dict[str, Any]:
    """``--plot``'s kwargs (``style="candle",volume=False``) as a dict, on top of style='line'."""
    kwargs: dict[str, Any] = {"style": "line"}
    if text is True or not text:
        return kwargs
    call = ast.parse(f"f({text})", mode="eval").body
    if not isinstance(call, ast.Call) or call.args:
        raise ValueError(f"--plot takes name=value pairs, got {text!r}")
    kwargs.update({kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg})
    return kwargs


def _fromdate(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.strptime(text, "%Y-%m-%d" + ("T%H:%M:%S" if "T" in text else ""))


def _datas(args: argparse.Namespace, cerebro: Any, storekw: dict[str, Any]) -> None:
    """data0 (and data1) as backtrader's sample makes them: ticks when resampling/replaying."""
    tf = bt.TimeFrame.TFrame(args.timeframe)
    tf1 = bt.TimeFrame.TFrame(args.timeframe1) if args.timeframe1 is not None else tf
    cp1 = args.compression1 if args.compression1 is not None else args.compression
    shaping = args.resample or args.replay
    datakw: dict[str, Any] = dict(
        timeframe=bt.TimeFrame.Ticks if shaping else tf, compression=1 if shaping else args.compression,
        qcheck=args.qcheck, historical=args.historical, fromdate=_fromdate(args.fromdate),
        bidask=bool(args.bidask), useask=bool(args.useask), backfill_start=not args.no_backfill_start,
        backfill=not args.no_backfill, tz=args.timezone)
    if args.no_store:
        make: Any = lambda **kw: bt.feeds.OandaData(**storekw, **kw)  # noqa: E731
    else:
        make = bt.stores.OandaStore(**storekw).getdata
    data0 = make(dataname=args.data0, **datakw)
    data1 = None
    if args.data1 is not None:
        if not shaping:
            datakw.update(timeframe=tf1, compression=cp1)
        data1 = data0 if args.data1 == args.data0 else make(dataname=args.data1, **datakw)
    add_shaped(cerebro, data0, args)
    if data1 is not None:
        add_shaped(cerebro, data1, args, timeframe=tf1, compression=cp1)


def _start_sandbox(speed: float) -> tuple[Any, threading.Event]:
    """The v20 sandbox on a loopback port, replaying a 5-second bar every ``speed`` seconds."""
    from tradebridge.venues.oanda.sandbox import ThreadedOandaSandbox

    sandbox = ThreadedOandaSandbox(heartbeat=1.0).start()
    halt = threading.Event()

    def pace() -> None:
        while not halt.wait(speed):
            sandbox.step()

    threading.Thread(target=pace, name="sandbox-pace", daemon=True).start()
    return sandbox, halt


def run(args: argparse.Namespace) -> int:
    """Build and run the cerebro as the sample does; returns the exit code."""
    if args.debug:
        import logging

        logging.basicConfig(level=logging.DEBUG)
    sandbox = halt = None
    token = args.token or os.environ.get("OANDA_TOKEN")
    if not token and not args.base_url:
        sandbox, halt = _start_sandbox(args.sandbox_speed)
        token, args.base_url, args.account = "sandbox", sandbox.url, args.account or sandbox.account_id
        print(f"OANDA v20 sandbox at {sandbox.url} (a 5 s bar every {args.sandbox_speed} s)")
    storekw = dict(token=token or "", account=args.account or "", practice=args.live is None,
                   base_url=args.base_url, journal=args.journal)
    cerebro = bt.Cerebro()
    try:
        _datas(args, cerebro, storekw)
        if args.broker:
            broker = (bt.brokers.OandaBroker(**storekw) if args.no_store
                      else bt.stores.OandaStore(**storekw).getbroker())
            cerebro.setbroker(broker)
        cerebro.addstrategy(OandaTest, smaperiod=args.smaperiod, trade=args.trade, stake=args.stake,
                            exectype=args.exectype, stopafter=args.stopafter, valid=args.valid,
                            cancel=args.cancel, donotcounter=args.donotcounter, sell=args.sell,
                            usebracket=args.usebracket)
        cerebro.run(exactbars=args.exactbars)
    finally:
        if halt is not None:
            halt.set()
        if sandbox is not None:
            sandbox.stop()
    if args.exactbars < 1 and args.plot:
        cerebro.plot(**plot_kwargs(args.plot))
    return 0


if __name__ == "__main__":
    sys.exit(run(parse_args()))
