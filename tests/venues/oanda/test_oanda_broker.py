"""OandaBroker through Cerebro against the real v20 sandbox: market, limit, stop, stop-limit, a
bracket with TP/SL (and a trailing stop), validity, cancels, rejections with OANDA's reason,
cash/value from the account."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from oanda_live_kit import (
    run_script,
    sandbox,
    venue_fills,
    venue_orders,
    venue_position,
    venue_summary,
    venue_truth,
)

import tradebridge as bt
from tradebridge.venues.oanda import models as m
from tradebridge.venues.oanda.client import OandaClient

_OURS = {"FILLED": "Completed", "CANCELLED": "Canceled", "PENDING": "Accepted"}


def test_market_buy_fills_as_the_sandbox_filled_it_and_cash_value_come_from_the_account(tmp_path):
    orders = {}

    def buy(s):
        orders["buy"] = s.buy(size=1000)

    with sandbox() as sb:
        strat, broker = run_script(sb, tmp_path / "j.sqlite", {1: buy}, stop_at=6)
        venue = venue_orders(sb)
        summary = venue_summary(sb)
        position = venue_position(sb)
        fills = venue_fills(sb)
    order = orders["buy"]
    assert strat.statuses(order) == ["Submitted", "Accepted", "Completed"]
    kind, state, fields, result = venue[order.info["client_id"]]
    assert (kind, state, fields["units"]) == ("MARKET", "FILLED", "1000")
    assert order.executed.price == float(fills[result["fillingTransactionID"]]["price"])
    assert broker.getposition(strat.data).size == 1000 == position
    assert broker.getvalue() == pytest.approx(float(summary["NAV"]), abs=5)
    assert broker.account["balance"] == pytest.approx(float(summary["balance"]))
    assert broker.getcash() == pytest.approx(float(summary["marginAvailable"]), abs=5)


@pytest.mark.parametrize(
    "exectype,price,plimit,v20",
    [
        (bt.Order.Limit, 1.001, None, "LIMIT"),
        (bt.Order.Stop, 0.999, None, "STOP"),
        (bt.Order.StopLimit, 0.999, 1.002, "STOP"),
    ],
)
def test_each_priced_order_type_goes_as_its_v20_type_and_fills_as_the_sandbox_says(
    tmp_path, exectype, price, plimit, v20
):
    orders = {}

    def buy(s):
        close = s.data.close[0]
        orders["o"] = s.buy(
            size=2000,
            exectype=exectype,
            price=close * price,
            plimit=None if plimit is None else close * plimit,
        )

    with sandbox() as sb:
        strat, broker = run_script(sb, tmp_path / "j.sqlite", {1: buy}, stop_at=6)
        venue = venue_orders(sb)
        fills = venue_fills(sb)
    order = orders["o"]
    kind, state, fields, result = venue[order.info["client_id"]]
    assert kind == v20 and fields["price"] == f"{order.price:.5f}"
    assert ("priceBound" in fields) == (exectype == bt.Order.StopLimit)
    assert fields["timeInForce"] == "GTC"
    assert state == "FILLED" and strat.statuses(order) == ["Submitted", "Accepted", "Completed"]
    assert order.executed.price == float(fills[result["fillingTransactionID"]]["price"])
    assert broker.getposition(strat.data).size == 2000


def test_a_resting_limit_is_cancelled_by_client_id_and_gtd_and_day_validity_map_to_gtd_and_gfd(tmp_path):
    orders = {}

    def place(s):
        close = s.data.close[0]
        orders["gtc"] = s.buy(size=1000, exectype=bt.Order.Limit, price=close * 0.95)
        orders["gtd"] = s.buy(
            size=1000,
            exectype=bt.Order.Limit,
            price=close * 0.95,
            valid=s.data.datetime.datetime(0) + dt.timedelta(hours=1),
        )
        orders["day"] = s.sell(size=1000, exectype=bt.Order.Limit, price=close * 1.05, valid=bt.Order.DAY)

    def cancel(s):
        for order in orders.values():
            s.cancel(order)

    with sandbox() as sb:
        strat, _ = run_script(sb, tmp_path / "j.sqlite", {1: place, 3: cancel}, stop_at=40)
        venue = venue_orders(sb)
    tifs = {k: venue[o.info["client_id"]][2]["timeInForce"] for k, o in orders.items()}
    assert tifs == {"gtc": "GTC", "gtd": "GTD", "day": "GFD"}
    assert "gtdTime" in venue[orders["gtd"].info["client_id"]][2]
    for order in orders.values():
        assert venue[order.info["client_id"]][1] == "CANCELLED"
        assert strat.statuses(order) == ["Submitted", "Accepted", "Canceled"]
        assert order.info["venue_code"] == "CLIENT_REQUEST"


def test_bracket_goes_as_one_order_with_tp_and_sl_on_fill_and_the_children_follow_the_sandbox(tmp_path):
    orders = {}

    def bracket(s):
        close = s.data.close[0]
        orders["b"] = s.buy_bracket(
            size=1000, exectype=bt.Order.Market, stopprice=close * 0.9998, limitprice=close * 1.0002
        )

    with sandbox() as sb:
        strat, broker = run_script(sb, tmp_path / "j.sqlite", {1: bracket}, stop_at=120)
        venue = venue_orders(sb)
        position = venue_position(sb)
    parent, stop, limit = orders["b"]
    kind, state, fields, _ = venue[parent.info["client_id"]]
    assert kind == "MARKET" and state == "FILLED"
    assert fields["takeProfitOnFill"]["clientExtensions"]["id"] == limit.info["client_id"]
    assert fields["stopLossOnFill"]["clientExtensions"]["id"] == stop.info["client_id"]
    assert parent.getstatusname() == "Completed"
    tp, sl = venue[limit.info["client_id"]], venue[stop.info["client_id"]]
    assert (tp[0], sl[0]) == ("TAKE_PROFIT", "STOP_LOSS")
    assert limit.getstatusname() == _OURS[tp[1]] and stop.getstatusname() == _OURS[sl[1]]
    assert sorted([tp[1], sl[1]]) == ["CANCELLED", "FILLED"]  # one exit closed the trade
    assert broker.getposition(strat.data).size == position == 0


def test_a_bracket_with_a_trailing_stop_sends_trailing_stop_loss_on_fill(tmp_path):
    orders = {}

    def bracket(s):
        close = s.data.close[0]
        orders["b"] = s.buy_bracket(
            size=1000,
            exectype=bt.Order.Market,
            stopexec=bt.Order.StopTrail,
            stopargs={"trailamount": 0.0005},
            limitprice=close * 1.01,
        )

    with sandbox() as sb:
        strat, _ = run_script(sb, tmp_path / "j.sqlite", {1: bracket}, stop_at=5)
        venue = venue_orders(sb)
    parent, stop, limit = orders["b"]
    assert parent.info["client_id"] in venue, (strat.events, strat.messages)
    fields = venue[parent.info["client_id"]][2]
    assert fields["trailingStopLossOnFill"]["distance"] == "0.00050"
    assert venue[stop.info["client_id"]][0] == "TRAILING_STOP_LOSS"
    assert stop.getstatusname() == _OURS[venue[stop.info["client_id"]][1]]


def test_a_stand_alone_trailing_stop_is_refused_saying_v20_trails_only_trades(tmp_path):
    orders = {}

    def sell(s):
        orders["t"] = s.sell(size=1000, exectype=bt.Order.StopTrail, trailamount=0.001)

    with sandbox() as sb:
        strat, _ = run_script(sb, tmp_path / "j.sqlite", {1: sell}, stop_at=3)
        venue = venue_orders(sb)
    order = orders["t"]
    assert strat.statuses(order)[-1] == "Rejected" and not venue
    assert "only on an open trade" in order.info["reason"]


def test_a_venue_rejection_carries_oandas_reject_reason_and_message(tmp_path):
    orders = {}

    def buy(s):
        orders["big"] = s.buy(size=200_000_000)

    with sandbox() as sb:
        strat, broker = run_script(
            sb, tmp_path / "j.sqlite", {1: buy}, stop_at=4, broker_kwargs={"checksubmit": False}
        )
        txns = sb.call(lambda: [t["type"] for t in sb.state.account.txns])
    order = orders["big"]
    assert strat.statuses(order) == ["Submitted", "Rejected"]
    assert order.info["venue_code"] == "UNITS_LIMIT_EXCEEDED"
    assert "exceeds the maximum order units" in order.info["venue_text"]
    assert "MARKET_ORDER_REJECT" in txns
    assert broker.getposition(strat.data).size == 0


def test_a_bracket_v20_cannot_take_is_rejected_whole_and_nothing_reaches_the_venue(tmp_path):
    orders = {}

    def bracket(s):
        orders["b"] = s.buy_bracket(
            size=1000,
            exectype=bt.Order.Market,
            stopexec=bt.Order.StopTrail,
            limitprice=s.data.close[0] * 1.01,
        )  # a trailing stop without a distance

    with sandbox() as sb:
        strat, _ = run_script(sb, tmp_path / "j.sqlite", {1: bracket}, stop_at=4)
        venue = venue_orders(sb)
    assert not venue
    for order in orders["b"]:
        assert strat.statuses(order)[-1] == "Rejected", (order.ref, strat.statuses(order))
    assert "trailamount or trailpercent" in orders["b"][1].info["venue_text"]


def test_one_strategy_backfills_goes_live_and_trades_every_kind_cancels_and_sees_a_rejection(tmp_path):
    orders = {}

    def enter(s):
        close = s.data.close[0]
        orders["market"] = s.buy(size=1000)
        orders["limit"] = s.buy(size=1000, exectype=bt.Order.Limit, price=close * 1.001)
        orders["stop"] = s.sell(size=1000, exectype=bt.Order.Stop, price=close * 1.001)
        orders["resting"] = s.buy(size=1000, exectype=bt.Order.Limit, price=close * 0.95)
        orders["bracket"] = s.buy_bracket(
            size=1000, exectype=bt.Order.Market, stopprice=close * 0.9998, limitprice=close * 1.0002
        )
        orders["refused"] = s.sell(size=150_000_000)

    def cancel(s):
        s.cancel(orders["resting"])

    with sandbox() as sb:
        strat, broker = run_script(
            sb,
            tmp_path / "j.sqlite",
            {1: enter, 3: cancel},
            stop_at=120,
            broker_kwargs={"checksubmit": False},
        )
        truth = venue_truth(sb)
        position = venue_position(sb)
    assert strat.backfilled >= 20 and strat.statuses_seen[:3] == ["CONNECTED", "DELAYED", "LIVE"]
    assert orders["market"].getstatusname() == orders["limit"].getstatusname() == "Completed"
    assert orders["stop"].getstatusname() == "Completed"
    assert orders["resting"].getstatusname() == "Canceled"
    assert orders["refused"].getstatusname() == "Rejected"
    assert orders["refused"].info["venue_code"] == "UNITS_LIMIT_EXCEEDED"
    for order in [orders["market"], orders["limit"], orders["stop"], orders["resting"], *orders["bracket"]]:
        assert order.getstatusname() == truth[order.info["client_id"]]
    assert broker.getposition(strat.data).size == position


def test_use_positions_starts_from_the_position_oanda_holds(tmp_path):
    async def external_trade(url, account):
        async with OandaClient("someone-else", account, base_url=url) as client:
            await client.create_order(
                m.OrderRequest.from_json({"type": "MARKET", "instrument": "EUR_USD", "units": "3000"})
            )

    with sandbox() as sb:
        asyncio.run(external_trade(sb.url, sb.account_id))
        strat, broker = run_script(sb, tmp_path / "a.sqlite", {}, stop_at=3)
        strat2, broker2 = run_script(
            sb, tmp_path / "b.sqlite", {}, stop_at=3, broker_kwargs={"use_positions": False}
        )
    assert broker.getposition(strat.data).size == 3000
    assert any("taken from OANDA (use_positions)" in m for m in strat.messages)
    assert broker2.getposition(strat2.data).size == 0
    assert any("EUR_USD" in m and "position" in m.lower() for m in strat2.messages)


def test_daily_financing_charged_while_away_reaches_the_balance_on_the_next_run(tmp_path):
    def buy(s):
        s.buy(size=10_000)

    with sandbox() as sb:
        run_script(sb, tmp_path / "j.sqlite", {1: buy}, stop_at=3)
        sb.step(16_000)  # past 17:00 New York: OANDA's daily financing
        strat, broker = run_script(sb, tmp_path / "j.sqlite", {}, stop_at=3)
        summary = venue_summary(sb)
        kinds = sb.call(lambda: [t["type"] for t in sb.state.account.txns])
    assert "DAILY_FINANCING" in kinds and float(summary["financing"]) != 0
    assert broker.account["balance"] == pytest.approx(float(summary["balance"]))
    assert broker.account["financing"] == pytest.approx(float(summary["financing"]))
    assert broker.getposition(strat.data).size == 10_000
