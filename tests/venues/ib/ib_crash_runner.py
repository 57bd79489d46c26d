"""A strategy process for the crash test: trades AAPL on IBStore/IBData/IBBroker against a running IB
sandbox with a journal; the test SIGKILLs it and starts it again on the same journal.

Every live bar it may place an order (big market orders that fill in parts over many bars, resting
limits, stops) and prints one JSON line per event to stdout (flushed), so the test can see where
it is. After ``--bars`` live bars it cancels its orders, stops once none it knows of (this run's or
the killed run's) can still fill, and prints a ``done`` line with its broker's position,
cash and the client ids it placed. Usage: ``python ib_crash_runner.py --port P --journal J``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import tradebridge as bt


def emit(kind: str, **values: Any) -> None:
    """One flushed JSON line for the test."""
    print(json.dumps({"kind": kind, **values}), flush=True)


class Trader(bt.Strategy):
    """Places a market order (above the venue's liquidity cap), a resting limit and a stop in turn."""

    params = (("bars", 30),)

    def __init__(self) -> None:
        self.live = 0
        self.status = ""
        self.placed: list[Any] = []

    def notify_data(self, data: Any, status: int, *args: Any, **kwargs: Any) -> None:
        self.status = data._getstatusname(status)
        emit("data", status=data._getstatusname(status))

    def notify_store(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        emit("store", text=str(msg))

    def notify_order(self, order: Any) -> None:
        emit("order", ref=order.info.get("client_id"), status=order.getstatusname(),
             executed=order.executed.size)

    def next(self) -> None:
        if self.status != "LIVE" and not self.live:
            return
        self.live += 1
        close = self.data.close[0]
        step = self.live % 4 if self.live <= self.p.bars else 0  # past --bars: no new orders
        if step == 1:
            order = self.buy(size=60)  # fills in parts over several bars
        elif step == 2:
            order = self.sell(size=25, exectype=bt.Order.Limit, price=round(close * 1.0005, 2))
        elif step == 3:
            order = self.sell(size=20, exectype=bt.Order.Stop, price=round(close * 0.9995, 2))
        else:
            order = None
        if order is not None:
            self.placed.append(order)
            emit("placed", ref=order.info.get("client_id"), bar=self.live)
        if self.live >= self.p.bars:
            for alive in [o for o in self.placed if o.alive()]:
                self.cancel(alive)
            # ends once no order of this run or of the killed one can fill any more (it cannot
            # cancel the killed run's), so no execution comes after it; on a loaded machine the
            # bars queue up faster than they are handled, hence the wide safety cap
            journal = self.broker.journal
            if not journal.registry.alive() or self.live >= self.p.bars + 400:
                self.env.runstop()


def main(argv: list[str] | None = None) -> int:
    """Run the Trader until it has seen ``--bars`` live bars (and its orders are done)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--client-id", type=int, default=77)
    ap.add_argument("--journal", required=True)
    ap.add_argument("--bars", type=int, default=30)
    args = ap.parse_args(argv)
    cerebro = bt.Cerebro()
    store = bt.stores.IBStore(port=args.port, clientId=args.client_id, journal=args.journal,
                              backoff_initial=0.01, backoff_max=0.05)
    cerebro.adddata(store.getdata(dataname="AAPL-STK-SMART-USD", rtbar=True, timeframe=bt.TimeFrame.Seconds,
                                  compression=5, backfill_start=False))
    cerebro.setbroker(store.getbroker())
    cerebro.addstrategy(Trader, bars=args.bars)
    (strat,) = cerebro.run()
    broker = cerebro.broker
    emit("done", position=broker.getposition(strat.data).size, cash=broker.getcash(),
         placed=[o.info.get("client_id") for o in strat.placed])
    return 0


if __name__ == "__main__":
    sys.exit(main())
