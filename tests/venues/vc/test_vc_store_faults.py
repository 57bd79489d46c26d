"""Seeded random trading with server outages through VCStore/VCBroker on the fake: afterwards every
order, fill, position and the cash match the venue's, nothing lost, nothing doubled; and an order
sent while the server is away is rejected saying so."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import vc_kit as kit
from vc_kit import Script

import tradebridge as bt
from tradebridge.live import Journal

_TYPES = (bt.Order.Market, bt.Order.Limit, bt.Order.Stop, bt.Order.Close)
_STATUS = {"Completed": "Completed", "Canceled": "Canceled", "Accepted": "Accepted", "Partial": "Partial"}


def _random_steps(rng: random.Random, n: int) -> dict[int, object]:
    """A step per live bar: orders, cancels and outages drawn from ``rng``; the last bars cancel
    whatever rests and stay quiet, so the venue's last balance has reached the broker."""
    steps: dict[int, object] = {}
    for k in range(n - 3):
        actions = []
        for _ in range(rng.randint(0, 2)):
            exectype, size, offset = rng.choice(_TYPES), rng.randint(1, 3), rng.choice((-2.0, -0.5, 0.5, 2.0))
            side = rng.choice(("buy", "sell"))
            actions.append(("order", side, exectype, size, offset))
        if rng.random() < 0.3:
            actions.append(("cancel", rng.random()))
        if rng.random() < 0.25:
            actions.append(("outage", rng.randint(0, 3)))
        steps[k] = _step(actions)
    steps[n - 3] = _cancel_all
    return steps


def _step(actions: list[tuple]) -> object:
    def run(s: Script) -> None:
        for action in actions:
            if action[0] == "order":
                _, side, exectype, size, offset = action
                price = None if exectype in (bt.Order.Market, bt.Order.Close) else s.data.close[0] + offset
                getattr(s, side)(size=size, exectype=exectype, price=price)
            elif action[0] == "cancel":
                alive = [o for o in s.order_objs.values() if o.alive()]
                if alive:
                    s.cancel(alive[int(action[1] * len(alive))])
            else:
                s.outage(bars=min(action[1], len(s.p.bars) - s.pushed - 3))
    return run


def _cancel_all(s: Script) -> None:
    for order in list(s.order_objs.values()):
        if order.alive():
            s.cancel(order)


@pytest.mark.parametrize("seed", range(6))
def test_random_orders_and_outages_end_with_the_venues_orders_fills_position_and_cash(seed, tmp_path) -> None:
    rng = random.Random(seed)
    fake = kit.fake(liquidity=rng.choice((None, 1, 2)))
    opens = [100.0]
    for _ in range(24):
        opens.append(round(opens[-1] + rng.choice((-1.5, -0.5, 0.5, 1.5)), 2))
    wick = (0.5, 1, 2)
    bars = [kit.bar(3 + i, o, o + rng.choice(wick), o - rng.choice(wick), o + rng.choice((-0.5, 0.5)))
            for i, o in enumerate(opens)]
    path = tmp_path / "j.sqlite"
    strat, broker = kit.run(fake, path, bars=bars, steps=_random_steps(rng, len(bars)))

    venue = {o.record["ExtendedInfo"]: o for o in fake.venue.orders.values()}
    with Journal(path) as journal:
        fills = journal.fills()
        states = journal.registry.states()
    assert len({f.exec_id for f in fills}) == len(fills)  # nothing doubled
    by_order: dict[str, float] = {}
    for f in fills:
        by_order[f.client_id] = by_order.get(f.client_id, 0.0) + f.size
    assert {k: v for k, v in by_order.items() if v} == kit.venue_filled(fake)  # nothing lost
    for order in strat.order_objs.values():
        cid = order.info["client_id"]
        if cid not in venue:  # refused before it left (margin), or sent while away
            assert order.status in (order.Margin, order.Rejected)
            continue
        at_venue = venue[cid]
        assert order.executed.size == pytest.approx(at_venue.sign * at_venue.filled)
        assert order.getstatusname() == _STATUS[at_venue.status] == states[cid].status
    assert broker.getposition(strat.data).size == kit.venue_position(fake)
    assert broker.getcash() == pytest.approx(fake.venue.cash["A1"])
    assert not any("mismatch" in str(m) for m in strat.stores)


def test_an_order_sent_while_the_server_is_away_is_rejected_saying_so(tmp_path: Path) -> None:
    fake = kit.fake()

    def away(s: Script) -> None:
        s.market(fake.shutdown)
        s.buy()
        s.market(fake.restore)
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=kit.live_bars(3, [103, 104]), steps={0: away})
    (order,) = strat.order_objs.values()
    assert order.getstatusname() == "Rejected"
    assert "server is not available" in order.info["venue_text"]
    assert list(fake.venue.orders) == [] and broker.getposition(strat.data).size == 0.0
