"""LiveBroker across drops and restarts: nothing sent twice, missed fills applied exactly once."""

from __future__ import annotations

import pytest
from _livekit import Rig

from tradebridge.orders import Order


def test_fills_while_disconnected_are_applied_once_after_reconnect(tmp_path):
    rig = Rig(tmp_path / "j.sqlite")
    try:
        rig.bar()
        data = rig.datas["AAA"]
        order = rig.broker.buy(None, data, 10)
        rig.pump()
        rig.venue.drop()
        rig.bar(2)  # the venue fills it; nothing reaches us
        assert rig.broker.connected is False and order.executed.size == 0
        rig.reconnect()
        assert rig.broker.connected is True
        assert order.getstatusname() == "Completed" and order.executed.size == 10
        assert rig.broker.getposition(data).size == 10 == rig.venue.positions()["AAA"]
        assert rig.broker.getcash() == pytest.approx(rig.venue.engine.getcash(), abs=1e-9)
        rig.reconnect()  # the same snapshot again: nothing applied twice
        assert order.executed.size == 10 and len(rig.broker.journal.fills()) == 1
    finally:
        rig.close()


def test_order_sent_while_down_is_rejected_as_never_reaching_the_venue(tmp_path):
    rig = Rig(tmp_path / "j.sqlite")
    try:
        rig.bar()
        rig.venue.drop()
        rig.pump()
        order = rig.broker.buy(None, rig.datas["AAA"], 1)
        rig.bar()
        rig.reconnect()
        assert order.getstatusname() == "Rejected" and "never reached the venue" in order.info["reason"]
        assert any("never reached" in m for m in rig.broker.store_messages)
    finally:
        rig.close()


def test_lost_ack_is_recovered_by_reconciliation(tmp_path):
    rig = Rig(tmp_path / "j.sqlite")
    try:
        rig.bar()
        rig.venue.inject(lose_acks=2)
        order = rig.broker.buy(None, rig.datas["AAA"], 3, price=1.0, exectype=Order.Limit)
        rig.bar()
        assert order.getstatusname() == "Submitted"
        rig.venue.drop()
        rig.reconnect()
        assert order.getstatusname() == "Accepted"
        state = rig.broker.journal.registry.state(order.info["client_id"])
        assert state.venue_ids["orderId"]
    finally:
        rig.close()


def test_restart_on_the_same_journal_sends_nothing_twice_and_applies_missed_fills_once(tmp_path):
    rig = Rig(tmp_path / "j.sqlite")
    try:
        rig.bar()
        aaa, bbb = rig.datas["AAA"], rig.datas["BBB"]
        rig.broker.buy(None, aaa, 10)
        rig.bar(2)  # filled and applied in the first run
        rig.broker.sell(None, bbb, 4, price=bbb.close[0] * 0.999, exectype=Order.Limit)
        rig.pump()
        cash_first = rig.broker.getcash()
        rig.venue.drop()
        rig.pump()
        rig.broker.stop()  # the process dies
        rig.bar(5)  # the venue fills the sell meanwhile
        placed = list(rig.venue.placed)

        rig.open_broker()  # a new process on the same journal
        broker = rig.broker
        assert rig.venue.placed == placed  # nothing sent again
        assert broker.getposition(rig.datas["AAA"]).size == 10  # rebuilt from the journal
        assert broker.getposition(rig.datas["BBB"]).size == -4 == rig.venue.positions()["BBB"]
        assert broker.getcash() == pytest.approx(rig.venue.engine.getcash(), abs=1e-9)
        assert broker.getcash() != cash_first
        assert any("sent by a previous run" in m for m in broker.store_messages)
        assert len(broker.journal.fills()) == len(rig.venue.executions) == 2
        fills_before = len(broker.journal.fills())
        rig.venue.drop()
        rig.reconnect()
        assert len(broker.journal.fills()) == fills_before
        assert broker.getposition(rig.datas["BBB"]).size == -4
        assert broker.get_orders_open() == []
        rig.bar()
        order = broker.buy(None, rig.datas["BBB"], 4)  # ids continue, never reused
        rig.pump()
        assert len(set(rig.venue.placed)) == len(rig.venue.placed) == 3
        assert order.info["client_id"] not in placed
    finally:
        rig.close()
