"""IBBroker through Cerebro against the real IB sandbox: every order type, validity, brackets,
OCO, partial fills, cancel, a rejection with IB's code and reason, commissions and cash from TWS."""

from __future__ import annotations

import pytest
from ib_broker_kit import run_script, venue_cash, venue_orders, venue_position
from ib_live_kit import sandbox

import tradebridge as bt
from tradebridge.live import Journal


def _round(price: float) -> float:
    return round(price, 2)  # AAPL's minTick


def test_market_buy_fills_with_ibs_commission_and_cash_value_and_position_follow_tws(tmp_path):
    orders = {}

    def buy(s):
        orders["buy"] = s.buy(size=10)

    with sandbox() as sb:
        strat, broker = run_script(sb, 31, tmp_path, {1: buy}, stop_at=4)
        (venue,) = venue_orders(sb, 31).values()
        cash = venue_cash(sb)
    order = orders["buy"]
    assert strat.statuses(order) == ["Submitted", "Accepted", "Completed"]
    assert order.executed.size == 10 and order.executed.price == venue.avg_price
    assert order.executed.comm == pytest.approx(venue.commission) and venue.commission > 0
    assert venue.req.order_ref == order.info["client_id"]  # our client id went as orderRef
    assert broker.getposition(strat.data).size == 10 == venue_position(sb)
    assert broker.getcash() == pytest.approx(cash)
    assert broker.getcommissioninfo(strat.data).p.mult == 1.0


@pytest.mark.parametrize("exectype,price,plimit,trail", [
    (bt.Order.Limit, 1.01, None, None),
    (bt.Order.Stop, 0.99, None, None),
    (bt.Order.StopLimit, 0.99, 1.02, None),
    (bt.Order.StopTrail, None, None, 0.001),
    (bt.Order.StopTrailLimit, 1.0, 1.02, 0.001),
])
def test_each_priced_order_type_reaches_tws_with_its_ib_fields_and_ends_as_the_sandbox_says(
        tmp_path, exectype, price, plimit, trail):
    orders = {}

    def sell(s):
        close = s.data.close[0]
        orders["order"] = s.sell(size=5, exectype=exectype,
                                 price=None if price is None else _round(close * (2 - price)),
                                 plimit=None if plimit is None else _round(close * (2 - plimit)),
                                 trailpercent=trail)

    with sandbox() as sb:
        strat, _ = run_script(sb, 32, tmp_path, {1: sell}, stop_at=40)
        (venue,) = venue_orders(sb, 32).values()
    order = orders["order"]
    ib_type = {bt.Order.Limit: "LMT", bt.Order.Stop: "STP", bt.Order.StopLimit: "STP LMT",
               bt.Order.StopTrail: "TRAIL", bt.Order.StopTrailLimit: "TRAIL LIMIT"}[exectype]
    assert venue.req.order_type == ib_type and venue.req.action == "SELL"
    if trail:
        assert venue.req.trailing_percent == pytest.approx(trail * 100)  # IB takes percent
    if exectype == bt.Order.StopLimit:
        assert (venue.req.aux_price, venue.req.lmt_price) == (order.price, order.pricelimit)
    if exectype == bt.Order.StopTrailLimit:
        assert venue.req.lmt_price_offset == pytest.approx(abs(order.price - order.pricelimit))
    assert strat.statuses(order)[:2] == ["Submitted", "Accepted"]
    ours = {"Filled": "Completed", "Submitted": "Accepted", "PreSubmitted": "Accepted"}[venue.status]
    assert order.getstatusname() == ("Partial" if ours == "Accepted" and order.executed.size else ours)
    assert -order.executed.size == venue.filled


def test_a_moc_order_and_a_day_order_are_sent_as_ib_asks_and_can_be_cancelled(tmp_path):
    orders = {}

    def place(s):
        orders["moc"] = s.buy(size=1, exectype=bt.Order.Close)
        orders["day"] = s.buy(size=1, exectype=bt.Order.Limit, price=_round(s.data.close[0] * 0.9),
                              valid=bt.Order.DAY)

    def cancel(s):
        s.cancel(orders["moc"])
        s.cancel(orders["day"])

    with sandbox() as sb:
        strat, _ = run_script(sb, 33, tmp_path, {1: place, 3: cancel}, stop_at=6)
        venue = venue_orders(sb, 33)
    moc, day = (venue[orders[k].info["client_id"]] for k in ("moc", "day"))
    assert (moc.req.order_type, day.req.order_type, day.req.tif) == ("MOC", "LMT", "DAY")
    assert moc.status == day.status == "Cancelled"
    assert strat.statuses(orders["moc"])[-1] == strat.statuses(orders["day"])[-1] == "Canceled"


def test_bracket_goes_as_parent_and_children_then_one_exit_cancels_the_other(tmp_path):
    orders = {}

    def bracket(s):
        close = s.data.close[0]
        orders["b"] = s.buy_bracket(size=10, exectype=bt.Order.Market, stopprice=_round(close * 0.99995),
                                    limitprice=_round(close * 1.00005))

    with sandbox() as sb:
        strat, broker = run_script(sb, 34, tmp_path, {1: bracket}, stop_at=60)
        venue = venue_orders(sb, 34)
        position = venue_position(sb)
    parent, stop, limit = orders["b"]
    vp, vs, vl = (venue[o.info["client_id"]] for o in (parent, stop, limit))
    assert vs.req.parent_id == vl.req.parent_id == vp.order_id
    assert (vp.req.transmit, vs.req.transmit, vl.req.transmit) == (False, False, True)
    assert parent.getstatusname() == "Completed"
    assert sorted([stop.getstatusname(), limit.getstatusname()]) == ["Canceled", "Completed"]
    assert sorted([vs.status, vl.status]) == ["Cancelled", "Filled"]
    assert broker.getposition(strat.data).size == position == 0


def test_oco_orders_share_an_ib_oca_group_and_the_first_fill_cancels_the_other(tmp_path):
    orders = {}

    def oco(s):
        close = s.data.close[0]
        first = s.buy(size=3, exectype=bt.Order.Limit, price=_round(close * 0.9999))
        second = s.sell(size=3, exectype=bt.Order.Limit, price=_round(close * 1.0001), oco=first)
        orders.update(first=first, second=second)

    with sandbox() as sb:
        strat, _ = run_script(sb, 35, tmp_path, {1: oco}, stop_at=80)
        venue = venue_orders(sb, 35)
    first, second = orders["first"], orders["second"]
    vf, vs = venue[first.info["client_id"]], venue[second.info["client_id"]]
    assert vf.req.oca_group == vs.req.oca_group == first.info["client_id"]
    assert sorted([vf.status, vs.status]) == ["Cancelled", "Filled"]
    assert sorted([first.getstatusname(), second.getstatusname()]) == ["Canceled", "Completed"]


def test_partial_fills_arrive_as_partial_then_completed_each_fill_once(tmp_path):
    orders = {}

    def buy(s):
        orders["buy"] = s.buy(size=100)

    with sandbox(liquidity=30) as sb:
        strat, _ = run_script(sb, 36, tmp_path, {1: buy}, stop_at=8)
        (venue,) = venue_orders(sb, 36).values()
        execs = [r.execution for r in sb.server.exchange.executions]
    order = orders["buy"]
    statuses = strat.statuses(order)
    assert statuses.count("Partial") == 3 and statuses[-1] == "Completed"
    assert [b.size for b in order.executed.exbits] == [e.shares for e in execs] == [30, 30, 30, 10]
    assert venue.filled == order.executed.size == 100
    with Journal(tmp_path / "journal-36.sqlite") as journal:
        assert sorted(f.exec_id for f in journal.fills()) == sorted(e.exec_id for e in execs)


def test_a_rejection_carries_ibs_code_and_reason_in_order_info(tmp_path):
    orders = {}

    def buy(s):
        orders["buy"] = s.buy(size=10)

    with sandbox() as sb:
        sb.run(sb.server.reject_next_order, "No trading permissions for this contract")
        strat, broker = run_script(sb, 37, tmp_path, {1: buy}, stop_at=3)
    order = orders["buy"]
    assert strat.statuses(order)[-1] == "Rejected"
    info = strat.info(order)
    assert info["venue_code"] == 201
    assert "No trading permissions for this contract" in info["venue_text"]
    assert broker.getposition(strat.data).size == 0


def test_a_price_off_the_tick_is_rejected_by_tws_with_error_110(tmp_path):
    orders = {}

    def buy(s):
        orders["buy"] = s.buy(size=1, exectype=bt.Order.Limit, price=s.data.close[0] * 0.98765)

    with sandbox() as sb:
        strat, _ = run_script(sb, 38, tmp_path, {1: buy}, stop_at=3)
    order = orders["buy"]
    assert strat.statuses(order)[-1] == "Rejected"
    assert strat.info(order)["venue_code"] == 110


def test_orders_and_cancels_held_back_by_the_message_rate_limit_reach_tws_before_the_store_disconnects(
        tmp_path):
    placed = []

    def place_and_cancel(s):  # 6 messages a bar on bars replayed far faster than 5 s apart
        for _ in range(3):
            order = s.buy(size=10, exectype=bt.Order.Limit, price=_round(s.data.close[0] * 0.9))
            placed.append(order)
            s.cancel(order)

    with sandbox() as sb:
        strat, broker = run_script(sb, 62, tmp_path, {n: place_and_cancel for n in range(2, 12)}, stop_at=14)
        sb.call(sb.server.until(lambda: 62 not in sb.server.sessions))  # TWS read all the client sent
        venue = venue_orders(sb, 62)
    sent = [o.info["client_id"] for o in placed]
    assert len(sent) == 30 and set(sent) <= set(venue)  # every order reached TWS: none dropped at the stop
    assert not [cid for cid, w in venue.items() if w.alive]  # and every cancel: nothing left working
    assert not [m for m in strat.messages if "held back" in str(m)]
