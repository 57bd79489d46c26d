"""Seeded fault scenarios for IBStore/IBBroker/IBData on the IB sandbox, and the checks after them.

A scenario (built from a seed) is a list of steps on live bars: orders of every kind (market,
limit, stop, brackets, cancels, sizes above the sandbox's liquidity cap for partial fills) and
faults at points of the order flow (socket drops before an ack, before a commission report,
between partial fills, while fills go on; TWS's 1100 then 1101/1102). The strategy then cancels
what is left, waits until it is connected and settled, and stops; ``check_against_venue`` proves
orders, executions, positions and cash equal the sandbox's, each execution applied once.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ib_broker_kit import Script, venue_cash, venue_orders, venue_position
from ib_live_kit import Stepper

import tradebridge as bt
from tradebridge.live import Journal
from tradebridge.venues.ib.mapping import order_status
from tradebridge.venues.ib.sandbox.server import ThreadedSandbox

ORDER_KINDS = ("market", "limit", "stop", "bracket", "cancel")
FAULTS = ("drop_before_ack", "drop_before_commission", "drop_mid_partial", "drop_while_trading",
          "connectivity")
LOST_TEXT = "connection to the venue lost"
_LAST_ACTION_BAR = 14
_SETTLE_BARS = 3  # bars after the last action before leftovers are canceled
MAX_BARS = 80  # a run that never settles stops here (and its checks fail with the states)


@dataclass(frozen=True)
class Step:
    """One thing done on a live bar: an order (kind, signed size, price offset) or a fault."""

    bar: int
    what: str
    size: int = 0
    offset: float = 0.0  # fraction of the close: limit/stop distance, bracket width
    restore: int = 0  # connectivity: 1101 or 1102
    after: int = 0  # connectivity: bars until restored; drop_while_trading: bars matched while down


@dataclass
class Scenario:
    """Everything a seed decides: liquidity and the steps."""

    seed: int
    liquidity: int
    steps: list[Step] = field(default_factory=list)

    @property
    def client_id(self) -> int:
        return 200 + self.seed

    def __str__(self) -> str:
        shown = ", ".join(f"{s.bar}:{s.what}{'' if not s.size else f'({s.size:+d})'}" for s in self.steps)
        return f"seed {self.seed} liquidity {self.liquidity}: {shown}"


def make_scenario(seed: int) -> Scenario:
    """The seed's scenario: 4-7 orders and 1-2 faults on distinct live bars 1..14."""
    rng = random.Random(seed)
    scenario = Scenario(seed, liquidity=rng.choice([15, 25, 40]))
    faults = [FAULTS[seed % len(FAULTS)]]  # every fault kind comes up every five seeds
    if rng.random() < 0.4:
        faults.append(rng.choice(FAULTS))
    bars = sorted(rng.sample(range(1, _LAST_ACTION_BAR + 1), rng.randint(4, 7) + len(faults)))
    fault_bars = set(rng.sample(bars[1:], len(faults)))  # the first bar always places an order
    for bar in bars:
        if bar in fault_bars:
            what = faults.pop()
            size = _size(rng)
            if what == "drop_mid_partial":  # above the cap a bar, so it fills in parts
                size = (1 if size > 0 else -1) * (2 * scenario.liquidity + abs(size))
            scenario.steps.append(Step(bar, what, size=size, restore=rng.choice([1101, 1102]),
                                       after=rng.randint(1, 3)))
            continue
        kind = rng.choice(ORDER_KINDS) if bar != bars[0] else "market"
        scenario.steps.append(Step(bar, kind, size=_size(rng), offset=rng.uniform(-0.002, 0.004)))
    return scenario


def _size(rng: random.Random) -> int:
    return rng.choice([-1, 1]) * rng.randint(5, 80)


class FaultScript(Script):
    """Runs a Scenario on live bars, then cancels leftovers and stops once settled and connected."""

    params = (("scenario", None), ("sandbox", None))

    def __init__(self):
        super().__init__()
        self.placed: list[Any] = []
        self.restore_at: dict[int, int] = {}  # bar -> 1101/1102 to send
        self._settled = 0  # orders in self.placed known to have reached the sandbox
        self._canceled: dict[int, int] = {}  # id(order) -> bar its cancel was asked

    def start(self):
        super().start()
        self._drops = 0  # socket drops the store has seen (counted on its loop thread)
        self.broker.ib.ib.disconnectedEvent += self._dropped

    def _dropped(self) -> None:
        self._drops += 1

    def next(self):
        drops = self._drops
        try:
            self._next()
        finally:
            self._settle_orders(drops)
            self.env.stepper.bar_done()

    def _settle_orders(self, drops: int | None = None) -> None:
        """Wait until this bar's orders reached the sandbox: bars then meet them. An order the
        broker refused (not connected) or that went down with a dropped socket never will."""
        sb, cid, store, broker = self.p.sandbox, self.p.scenario.client_id, self.broker.ib, self.broker
        fresh = [o for o in self.placed[self._settled:] if o.info.get("client_id")]
        self._settled = len(self.placed)
        refs = {o.info["client_id"] for o in fresh}
        drops = self._drops if drops is None else drops

        def settled() -> bool:
            refused = {c for c in broker.sent.copy() if c not in broker._trades}
            return (refs <= set(venue_orders(sb, cid)) | refused or not store.ib.isConnected()
                    or self._drops != drops)

        _wait(settled)

    def _next(self) -> None:
        if self.status != "LIVE" and not self.live:
            return  # backfill: nothing happens before the first live bar
        self.live += 1
        scenario: Scenario = self.p.scenario
        for step in [s for s in scenario.steps if s.bar == self.live]:
            self._do(step)
        code = self.restore_at.pop(self.live, None)
        if code is not None:
            self._server(self.p.sandbox.server.send_error, code, None, scenario.client_id)
        end = _LAST_ACTION_BAR + _SETTLE_BARS
        if self.live >= end:
            for order in self._alive():
                if self.live - self._canceled.get(id(order), -99) >= 10:  # again after 10 bars
                    self._canceled[id(order)] = self.live
                    self.cancel(order)
        settled = self.live > end and not self._alive() and not self.restore_at and self.broker.ib.connected
        if settled or self.live >= MAX_BARS:
            self.env.runstop()

    def _alive(self) -> list[Any]:
        return [o for o in self.placed if o.alive()]

    def _server(self, fn: Any, *args: Any) -> Any:
        return self.p.sandbox.run(fn, *args)

    def _do(self, step: Step) -> None:
        server, cid = self.p.sandbox.server, self.p.scenario.client_id
        if step.what in ("drop_before_ack", "drop_before_commission", "drop_mid_partial"):
            self._server(getattr(server, step.what), cid)
            self._order("market", step.size, 0.0)  # the flow that meets the armed drop
        elif step.what == "drop_while_trading":
            self._order("market", step.size, 0.0)
            self._drop_while_trading(step.after)
        elif step.what == "connectivity":
            self._server(server.send_error, 1100, None, cid)
            self.restore_at[self.live + step.after] = step.restore
            self._order("limit", step.size, 0.001)
        else:
            self._order(step.what, step.size, step.offset)

    def _drop_while_trading(self, bars: int) -> None:
        """Cut the socket now and match ``bars`` bars before the client can come back."""
        stepper: Stepper = self.env.stepper
        sb: ThreadedSandbox = self.p.sandbox
        self._settle_orders()
        stepper.hold()
        try:
            sb.call(_drop_then_step(sb, self.p.scenario.client_id, bars))
        finally:
            stepper.release()

    def _order(self, kind: str, size: int, offset: float) -> None:
        close = self.data.close[0]
        buy = size > 0
        side = 1 if buy else -1
        qty = abs(size)
        if kind == "cancel":
            alive = self._alive()
            if alive:
                self.cancel(alive[0])
            return
        if kind == "market":
            made = [self.buy(size=qty) if buy else self.sell(size=qty)]
        elif kind == "limit":
            price = round(close * (1 - side * offset), 2)
            made = [(self.buy if buy else self.sell)(size=qty, exectype=bt.Order.Limit, price=price)]
        elif kind == "stop":
            price = round(close * (1 + side * abs(offset) / 2), 2)
            made = [(self.buy if buy else self.sell)(size=qty, exectype=bt.Order.Stop, price=price)]
        else:
            width = 0.002 + abs(offset)
            entry = round(close * (1 - side * 0.0005), 2)
            stop, limit = round(close * (1 - side * width), 2), round(close * (1 + side * width), 2)
            bracket = self.buy_bracket if buy else self.sell_bracket
            made = list(bracket(size=qty, price=entry, stopprice=stop, limitprice=limit))
        self.placed.extend(o for o in made if o is not None)


def _wait(predicate: Any, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the sandbox did not get the orders in time")
        time.sleep(0.001)


class LockStepper(Stepper):
    """A Stepper that makes the next bar once the strategy has seen the last (or after ``patience``)."""

    def __init__(self, *args: Any, patience: float = 0.05, **kwargs: Any) -> None:
        self._seen = threading.Condition()
        self._bars_seen = 0
        self.patience = patience
        super().__init__(*args, **kwargs)

    def bar_done(self) -> None:
        with self._seen:
            self._bars_seen += 1
            self._seen.notify_all()

    def _run(self) -> None:
        while not self._halt.is_set() and not self.subscribed():
            self._halt.wait(0.002)
        while not self._halt.is_set() and self.stepped < self.bars:
            with self._seen:
                before = self._bars_seen
            with self._gate:
                if self.subscribed():  # a dropped client gets no bars: hold until it is back
                    self.sb.step()
                    self.stepped += 1
            self._await_bar(before)

    def _await_bar(self, before: int) -> None:
        with self._seen:
            self._seen.wait_for(lambda: self._bars_seen > before or self._halt.is_set(), self.patience)


async def _drop_then_step(sb: ThreadedSandbox, client_id: int, bars: int) -> None:
    await sb.server.flush()
    sb.server.drop(client_id)
    await sb.server.step(bars)


def run_scenario(sb: ThreadedSandbox, scenario: Scenario, tmp_path: Path) -> tuple[FaultScript, Any, Path]:
    """Run ``scenario`` through Cerebro on IBStore/IBData/IBBroker; returns (strategy, broker, journal)."""
    journal = tmp_path / f"journal-{scenario.client_id}.sqlite"
    cerebro = bt.Cerebro()
    store = bt.stores.IBStore(port=sb.port, clientId=scenario.client_id, histcache=tmp_path / "cache",
                              journal=journal, backoff_initial=0.005, backoff_max=0.02, reconnect=20)
    cerebro.adddata(store.getdata(dataname="AAPL-STK-SMART-USD", rtbar=True, timeframe=bt.TimeFrame.Seconds,
                                  compression=5, backfill_start=False))
    cerebro.setbroker(store.getbroker())
    cerebro.addstrategy(FaultScript, scenario=scenario, sandbox=sb)
    stepper = LockStepper(sb, scenario.client_id, bars=10 * MAX_BARS)
    cerebro.stepper = stepper
    watchdog = threading.Timer(60.0, cerebro.runstop)  # a hung run fails its checks instead of the suite
    watchdog.start()
    try:
        (strat,) = cerebro.run()
    finally:
        watchdog.cancel()
        stepper.stop()
    return strat, cerebro.broker, journal


def check_against_venue(sb: ThreadedSandbox, scenario: Scenario, strat: FaultScript, broker: Any,
                        journal_path: Path) -> None:
    """Orders' final states, executions (each once), commissions, position and cash equal the sandbox's."""
    cid = scenario.client_id
    why = str(scenario)
    venue_execs = [r for r in sb.server.exchange.executions if r.execution.client_id == cid]
    venue_ids = [r.execution.exec_id for r in venue_execs]
    with Journal(journal_path) as journal:
        fills = journal.fills()
        journal_ids = [f.exec_id for f in fills]
        commissions = {f.exec_id: journal.commission(f.exec_id) for f in fills}
    assert len(journal_ids) == len(set(journal_ids)), f"an execution journaled twice; {why}"
    assert sorted(journal_ids) == sorted(venue_ids), f"journal and sandbox executions differ; {why}"
    for report in venue_execs:
        exec_id = report.execution.exec_id
        assert commissions[exec_id] == pytest.approx(report.report.commission), f"commission {exec_id}; {why}"
    mine = {o.info.get("client_id"): o for o in strat.placed}
    for ref, venue in venue_orders(sb, cid).items():
        order = mine.get(ref)
        assert order is not None, f"sandbox order {ref} is not one the strategy placed; {why}"
        expected = order_status(venue.status, venue.filled) or "Accepted"
        assert order.getstatusname() == expected, f"{ref}: {order.getstatusname()} vs {venue.status}; {why}"
        assert abs(order.executed.size) == pytest.approx(venue.filled), f"{ref} filled size; {why}"
        if venue.filled:
            assert order.executed.price == pytest.approx(venue.avg_price), f"{ref} average price; {why}"
            assert order.executed.comm == pytest.approx(venue.commission), f"{ref} commission; {why}"
    # an order the sandbox never saw was refused here with IB's code, or went down with the socket
    # and the reconciliation after the reconnect rejected it, saying why
    for ref, order in mine.items():
        if ref not in venue_orders(sb, cid):
            info = order.info
            lost = str(info.get("reason", "")).startswith("never reached the venue")
            refused = info.get("venue_code") or lost
            assert order.getstatusname() == "Rejected" and refused, (
                f"{ref}: {order.getstatusname()} {dict(info)}; {why}")
    assert broker.getposition(strat.data).size == pytest.approx(venue_position(sb)), f"position; {why}"
    assert broker.getcash() == pytest.approx(venue_cash(sb)), f"cash; {why}"
