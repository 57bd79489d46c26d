"""LiveBroker on the loopback venue: each order status, rejections with the venue's code, fills
applied once, the venue's commission replacing the estimate, brackets and OCO."""

from __future__ import annotations

import pytest
from _livekit import Rig

from tradebridge.brokers import RiskLimits
from tradebridge.orders import Order


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path / "j.sqlite")
    r.bar(2)
    yield r
    r.close()


def venue_cash(rig):
    return rig.venue.engine.getcash()


def test_market_order_goes_submitted_accepted_completed_and_matches_the_venue(rig):
    data = rig.datas["AAA"]
    order = rig.broker.buy(None, data, 10)
    rig.bar(2)
    assert rig.statuses(order) == ["Submitted", "Accepted", "Completed"]
    assert rig.broker.getposition(data).size == 10 == rig.venue.positions()["AAA"]
    assert rig.broker.getposition(data).price == rig.venue.engine.getposition(rig.venue.datas["AAA"]).price
    assert rig.broker.getcash() == pytest.approx(venue_cash(rig), abs=1e-9)
    assert order.executed.comm == pytest.approx(10 * order.executed.price * 0.001)


def test_limit_order_canceled_at_the_venue_is_canceled(rig):
    order = rig.broker.buy(None, rig.datas["AAA"], 5, price=1.0, exectype=Order.Limit)
    rig.bar()
    assert rig.broker.cancel(order) is True
    rig.pump()
    assert rig.statuses(order) == ["Submitted", "Accepted", "Canceled"]
    assert rig.venue.order_status(order.info["client_id"]) == "Canceled"
    assert rig.broker.get_orders_open() == []
    assert rig.broker.journal.registry.state(order.info["client_id"]).status == "Canceled"


def test_limit_order_past_its_valid_time_expires(rig):
    data = rig.datas["AAA"]
    order = rig.broker.buy(None, data, 5, price=1.0, exectype=Order.Limit, valid=data.datetime[0] + 1.5)
    rig.bar(4)
    assert rig.statuses(order) == ["Submitted", "Accepted", "Expired"]


def test_partial_status_then_completed_from_two_fills(tmp_path):
    rig = Rig(tmp_path / "p.sqlite")
    try:
        rig.venue.engine.set_filler(lambda order, price, ago: min(abs(order.executed.remsize), 4))
        rig.bar()
        order = rig.broker.sell(None, rig.datas["BBB"], 6)
        rig.bar(3)
        assert rig.statuses(order) == ["Submitted", "Accepted", "Partial", "Completed"]
        assert len(order.executed.exbits) == 2
        assert rig.broker.getposition(rig.datas["BBB"]).size == -6 == rig.venue.positions()["BBB"]
        assert rig.broker.getcash() == pytest.approx(venue_cash(rig), abs=1e-9)
    finally:
        rig.close()


def test_venue_rejection_carries_its_code_and_text(rig):
    rig.venue.inject(reject=(201, "Order rejected - reason: not enough shortable shares"))
    order = rig.broker.sell(None, rig.datas["AAA"], 3)
    rig.pump()
    assert rig.statuses(order) == ["Submitted", "Rejected"]
    assert order.info["venue_code"] == 201
    assert order.info["venue_text"] == "Order rejected - reason: not enough shortable shares"
    assert "201" in order.info["reason"]
    cid = order.info["client_id"]
    assert rig.broker.journal.status_history(cid)[-1] == (
        "Rejected", "201: Order rejected - reason: not enough shortable shares")


def test_venue_margin_refusal_reaches_the_order_as_margin(tmp_path):
    rig = Rig(tmp_path / "m.sqlite", checksubmit=False)
    try:
        rig.bar()
        order = rig.broker.buy(None, rig.datas["AAA"], 10_000)
        rig.bar(2)
        assert rig.statuses(order) == ["Submitted", "Margin"]
        assert order.info["venue_code"] == 201 and "cash" in order.info["venue_text"]
    finally:
        rig.close()


def test_local_cash_check_refuses_before_anything_is_journaled_or_sent(rig):
    order = rig.broker.buy(None, rig.datas["AAA"], 10_000)
    rig.pump()
    assert order.getstatusname() == "Margin"
    assert rig.venue.placed == [] and len(rig.broker.journal.registry) == 0


def test_risk_limit_rejects_before_the_order_leaves(tmp_path):
    rig = Rig(tmp_path / "r.sqlite", risk=RiskLimits(max_order_size=5))
    try:
        rig.bar()
        order = rig.broker.buy(None, rig.datas["AAA"], 6)
        rig.pump()
        assert order.getstatusname() == "Rejected" and "max_order_size" in order.info["reason"]
        assert rig.venue.placed == []
    finally:
        rig.close()


def test_duplicate_execution_is_applied_once(rig):
    rig.venue.inject(duplicate=1)
    data = rig.datas["AAA"]
    order = rig.broker.buy(None, data, 7)
    rig.bar(2)
    assert len(order.executed.exbits) == 1 and order.executed.size == 7
    assert rig.broker.getposition(data).size == 7
    assert rig.broker.getcash() == pytest.approx(venue_cash(rig), abs=1e-9)
    assert len(rig.broker.journal.fills()) == 1


def test_commission_before_its_execution_is_still_charged_once(rig):
    rig.venue.inject(swap=1)
    order = rig.broker.buy(None, rig.datas["BBB"], 7)
    rig.bar(2)
    assert order.executed.comm == pytest.approx(7 * order.executed.price * 0.001)
    assert rig.broker.getcash() == pytest.approx(venue_cash(rig), abs=1e-9)


def test_journal_records_the_order_before_the_adapter_sends_it(rig):
    seen = []
    send = rig.broker._venue_submit

    def spy(order, client_id):
        seen.append(rig.broker.journal.registry.state(client_id).status)
        send(order, client_id)

    rig.broker._venue_submit = spy
    order = rig.broker.buy(None, rig.datas["AAA"], 1)
    rig.pump()
    assert seen == ["Submitted"] and rig.venue.placed == [order.info["client_id"]]


def test_bracket_children_wait_for_the_parent_and_one_exit_cancels_the_other(rig):
    data = rig.datas["AAA"]
    close = data.close[0]
    parent = rig.broker.buy(None, data, 10, exectype=Order.Market, transmit=False)
    stop = rig.broker.sell(None, data, 10, price=close * 0.5, exectype=Order.Stop, parent=parent,
                           transmit=False)
    assert rig.venue.placed == [] and rig.statuses(parent) == []
    limit = rig.broker.sell(None, data, 10, price=close * 1.0001, exectype=Order.Limit, parent=parent)
    groups = [rig.broker.group_of(o) for o in (parent, stop, limit)]
    assert [g.transmit for g in groups] == [False, False, True]
    assert groups[1].parent == groups[2].parent == parent.info["client_id"]
    rig.bar(30)
    assert parent.getstatusname() == "Completed"
    assert {stop.getstatusname(), limit.getstatusname()} == {"Completed", "Canceled"}
    assert rig.broker.getposition(data).size == rig.venue.positions()["AAA"] == 0


def test_oco_group_is_named_by_its_first_member(rig):
    data = rig.datas["BBB"]
    close = data.close[0]
    a = rig.broker.buy(None, data, 2, price=close * 0.5, exectype=Order.Limit)
    b = rig.broker.buy(None, data, 2, price=close * 2.0, exectype=Order.Stop, oco=a)
    assert rig.broker.group_of(a).oco is None
    assert rig.broker.group_of(b).oco == a.info["client_id"]
    rig.bar()
    rig.broker.cancel(a)
    rig.pump()
    assert a.getstatusname() == "Canceled" and b.getstatusname() == "Canceled"


def test_commission_reported_after_the_fill_replaces_the_estimate(tmp_path):
    from tradebridge.live import Event, Kind, VenueExecution

    rig = Rig(tmp_path / "c.sqlite")
    try:
        broker = rig.broker
        broker.setcommission(commission=0.002)  # the local estimate
        rig.bar()
        order = broker.buy(None, rig.datas["AAA"], 10)
        rig.pump()
        cid = order.info["client_id"]
        cash0 = broker.getcash()
        broker.on_event(Event(Kind.EXECUTION, VenueExecution("X1", "AAA", 10, 100.0, client_id=cid)))
        assert order.executed.comm == pytest.approx(2.0)
        assert broker.getcash() == pytest.approx(cash0 - 1000.0 - 2.0)
        broker.on_event(Event(Kind.COMMISSION, ("X1", 0.35)))
        assert order.executed.comm == pytest.approx(0.35)
        assert order.executed.exbits[0].openedcomm == pytest.approx(0.35)
        assert broker.getcash() == pytest.approx(cash0 - 1000.0 - 0.35)
        broker.on_event(Event(Kind.COMMISSION, ("X1", 0.35)))  # repeated: no change
        broker.on_event(Event(Kind.EXECUTION, VenueExecution("X1", "AAA", 10, 100.0, client_id=cid)))
        assert broker.getcash() == pytest.approx(cash0 - 1000.0 - 0.35)
        assert broker.journal.commission("X1") == 0.35
    finally:
        rig.close()


def test_unknown_instrument_is_rejected_with_the_venue_code(rig):
    import tradebridge as tb

    other = tb.feeds.PandasData(dataname=rig.frames["AAA"], name="ZZZ")
    other._start()
    other.preload()
    other.advance()
    order = rig.broker.buy(None, other, 1)
    rig.pump()
    assert order.getstatusname() == "Rejected" and order.info["venue_code"] == 200


def test_account_events_set_cash_and_value(tmp_path):
    rig = Rig(tmp_path / "a.sqlite", account_updates=True)
    try:
        rig.bar()
        rig.broker.buy(None, rig.datas["AAA"], 10)
        rig.bar(3)
        assert rig.broker.getcash() == rig.venue.engine.getcash()
        assert rig.broker.getvalue() == rig.venue.engine.getvalue()
        d = rig.datas["AAA"]
        assert rig.broker.getvalue([d]) == pytest.approx(10 * d.close[0])
    finally:
        rig.close()


def test_value_from_fills_marks_positions_at_the_close_like_the_venue(rig):
    rig.broker.buy(None, rig.datas["AAA"], 12)
    rig.broker.sell(None, rig.datas["BBB"], 7)
    rig.bar(3)
    assert rig.broker.value is None  # no account values from this venue
    assert rig.broker.getvalue() == pytest.approx(rig.venue.engine.getvalue(), abs=1e-9)
    assert rig.broker.getposition(rig.datas["BBB"]).size == -7
