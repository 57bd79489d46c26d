"""A scripted strategy on IBStore + IBBroker against the sandbox, and the sandbox's truth to compare."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ib_live_kit import Stepper

import tradebridge as bt
from live._scripted import ScriptedStrategy as Script


def run_script(sb, client_id: int, tmp_path, steps: dict[int, Callable[[Script], Any]], stop_at: int,
               bars: int | None = None, dataname: str = "AAPL-STK-SMART-USD", journal=None,
               stop_on: str | None = None, **store_kwargs: Any) -> tuple[Script, Any]:
    """Run a Script through Cerebro with IBBroker on the sandbox; returns (strategy, broker)."""
    cerebro = bt.Cerebro()
    store_kwargs = {"backoff_initial": 0.01, "backoff_max": 0.05, **store_kwargs}
    store = bt.stores.IBStore(port=sb.port, clientId=client_id, histcache=tmp_path / "cache",
                              journal=journal or tmp_path / f"journal-{client_id}.sqlite", **store_kwargs)
    cerebro.adddata(store.getdata(dataname=dataname, rtbar=True, timeframe=bt.TimeFrame.Seconds,
                                  compression=5, backfill_start=False))
    cerebro.setbroker(store.getbroker())
    cerebro.addstrategy(Script, steps=steps, stop_at=stop_at, stop_on=stop_on)
    stepper = Stepper(sb, client_id, bars or stop_at + 5)
    cerebro.stepper = stepper  # steps may hold the market still
    try:
        (strat,) = cerebro.run()
    finally:
        stepper.stop()
    return strat, cerebro.broker


def venue_orders(sb, client_id: int) -> dict[str, Any]:
    """The sandbox's orders of a client by orderRef (our client ids)."""
    return {w.req.order_ref: w for (cid, _), w in sb.server.exchange.orders.items() if cid == client_id}


def venue_position(sb, con_id: int = 265598) -> float:
    """The sandbox account's position in a contract."""
    return sb.server.exchange.account.position(con_id).size


def venue_cash(sb) -> float:
    """The sandbox account's USD cash."""
    return sb.server.exchange.account.cash["USD"]
