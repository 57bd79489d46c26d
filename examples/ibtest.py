"""Interactive Brokers live test with backtrader's ``ibtest`` command-line arguments.

Without ``--port`` it starts the IB sandbox in this process (bars every ``--sandbox-speed``
seconds) and trades against it, so it runs anywhere:

    python examples/ibtest.py --broker --trade --stopafter 10
    python examples/ibtest.py --data0 EUR.USD-CASH-IDEALPRO --resample --timeframe Seconds --compression 15
    python examples/ibtest.py --port 7497 --data0 AAPL-STK-SMART-USD --rtbar   # a real TWS (paper)

It prints every data, store, order and trade notification and each bar; with ``--trade`` it
buys ``--stake`` when the data is LIVE (order type ``--exectype``, validity ``--valid``),
cancels an unfilled order after ``--cancel`` bars and sells again unless ``--donotsell``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

import tradebridge as bt

EXECTYPES = ("Market", "Close", "Limit", "Stop", "StopLimit", "StopTrail", "StopTrailLimit")


class IBTest(bt.Strategy):
    """Prints what happens; optionally buys once the data is live and sells later."""

    params = (("smaperiod", 5), ("trade", False), ("stake", 10), ("exectype", "Market"),
              ("stopafter", 0), ("valid", None), ("cancel", 0), ("donotsell", False))

    def __init__(self) -> None:
        self.sma = bt.indicators.SMA(self.data, period=self.p.smaperiod)
        self.live = False
        self.live_bars = 0
        self.order: Any = None
        self.order_bar = 0
        self.sold = False

    def notify_data(self, data: Any, status: int, *args: Any, **kwargs: Any) -> None:
        print(f"***** DATA NOTIF: {data._name or data.p.dataname}: {data._getstatusname(status)}", *args)
        self.live = status == data.LIVE

    def notify_store(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        print("***** STORE NOTIF:", msg)

    def notify_order(self, order: Any) -> None:
        info = order.info
        extra = f" {info['venue_code']}: {info['venue_text']}" if "venue_code" in info else ""
        print(f"----- ORDER {order.ref} {order.ordtypename()} {order.getstatusname()} size {order.size} "
              f"executed {order.executed.size} @ {order.executed.price}{extra}")
        if not order.alive():
            self.order = None

    def notify_trade(self, trade: Any) -> None:
        print(f"----- TRADE {trade.ref} {'closed' if trade.isclosed else 'open'} size {trade.size} "
              f"price {trade.price:.5f} pnl {trade.pnl:.2f} pnlcomm {trade.pnlcomm:.2f}")

    def next(self) -> None:
        d = self.data
        when = d.datetime.datetime(0)
        print(f"{len(self):5d} {d._name or d.p.dataname} {when:%Y-%m-%d %H:%M:%S} O {d.open[0]:.5f} "
              f"H {d.high[0]:.5f} L {d.low[0]:.5f} C {d.close[0]:.5f} V {d.volume[0]:.0f} "
              f"SMA {self.sma[0]:.5f}")
        if not self.live:
            return
        self.live_bars += 1
        if self.p.trade:
            self._trade()
        if self.p.stopafter and self.live_bars >= self.p.stopafter:
            print(f"stopping after {self.live_bars} live bars")
            self.env.runstop()

    def _trade(self) -> None:
        if self.order is not None:
            if self.p.cancel and self.live_bars - self.order_bar >= self.p.cancel:
                self.cancel(self.order)
            return
        if not self.position and not self.sold:
            self.order = self.buy(size=self.p.stake, exectype=getattr(bt.Order, self.p.exectype),
                                  price=self._price(), valid=self._valid(), trailpercent=self._trail())
            self.order_bar = self.live_bars
        elif self.position and not self.p.donotsell:
            self.order = self.sell(size=self.position.size)
            self.sold = True

    def _price(self) -> float | None:
        """A price for priced order types: the close, a little below it for limits."""
        if self.p.exectype in ("Market", "Close", "StopTrail"):
            return None
        close = self.data.close[0]
        return round(close * (0.999 if "Limit" == self.p.exectype else 1.001), 2)

    def _trail(self) -> float | None:
        return 0.002 if self.p.exectype.startswith("StopTrail") else None

    def _valid(self) -> Any:
        if self.p.valid is None:
            return None
        return dt.timedelta(seconds=self.p.valid) if self.p.valid else bt.Order.DAY


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """backtrader's ibtest arguments, plus --sandbox-speed/--journal."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--exactbars", type=int, default=0, help="exactbars for cerebro.run")
    p.add_argument("--plot", action="store_true", help="plot at the end")
    p.add_argument("--stopafter", type=int, default=0, help="stop after this many live bars (0: never)")
    p.add_argument("--usestore", action="store_true", help="make datas and broker through an IBStore")
    p.add_argument("--notifyall", action="store_true", help="every TWS message to notify_store")
    p.add_argument("--debug", action="store_true", help="log ib_async's traffic")
    p.add_argument("--host", default="127.0.0.1", help="TWS / IB Gateway host")
    p.add_argument("--qcheck", type=float, default=0.5, help="kept for compatibility")
    p.add_argument("--port", type=int, default=None,
                   help="TWS/Gateway port (7496/7497/4001/4002); none: an in-process sandbox")
    p.add_argument("--clientId", type=int, default=None, help="API client id (none: random)")
    p.add_argument("--no-timeoffset", action="store_true", help="do not measure TWS's clock")
    p.add_argument("--reconnect", type=int, default=3, help="reconnect attempts (-1: forever)")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds per connection attempt")
    p.add_argument("--data0", default=None, help="dataname (default with the sandbox: AAPL-STK-SMART-USD)")
    p.add_argument("--data1", default=None, help="a second dataname")
    p.add_argument("--timezone", default=None, help="time zone to show times in")
    p.add_argument("--what", default=None, help="whatToShow for historical requests")
    p.add_argument("--no-backfill_start", action="store_true", help="no history at the start")
    p.add_argument("--latethrough", action="store_true", help="let late ticks through a resampler")
    p.add_argument("--no-backfill", action="store_true", help="no gap backfill after a reconnect")
    p.add_argument("--rtbar", action="store_true", help="live 5-second bars instead of ticks")
    p.add_argument("--historical", action="store_true", help="only download history")
    p.add_argument("--fromdate", default=None, help="history start, YYYY-MM-DD[THH:MM:SS]")
    p.add_argument("--smaperiod", type=int, default=5, help="SMA period")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--replay", action="store_true", help="replay to --timeframe/--compression")
    group.add_argument("--resample", action="store_true", help="resample to --timeframe/--compression")
    p.add_argument("--timeframe", default="Ticks", choices=bt.TimeFrame.Names, help="timeframe")
    p.add_argument("--compression", type=int, default=1, help="compression")
    p.add_argument("--no-takelate", action="store_true", help="resampler: do not take late samples")
    p.add_argument("--no-bar2edge", action="store_true", help="resampler: no bar2edge")
    p.add_argument("--no-adjbartime", action="store_true", help="resampler: no adjbartime")
    p.add_argument("--no-rightedge", action="store_true", help="resampler: no rightedge")
    p.add_argument("--broker", action="store_true", help="trade through IBBroker (else the paper BackBroker)")
    p.add_argument("--trade", action="store_true", help="buy once live, sell later")
    p.add_argument("--donotsell", action="store_true", help="never sell")
    p.add_argument("--exectype", default="Market", choices=EXECTYPES, help="order type")
    p.add_argument("--stake", type=int, default=10, help="order size")
    p.add_argument("--valid", type=float, default=None, help="seconds an order is valid (0: DAY)")
    p.add_argument("--cancel", type=int, default=0, help="cancel an unfilled order after N bars")
    p.add_argument("--sandbox-speed", type=float, default=0.2, help="sandbox: wall seconds per 5 s bar")
    p.add_argument("--journal", default=None, help="journal file (default: under the user data dir)")
    return p.parse_args(argv)


def _datas(args: argparse.Namespace, cerebro: Any, storekw: dict[str, Any]) -> None:
    """Add data0 (and data1), resampled or replayed as asked."""
    tf = bt.TimeFrame.TFrame(args.timeframe)
    shaping = args.resample or args.replay
    datakw: dict[str, Any] = dict(
        timeframe=bt.TimeFrame.Ticks if shaping else tf, compression=1 if shaping else args.compression,
        historical=args.historical, rtbar=args.rtbar, qcheck=args.qcheck, what=args.what,
        backfill_start=not args.no_backfill_start, backfill=not args.no_backfill,
        latethrough=args.latethrough, tz=args.timezone)
    if args.rtbar and shaping:
        datakw.update(timeframe=bt.TimeFrame.Seconds, compression=5)
    if args.fromdate:
        datakw["fromdate"] = dt.datetime.fromisoformat(args.fromdate)
    if args.usestore:
        store = bt.stores.IBStore(**storekw)
        factory: Any = store.getdata
    else:
        def factory(**kw: Any) -> Any:
            return bt.feeds.IBData(**storekw, **kw)
    for name in filter(None, (args.data0, args.data1)):
        add_shaped(cerebro, factory(dataname=name, **datakw), args, name=name)


def add_shaped(cerebro: Any, data: Any, args: argparse.Namespace, name: str | None = None,
               **shape: Any) -> None:
    """Add ``data`` as it is, replayed (``--replay``) or resampled (``--resample``) to
    ``--timeframe``/``--compression`` with the resampler flags given; ``shape`` overrides them."""
    opts = dict(timeframe=bt.TimeFrame.TFrame(args.timeframe), compression=args.compression,
                bar2edge=not args.no_bar2edge, adjbartime=not args.no_adjbartime,
                rightedge=not args.no_rightedge, takelate=not getattr(args, "no_takelate", False))
    opts.update(shape)
    if args.replay:
        cerebro.replaydata(data, name=name, **opts)
    elif args.resample:
        cerebro.resampledata(data, name=name, **opts)
    else:
        cerebro.adddata(data, name=name)


def run(args: argparse.Namespace) -> int:
    """Build and run the cerebro; returns the exit code."""
    sandbox = None
    if args.port is None:
        from tradebridge.venues.ib.sandbox.server import start_in_thread

        sandbox = start_in_thread(port=0, bar_interval=args.sandbox_speed)
        args.port = sandbox.port
        args.data0 = args.data0 or "AAPL-STK-SMART-USD"
        print(f"IB sandbox on 127.0.0.1:{sandbox.port} (a bar every {args.sandbox_speed} s)")
    if not args.data0:
        print("--data0 is required with --port (e.g. AAPL-STK-SMART-USD)", file=sys.stderr)
        return 2
    storekw = dict(host=args.host, port=args.port, clientId=args.clientId, notifyall=args.notifyall,
                   _debug=args.debug, reconnect=args.reconnect, timeout=args.timeout,
                   timeoffset=not args.no_timeoffset, journal=args.journal)
    cerebro = bt.Cerebro()
    try:
        _datas(args, cerebro, storekw)
        if args.broker:
            cerebro.setbroker(bt.brokers.IBBroker(**storekw))
        cerebro.addstrategy(IBTest, smaperiod=args.smaperiod, trade=args.trade, stake=args.stake,
                            exectype=args.exectype, stopafter=args.stopafter, valid=args.valid,
                            cancel=args.cancel, donotsell=args.donotsell)
        cerebro.run(exactbars=args.exactbars)
    finally:
        if sandbox is not None:
            sandbox.stop()
    if args.plot:
        cerebro.plot()
    return 0


if __name__ == "__main__":
    sys.exit(run(parse_args()))
