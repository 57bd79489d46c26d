"""LiveBroker event handling on its own: external orders and fills, bad payloads, late commissions
reaching trades the strategy already holds, unmapped instruments, secrets kept out of the journal."""

from __future__ import annotations

import pytest
from _livekit import Rig

from tradebridge.live import Event, Kind, VenueExecution, VenueOrder, VenueSnapshot
from tradebridge.orders.tradebook import TradeBook
from tradebridge.stores.base import Store


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path / "j.sqlite")
    r.bar(2)
    yield r
    r.close()


def test_external_order_and_fill_are_tracked_reported_and_leave_positions_alone(rig):
    broker = rig.broker
    broker.on_event(Event(Kind.ORDER, VenueOrder("AAA", 50, client_id="manual", venue_ids={"permId": 77})))
    broker.on_event(Event(Kind.EXECUTION, VenueExecution("M1", "AAA", 50, 101.0, venue_ids={"permId": 77})))
    broker.on_event(Event(Kind.EXECUTION, VenueExecution("M1", "AAA", 50, 101.0, venue_ids={"permId": 77})))
    assert broker.getposition(rig.datas["AAA"]).size == 0
    assert broker.external_positions == {"AAA": 50}
    assert broker.journal.registry.externals()[0].client_id == "ext:permId=77"
    assert any("external order" in m for m in broker.store_messages)
    assert sum("external fill" in m for m in broker.store_messages) == 1


def test_bad_payloads_are_refused_by_name(rig):
    with pytest.raises(TypeError, match="VenueSnapshot"):
        rig.broker.on_event(Event(Kind.CONNECTION, {"connected": True}))
    with pytest.raises(ValueError, match="BAR"):
        rig.broker.on_event(Event(Kind.BAR, {}))
    order = rig.broker.buy(None, rig.datas["AAA"], 1, price=1.0, exectype=1 + 1)
    rig.pump()
    cid = order.info["client_id"]
    with pytest.raises(ValueError, match="'Filled'"):
        rig.broker.on_event(Event(Kind.ORDER, VenueOrder("AAA", 1, status="Filled", client_id=cid)))


def test_late_commission_reaches_a_trade_the_strategy_already_holds(rig):
    broker = rig.broker

    class Owner:
        _tradebook = TradeBook()

    owner = Owner()
    order = broker.buy(owner, rig.datas["AAA"], 10)
    rig.pump()
    cid = order.info["client_id"]
    broker.on_event(Event(Kind.EXECUTION, VenueExecution("E1", "AAA", 10, 100.0, client_id=cid)))
    while (note := broker.get_notification()) is not None:
        owner._tradebook.add(note)
    trade = owner._tradebook.get(rig.datas["AAA"])[-1]
    assert trade.commission == 0.0  # the local scheme charges nothing
    broker.on_event(Event(Kind.COMMISSION, ("E1", 1.25)))
    assert trade.commission == pytest.approx(1.25) and trade.pnlcomm == pytest.approx(-1.25)


def test_position_events_are_kept_as_the_venue_positions(rig):
    rig.broker.on_event(Event(Kind.POSITION, {"AAA": 5}))
    rig.broker.on_event(Event(Kind.POSITION, ("BBB", -2)))
    assert rig.broker.venue_positions == {"AAA": 5.0, "BBB": -2.0}


def test_fill_of_an_instrument_without_data_is_kept_until_its_data_is_registered(rig, tmp_path):
    broker = rig.broker
    order = broker.buy(None, rig.datas["AAA"], 3)
    rig.pump()
    cid = order.info["client_id"]
    broker.stop()
    # a new process whose run has no data for AAA: the journaled fill waits under its name
    from tradebridge.live.loopback import LoopbackBroker

    rig.venue.drop()
    rig.venue.sync()
    again = LoopbackBroker(venue=rig.venue, journal=rig.path, cash=1000.0)
    again.start()
    snap = VenueSnapshot(executions=(VenueExecution("Z1", "AAA", 3, 10.0, client_id=cid, commission=0.5),))
    again.on_event(Event(Kind.CONNECTION, snap))
    assert again.unmapped["AAA"].size == 3 and again.getcash() == pytest.approx(1000.0 - 30.5)
    again.register_data(rig.datas["AAA"])
    assert again.getposition(rig.datas["AAA"]).size == 3 and "AAA" not in again.unmapped
    again.stop()


def test_store_secrets_never_reach_the_journal(tmp_path):
    class SecretStore(Store):
        params = (("token", None),)
        identity = ("token",)
        secret_params = ("token",)

    store = SecretStore(token="s3cr3t-t0ken")
    try:
        rig = Rig(tmp_path / "s.sqlite")
        rig.broker.stop()
        rig.broker._store = store
        rig.broker.start()
        rig.bar()
        rig.broker.buy(None, rig.datas["AAA"], 1, note="sent with s3cr3t-t0ken")
        rig.pump()
        rig.close()
        raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
        assert b"s3cr3t-t0ken" not in raw
    finally:
        store.stop()


def test_adapter_refusal_rejects_the_order_with_its_text(rig):
    from tradebridge.orders import Order

    order = rig.broker.buy(None, rig.datas["AAA"], 1, price=100.0, exectype=Order.Historical)
    rig.pump()
    assert order.getstatusname() == "Rejected"
    assert "no Historical orders" in order.info["reason"]
    assert rig.broker.journal.registry.state(order.info["client_id"]).status == "Rejected"
    assert rig.venue.placed == []


def test_account_aliases_and_fund_attributes(rig):
    broker = rig.broker
    broker.on_event(Event(Kind.ACCOUNT, {"cash": 1234.5, "value": 2000.0, "currency": "USD"}))
    assert broker.get_cash() == broker.getcash() == 1234.5
    assert broker.get_value() == broker.getvalue() == 2000.0
    assert broker.fundshares == 1.0 and broker.fundvalue == 2000.0 and broker.fundmode is False
    assert broker.account["currency"] == "USD"
