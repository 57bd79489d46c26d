"""Shared pieces of the OANDA store/broker/feed tests: the real v20 sandbox on a loopback thread,
a scripted strategy run through Cerebro on OandaStore, and the sandbox's truth to compare."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import tradebridge as bt
from live._scripted import ScriptedStrategy as Script
from tradebridge.stores.base import Store
from tradebridge.venues.oanda.sandbox import ThreadedOandaSandbox

TOKEN = "tb-test-token-0123456789abcdef"  # a test asserts it never shows up anywhere


@contextmanager
def sandbox(**kwargs: Any) -> Iterator[ThreadedOandaSandbox]:
    """A v20 sandbox on an ephemeral loopback port (fast heartbeats), on its own thread."""
    kwargs.setdefault("heartbeat", 0.2)
    sb = ThreadedOandaSandbox(**kwargs).start()
    try:
        yield sb
    finally:
        sb.stop()


def store_for(sb: ThreadedOandaSandbox, journal: Any, **kwargs: Any) -> Any:
    """An OandaStore on ``sb`` with fast retries."""
    kwargs.setdefault("token", TOKEN)
    kwargs.setdefault("backoff_initial", 0.01)
    kwargs.setdefault("backoff_max", 0.05)
    kwargs.setdefault("heartbeat_timeout", 2.0)
    kwargs.setdefault("account_tmout", 0.5)
    kwargs.setdefault("restart_grace", 0.5)
    return bt.stores.OandaStore(account=sb.account_id, base_url=sb.url, journal=journal, **kwargs)


class Stepper:
    """Replays sandbox bars from a thread once a pricing stream is open (``cerebro.run`` blocks the test)."""

    def __init__(
        self,
        sb: ThreadedOandaSandbox,
        bars: int,
        pause: float = 0.01,
        on_step: Callable[[int], Any] | None = None,
        cerebro: Any = None,
        settle: float = 0.5,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        self.sb, self.bars, self.pause, self.on_step = sb, bars, pause, on_step
        self.cerebro, self.settle, self.ready = cerebro, settle, ready
        self.stepped = 0
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, name="oanda-stepper", daemon=True)
        self._thread.start()

    def streaming(self) -> bool:
        return bool(self.sb.call(lambda: len(self.sb.state._price_queues)))

    def _run(self) -> None:
        while not self._halt.is_set() and not self.streaming():
            self._halt.wait(0.005)
        while not self._halt.is_set() and self.stepped < self.bars:
            self.sb.step()
            self.stepped += 1
            if self.on_step is not None:
                self.on_step(self.stepped)
            self._halt.wait(self.pause)
        # the market stands still: let the last answers arrive (on a loaded machine a resync
        # may still be retrying: wait until the client is ready), then end the run
        if self.cerebro is None or self._halt.wait(self.settle):
            return
        deadline = time.monotonic() + 15.0
        while self.ready is not None and not self.ready() and time.monotonic() < deadline:
            if self._halt.wait(0.05):
                return
        if not self._halt.wait(0.1 if self.ready is not None else 0.0):
            self.cerebro.runstop()

    def stop(self) -> None:
        self._halt.set()
        self._thread.join(5)


def run_script(
    sb: ThreadedOandaSandbox,
    journal: Any,
    steps: dict[int, Callable[[Script], Any]],
    stop_at: int,
    bars: int | None = None,
    data_kwargs: dict[str, Any] | None = None,
    on_step: Callable[[int], Any] | None = None,
    broker_kwargs: dict[str, Any] | None = None,
    catch_up: bool = True,
    **store_kwargs: Any,
) -> tuple[Script, Any]:
    """Run a Script through Cerebro with OandaBroker on the sandbox: ``stop_at`` (or ``bars``) sandbox
    bars are replayed, then the run ends once the market stood still a moment and (``catch_up``) the
    client has every transaction and no write in flight; returns (strategy, broker)."""
    cerebro = bt.Cerebro()
    store = store_for(sb, journal, **store_kwargs)
    kwargs = {"dataname": "EUR_USD", "timeframe": bt.TimeFrame.Seconds, "compression": 5, "candles": 20}
    kwargs.update(data_kwargs or {})
    cerebro.adddata(store.getdata(**kwargs))
    cerebro.setbroker(store.getbroker(**(broker_kwargs or {})))
    cerebro.addstrategy(Script, steps=steps, stop_at=10**9)
    stepper = Stepper(sb, bars or stop_at, on_step=on_step, cerebro=cerebro,
                      ready=(lambda: caught_up(sb, store)) if catch_up else None)
    try:
        (strat,) = cerebro.run()
    finally:
        stepper.stop()
        store.stop()
    return strat, cerebro.broker


def caught_up(sb: ThreadedOandaSandbox, store: Any) -> bool:
    """The store is synced, has no order write in flight and has handed over every transaction."""
    if not store.synced or store._writes:
        return False
    return store.upto == int(sb.call(lambda: sb.state.account.last_id))


def venue_orders(sb: ThreadedOandaSandbox) -> dict[str, Any]:
    """The sandbox's orders by client id (ours travel in clientExtensions.id)."""

    def collect() -> dict[str, Any]:
        acct = sb.state.account
        return {
            o.client_id: (o.type, o.state, dict(o.fields), dict(o.result))
            for o in acct.orders.values()
            if o.client_id
        }

    return sb.call(collect)


def venue_position(sb: ThreadedOandaSandbox, name: str = "EUR_USD") -> float:
    """Net units of the sandbox account in ``name``."""
    return sb.call(lambda: sum(t.current_units for t in sb.state.account.open_trades(name)))


def venue_summary(sb: ThreadedOandaSandbox) -> dict[str, Any]:
    return sb.call(sb.state.account.summary)


def venue_fills(sb: ThreadedOandaSandbox) -> dict[str, dict[str, Any]]:
    """ORDER_FILL transactions of the sandbox by id."""
    return sb.call(lambda: {t["id"]: dict(t) for t in sb.state.account.txns if t["type"] == "ORDER_FILL"})


def clear_stores() -> None:
    """Forget stores left registered by a failed test."""
    Store._registry.clear()


def venue_truth(sb: ThreadedOandaSandbox) -> dict[str, str]:
    """Our client id -> the status the sandbox's record means (rejects from their transactions)."""

    def collect() -> dict[str, str]:
        acct = sb.state.account
        out = {}
        for txn in acct.txns:
            if txn["type"].endswith("_ORDER_REJECT") and txn.get("clientExtensions", {}).get("id"):
                out[txn["clientExtensions"]["id"]] = "Rejected"
        for order in acct.orders.values():
            if not order.client_id:
                continue
            if order.state == "CANCELLED":
                reason = next(
                    (
                        t["reason"]
                        for t in acct.txns
                        if t["type"] == "ORDER_CANCEL" and t["orderID"] == order.id
                    ),
                    "",
                )
                out[order.client_id] = {
                    "TIME_IN_FORCE_EXPIRED": "Expired",
                    "INSUFFICIENT_MARGIN": "Margin",
                }.get(reason, "Canceled")
            else:
                out[order.client_id] = {"FILLED": "Completed", "PENDING": "Accepted"}[order.state]
        return out

    return sb.call(collect)


def our_fill_ids(sb: ThreadedOandaSandbox, session: str) -> list[str]:
    """Ids of the sandbox's ORDER_FILL transactions of orders sent by a journal session."""
    return sb.call(
        lambda: [
            t["id"]
            for t in sb.state.account.txns
            if t["type"] == "ORDER_FILL" and str(t.get("clientOrderID", "")).startswith(f"tb-{session}-")
        ]
    )
