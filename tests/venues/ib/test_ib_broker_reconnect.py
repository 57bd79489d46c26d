"""IBBroker across dropped sockets on the real IB sandbox: fills that happen while disconnected,
a commission report lost with the socket, a drop in the middle of partial fills; afterwards every
execution is applied exactly once and orders, positions and cash equal the sandbox's."""

from __future__ import annotations

import random
import re
import threading
import time

import pytest
from ib_broker_kit import run_script, venue_cash, venue_orders, venue_position
from ib_live_kit import sandbox

import tradebridge as bt
from tradebridge.live import Journal


def _wait(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.002)


async def _drop_then_trade(server, client_id: int, bars: int) -> None:
    server.drop(client_id)  # the bars below are matched before the client can reconnect
    await server.step(bars)


def _check_against_venue(sb, strat, broker, client_id: int, journal_path) -> None:
    """Every order, fill, position and the cash agree with the sandbox; nothing applied twice."""
    execs = [r for r in sb.server.exchange.executions if r.execution.client_id == client_id]
    with Journal(journal_path) as journal:
        fills = {f.exec_id: f for f in journal.fills()}
        assert sorted(fills) == sorted(r.execution.exec_id for r in execs)
        assert all(fills[r.execution.exec_id].commission == pytest.approx(r.report.commission) for r in execs)
    for ref, venue in venue_orders(sb, client_id).items():
        (order,) = [o for o in strat._orders_seen if o.info.get("client_id") == ref]
        assert abs(order.executed.size) == venue.filled
    assert broker.getposition(strat.data).size == venue_position(sb)
    assert broker.getcash() == pytest.approx(venue_cash(sb))
    assert _cash_mismatches(strat) == []  # the reconnects' missed fills explain TWS's cash


def _cash_mismatches(strat) -> list[str]:
    return [str(m) for m in strat.messages if str(m).startswith("cash mismatch")]


def _keep(s, order):
    s.__dict__.setdefault("_orders_seen", []).append(order)
    return order


def test_a_fill_while_disconnected_is_applied_once_after_the_reconnect(tmp_path):
    orders = {}

    def buy_then_drop(s):
        stepper = s.env.stepper
        stepper.hold()
        try:
            orders["buy"] = _keep(s, s.buy(size=10))
            _wait(lambda: venue_orders(sb, 41))
            sb.call(_drop_then_trade(sb.server, 41, 2))
        finally:
            stepper.release()

    with sandbox() as sb:
        strat, broker = run_script(sb, 41, tmp_path, {1: buy_then_drop}, stop_at=8)
        _check_against_venue(sb, strat, broker, 41, tmp_path / "journal-41.sqlite")
    order = orders["buy"]
    assert order.getstatusname() == "Completed" and order.executed.size == 10
    assert strat.statuses(order).count("Completed") == 1
    assert any("lost" in str(m) for m in strat.messages)


def test_a_commission_report_lost_with_the_socket_is_taken_from_the_snapshot(tmp_path):
    orders = {}

    def buy(s):
        sb.run(sb.server.drop_before_commission, 42)
        orders["buy"] = _keep(s, s.buy(size=7))

    with sandbox() as sb:
        strat, broker = run_script(sb, 42, tmp_path, {1: buy}, stop_at=8)
        (venue,) = venue_orders(sb, 42).values()
        _check_against_venue(sb, strat, broker, 42, tmp_path / "journal-42.sqlite")
    order = orders["buy"]
    assert order.executed.comm == pytest.approx(venue.commission) and venue.commission > 0


def test_a_drop_between_partial_fills_loses_and_doubles_nothing(tmp_path):
    orders = {}

    def buy(s):
        sb.run(sb.server.drop_mid_partial, 43)
        orders["buy"] = _keep(s, s.buy(size=100))

    with sandbox(liquidity=30) as sb:
        strat, broker = run_script(sb, 43, tmp_path, {1: buy}, stop_at=12)
        _check_against_venue(sb, strat, broker, 43, tmp_path / "journal-43.sqlite")
    assert orders["buy"].executed.size == 100 and orders["buy"].getstatusname() == "Completed"


@pytest.mark.parametrize("seed", range(6))
def test_seeded_drops_at_random_points_of_order_flow_end_equal_to_the_sandbox(tmp_path, seed):
    rng = random.Random(seed)
    faults = ["drop_before_ack", "drop_before_commission", "drop_mid_partial"]
    plan = {bar: (rng.choice(faults), rng.choice([-1, 1]) * rng.randint(20, 60))
            for bar in sorted(rng.sample(range(1, 12), 4))}
    client_id = 50 + seed

    def act(fault, size):
        def step(s):
            sb.run(getattr(sb.server, fault), client_id)
            _keep(s, s.buy(size=size) if size > 0 else s.sell(size=-size))
        return step

    with sandbox(liquidity=25) as sb:
        strat, broker = run_script(sb, client_id, tmp_path, {bar: act(*what) for bar, what in plan.items()},
                                   stop_at=24)
        _wait(lambda: all(not w.alive for w in venue_orders(sb, client_id).values()), 1.0)
        _check_against_venue(sb, strat, broker, client_id, tmp_path / f"journal-{client_id}.sqlite")
        armed_left = len(sb.server.faults.drops)
    drops = sum("connection to the venue lost" in str(m) for m in strat.messages)
    # every drop that fired was survived (checked above); a drop that hits a reconnect still under way
    # fails that attempt, which is retried, and the broker hears of one loss
    assert 1 <= drops <= len(plan) - armed_left


def test_a_restart_on_the_same_journal_resends_nothing_and_applies_fills_made_while_down(tmp_path):
    orders = {}
    journal = tmp_path / "restart.sqlite"

    def buy_and_place_a_limit(s):
        orders["buy"] = s.buy(size=10)
        # a resting sell the venue fills only after this run has ended
        orders["sell"] = s.sell(size=4, exectype=bt.Order.Limit, price=round(s.data.close[0] * 1.001, 2))

    with sandbox() as sb:
        first, _ = run_script(sb, 61, tmp_path, {1: buy_and_place_a_limit}, stop_at=2, journal=journal)
        sell_ref = orders["sell"].info["client_id"]
        assert orders["sell"].executed.size == 0 and orders["sell"].alive()  # still resting at the end
        _wait(lambda: venue_orders(sb, 61).get(sell_ref) is not None)
        for _ in range(5000):  # the process is gone; the market moves until the sell fills
            if venue_orders(sb, 61)[sell_ref].status == "Filled":
                break
            sb.step()
        assert venue_orders(sb, 61)[sell_ref].status == "Filled"
        placed = len(sb.server.exchange.orders)
        second, broker = run_script(sb, 61, tmp_path, {}, stop_at=3, journal=journal)
        assert _cash_mismatches(first) == _cash_mismatches(second) == []  # clean start, restart
        assert len(sb.server.exchange.orders) == placed  # nothing was sent again
        assert broker.getposition(second.data).size == venue_position(sb) == 6
        assert broker.getcash() == pytest.approx(venue_cash(sb))
        with Journal(journal) as j:
            execs = [r.execution.exec_id for r in sb.server.exchange.executions]
            assert sorted(f.exec_id for f in j.fills()) == sorted(execs)
            assert j.registry.get(sell_ref).status == "Completed"


async def _stop_listening_then_drop(server, client_id: int) -> None:
    await server.stop_listening()  # no reconnect can get in
    server.drop(client_id)


def test_an_order_sent_while_disconnected_is_rejected_with_504(tmp_path):
    orders = {}

    def cut_then_buy(s):
        store = s.data.ib
        sb.call(_stop_listening_then_drop(sb.server, 62))
        _wait(lambda: not store.connected)
        orders["buy"] = s.buy(size=1)
        # listen again a little later: bars (and with them the strategy's notifications) come back
        threading.Timer(0.3, lambda: sb.call(sb.server.start())).start()

    with sandbox() as sb:
        strat, broker = run_script(sb, 62, tmp_path, {1: cut_then_buy}, stop_at=50, stop_on="Rejected",
                                   reconnect=-1, backoff_max=0.2)
        assert orders["buy"].info["client_id"] not in venue_orders(sb, 62)
    order = orders["buy"]
    assert strat.statuses(order)[-1] == "Rejected"
    assert strat.info(order)["venue_code"] == 504 and "not connected" in strat.info(order)["venue_text"]
    assert broker.getposition(strat.data).size == 0


async def _move_cash_then_drop(server, client_id: int, amount: float) -> None:
    server.exchange.account.cash["USD"] += amount  # money moved at IB with no execution to explain it
    server.drop(client_id)


def test_cash_moved_at_the_venue_while_disconnected_is_reported_once_after_the_reconnect(tmp_path):
    def buy_then_move_cash(s):
        s.buy(size=5)

    def cut(s):
        sb.call(_move_cash_then_drop(sb.server, 44, 100.0))

    with sandbox() as sb:
        strat, broker = run_script(sb, 44, tmp_path, {1: buy_then_move_cash, 3: cut}, stop_at=8)
        assert broker.getcash() == pytest.approx(venue_cash(sb))
    (message,) = _cash_mismatches(strat)
    venue, local = (float(x) for x in re.findall(r"-?\d+\.\d+", message))
    assert venue - local == pytest.approx(100.0)
