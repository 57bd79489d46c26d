"""Random order flows with random drops, lost acks, repeated and reordered reports: afterwards the
broker agrees with the venue on positions, cash and every order's status, and every execution was
applied exactly once."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from _livekit import Rig
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradebridge.orders import Order

KINDS = (Order.Market, Order.Limit, Order.Stop)


def _new_order(rig: Rig, rng: random.Random) -> Order:
    data = rig.datas[rng.choice(("AAA", "BBB"))]
    side = rng.choice((rig.broker.buy, rig.broker.sell))
    kind = rng.choice(KINDS)
    close = data.close[0]
    price = None
    if kind == Order.Limit:
        price = close * (0.995 if side == rig.broker.buy else 1.005)
    elif kind == Order.Stop:
        price = close * (1.004 if side == rig.broker.buy else 0.996)
    return side(None, data, rng.randint(1, 20), price=price, exectype=kind)


def _bracket(rig: Rig, rng: random.Random) -> list[Order]:
    """A market entry with a stop-loss and a take-profit (venue-native bracket)."""
    data = rig.datas[rng.choice(("AAA", "BBB"))]
    close, size, broker = data.close[0], rng.randint(1, 10), rig.broker
    if rng.random() < 0.5:
        entry = broker.buy(None, data, size, transmit=False)
        stop = broker.sell(None, data, size, price=close * 0.99, exectype=Order.Stop, parent=entry,
                           transmit=False)
        take = broker.sell(None, data, size, price=close * 1.01, exectype=Order.Limit, parent=entry)
    else:
        entry = broker.sell(None, data, size, transmit=False)
        stop = broker.buy(None, data, size, price=close * 1.01, exectype=Order.Stop, parent=entry,
                          transmit=False)
        take = broker.buy(None, data, size, price=close * 0.99, exectype=Order.Limit, parent=entry)
    return [entry, stop, take]


def _step(rig: Rig, rng: random.Random, orders: list[Order]) -> None:
    """One bar of random client and network behaviour."""
    roll = rng.random()
    if roll < 0.12 and rig.venue.connected:
        rig.venue.drop()
    elif roll < 0.30 and not rig.venue.connected:
        rig.reconnect()
    elif roll < 0.40:
        rig.venue.inject(**{rng.choice(("lose_acks", "duplicate", "swap")): rng.randint(1, 2)})
    for _ in range(rng.randint(0, 2)):
        orders.append(_new_order(rig, rng))
    if rng.random() < 0.15:
        orders.extend(_bracket(rig, rng))
    alive = [o for o in orders if o.alive()]
    if alive and rng.random() < 0.25:
        rig.broker.cancel(rng.choice(alive))
    rig.bar()


def _check_agrees_with_venue(rig: Rig, orders: list[Order]) -> None:
    venue, broker = rig.venue, rig.broker
    for name, data in rig.datas.items():
        assert broker.getposition(data).size == venue.positions()[name], name
    assert abs(broker.getcash() - venue.engine.getcash()) < 1e-6
    # the cash the fills gave agreed with the venue's before the snapshot's figure was taken
    assert not [m for m in broker.store_messages if m.startswith("cash mismatch")]
    venue_execs = [e.exec_id for e in venue.executions]
    journal_execs = [e.exec_id for e in broker.journal.fills()]
    assert sorted(journal_execs) == sorted(venue_execs)
    assert sum(len(o.executed.exbits) for o in orders) == len(venue_execs)
    for order in orders:
        cid = order.info.get("client_id")
        if cid is None or cid not in venue.placed:
            assert order.getstatusname() in ("Rejected", "Margin"), cid
            continue
        at_venue = venue.order_status(cid)
        if at_venue in ("Submitted", "Accepted", "Partial"):
            assert order.alive(), (cid, at_venue, order.getstatusname())
        else:
            assert order.getstatusname() == at_venue, (cid, at_venue)
        if at_venue != "Rejected":
            assert order.executed.size == venue._orders[cid].executed.size


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), bars=st.integers(10, 40))
def test_random_flows_with_faults_end_equal_to_the_venue(seed: int, bars: int) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        rig = Rig(Path(tmp) / "flow.sqlite", n=bars + 10)
        try:
            rig.bar()
            orders: list[Order] = []
            for _ in range(bars):
                _step(rig, rng, orders)
            if rig.venue.connected:
                rig.venue.drop()
            rig.reconnect()  # reconciliation settles whatever the faults hid
            _check_agrees_with_venue(rig, orders)
        finally:
            rig.close()


def _check_journal_agrees_with_venue(rig: Rig) -> None:
    """After restarts the journal (not Order objects of dead runs) must match the venue."""
    venue, broker = rig.venue, rig.broker
    for name, data in rig.datas.items():
        assert broker.getposition(data).size == venue.positions()[name], name
    assert not [m for m in broker.store_messages if m.startswith("cash mismatch")]
    assert sorted(e.exec_id for e in broker.journal.fills()) == sorted(e.exec_id for e in venue.executions)
    for state in broker.journal.registry:
        if state.client_id not in venue.placed:
            assert state.status == "Rejected", state
            continue
        at_venue = venue.order_status(state.client_id)
        if at_venue in ("Submitted", "Accepted", "Partial"):
            assert state.alive, (state, at_venue)
        else:
            assert state.status == at_venue, (state, at_venue)
    assert len(set(venue.placed)) == len(venue.placed)  # nothing sent twice


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), bars=st.integers(10, 30))
def test_random_flows_with_restarts_send_nothing_twice_and_end_equal_to_the_venue(
        seed: int, bars: int) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        rig = Rig(Path(tmp) / "flow.sqlite", n=bars + 10)
        try:
            rig.bar()
            orders: list[Order] = []
            for _ in range(bars):
                if rng.random() < 0.1:  # the process dies and starts again on the same journal
                    rig.broker.stop()
                    if rig.venue.connected:
                        rig.venue.drop()
                        rig.venue.sync()
                    rig.open_broker()
                    orders = []
                _step(rig, rng, orders)
            if rig.venue.connected:
                rig.venue.drop()
            rig.reconnect()
            _check_journal_agrees_with_venue(rig)
        finally:
            rig.close()
