"""The fake Visual Chart: the event sequences of data, orders, fills, balances and server outages,
read back through the seam and the mapping as a store would."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from tradebridge.orders.order import Order
from tradebridge.venues.vc.fake import FakeSymbol, FakeVC, bar_record
from tradebridge.venues.vc.mapping import account_values, order_fields, order_update, positions
from tradebridge.venues.vc.seam import ComCallError, ComEvent

ES = "010001ES"
T0 = dt.datetime(2026, 11, 23, 9, 0)


def _bar(i: int, o: float, h: float, l: float, c: float) -> dict:
    return bar_record(T0 + dt.timedelta(minutes=i), o, h, l, c, volume=100)


def _fake(**kw) -> FakeVC:
    history = [_bar(i, 100 + i, 101 + i, 99 + i, 100.5 + i) for i in range(3)]
    fake = FakeVC({ES: FakeSymbol.future("E-mini S&P", history, point_value=1.0)}, **kw)
    fake.connect()
    return fake


def _send(fake: FakeVC, exectype, isbuy=True, size=1, **kw) -> str:
    fields = order_fields(account="A1", symbol=ES, exectype=exectype, isbuy=isbuy, size=size,
                          client_id=f"tb-t-{exectype}-{size}", now=T0, **kw)
    return fake.call("trader", "send_order", order=fields)


def _names(events: list[ComEvent]) -> list[str]:
    return [e.name for e in events]


def test_history_then_live_bars_through_a_serie() -> None:
    fake = _fake()
    assert fake.call("datasource", "symbol_info", symbol=ES)["Type"] == "IT_Future"
    serie = fake.call("datasource", "open_serie", symbol=ES, ct="CT_Minutes", compression=1,
                      start=T0 + dt.timedelta(minutes=1), live=True)
    assert fake.call("datasource", "serie_size", serie=serie) == 2
    bars = fake.call("datasource", "serie_bars", serie=serie, first=1, last=2)
    assert [b["Open"] for b in bars] == [101, 102]
    fake.push_bar(ES, _bar(3, 103, 104, 102, 103.5))
    assert fake.pump(0) == [ComEvent("datasource", "OnNewDataSerieBar", {"serie": serie, "size": 3})]
    assert fake.call("datasource", "serie_bars", serie=serie, first=3, last=3)[0]["Close"] == 103.5
    with pytest.raises(ComCallError, match="has bars 1..3, asked 2..4"):
        fake.call("datasource", "serie_bars", serie=serie, first=2, last=4)
    fake.call("datasource", "close_serie", serie=serie)
    with pytest.raises(ComCallError, match="no open serie"):
        fake.call("datasource", "serie_size", serie=serie)


def test_a_historical_serie_gets_no_live_bars() -> None:
    fake = _fake()
    serie = fake.call("datasource", "open_serie", symbol=ES, ct="CT_Minutes", compression=1, start=T0,
                      end=T0 + dt.timedelta(minutes=1))
    fake.push_bar(ES, _bar(3, 103, 104, 102, 103.5))
    assert fake.call("datasource", "serie_size", serie=serie) == 2
    assert "OnNewDataSerieBar" not in _names(fake.pump(0))


def test_a_feed_request_says_whether_the_symbol_exists_then_ticks_arrive() -> None:
    fake = _fake()
    fake.call("realtime", "request_feed", symbol=ES)
    fake.call("realtime", "request_feed", symbol="010999XX")
    found, missing = (e.args["ticks"][0] for e in fake.pump(0))
    assert found["Field"] == "Field_Description" and found["Date"] > 0
    assert (missing["Date"], missing["Text"]) == (0.0, "Not Found")
    fake.push_tick(ES, 104.25, 3, T0 + dt.timedelta(minutes=4))
    (event,) = fake.pump(0)
    assert event.name == "OnNewTicks" and event.args["ticks"][0]["Value"] == 104.25
    fake.call("realtime", "cancel_feed", symbol=ES)
    fake.push_tick(ES, 104.5, 1, T0 + dt.timedelta(minutes=5))
    assert fake.pump(0) == []


@pytest.mark.parametrize(
    ("exectype", "kw", "bar", "price"),
    [
        (Order.Market, {}, (103, 105, 102, 104), 103),  # next open
        (Order.Close, {}, (103, 105, 102, 104), 104),  # next close (close auction)
        (Order.Limit, {"price": 102.5}, (103, 105, 102, 104), 102.5),  # low reaches the limit
        (Order.Limit, {"price": 104}, (103, 105, 102, 104), 103),  # opens below the limit: the open
        (Order.Stop, {"price": 104.5}, (103, 105, 102, 104), 104.5),  # high reaches the stop
        (Order.StopLimit, {"price": 104.5, "pricelimit": 104.75}, (103, 105, 102, 104), 104.5),
    ],
)
def test_each_order_type_is_accepted_then_fills_at_the_backtest_price(exectype, kw, bar, price) -> None:
    fake = _fake()
    order_id = _send(fake, exectype, size=2, **kw)
    accepted = fake.pump(0)
    assert _names(accepted) == ["OnNewOrderLocation", "OnOrderInMarket"]
    update = order_update("OnOrderInMarket", accepted[1].args["order"])
    assert update.order.status == "Accepted" and update.order.venue_ids["OrderId"] == order_id
    fake.push_bar(ES, _bar(3, *bar))
    events = fake.pump(0)
    assert _names(events) == ["OnTotalExecutedOrder", "OnChangedOpenPositions", "OnChangedBalance"]
    fill = order_update("OnTotalExecutedOrder", events[0].args["order"], size=2.0).execution
    assert (fill.size, fill.price, fill.client_id) == (2.0, price, f"tb-t-{exectype}-2")


def test_an_order_the_bar_does_not_reach_stays_in_the_market() -> None:
    fake = _fake()
    order_id = _send(fake, Order.Limit, price=90.0)
    fake.pump(0)
    fake.push_bar(ES, _bar(3, 103, 105, 102, 104))
    assert fake.pump(0) == []
    assert [o["OrderId"] for o in fake.call("trader", "orders", account="A1")] == [order_id]


def test_limited_liquidity_gives_partial_executions_that_sum_to_the_order() -> None:
    fake = _fake(liquidity=2)
    _send(fake, Order.Market, isbuy=False, size=5)
    fake.pump(0)
    reports, filled = [], 0.0
    for i in range(3):
        fake.push_bar(ES, _bar(3 + i, 103 + i, 104 + i, 102 + i, 103.5 + i))
        for event in fake.pump(0):
            if event.name.endswith("ExecutedOrder"):
                update = order_update(event.name, event.args["order"], size=-5.0, filled=filled)
                filled = update.order.filled
                reports.append((event.name, update.execution.size, update.execution.price))
    assert reports == [("OnPartialExecutedOrder", -2.0, 103), ("OnPartialExecutedOrder", -2.0, 104),
                       ("OnTotalExecutedOrder", -1.0, 105)]
    assert positions(fake.call("trader", "positions", account="A1")) == {ES: -5.0}
    cash = account_values(fake.call("trader", "balance", account="A1"))["cash"]
    assert cash == 100_000.0 + 2 * 103 + 2 * 104 + 105
    assert fake.call("trader", "orders", account="A1") == []


def test_cancel_reports_cancelled_once_and_refuses_a_second_cancel() -> None:
    fake = _fake()
    order_id = _send(fake, Order.Limit, price=90.0)
    fake.pump(0)
    fake.call("trader", "cancel_order", order_id=order_id)
    (event,) = fake.pump(0)
    assert order_update(event.name, event.args["order"]).order.status == "Canceled"
    with pytest.raises(ComCallError, match=f"order '{order_id}' is Canceled"):
        fake.call("trader", "cancel_order", order_id=order_id)
    with pytest.raises(ComCallError, match="no order '999'"):
        fake.call("trader", "cancel_order", order_id="999")
    fake.push_bar(ES, _bar(3, 85, 95, 80, 90))
    assert fake.pump(0) == []


def test_modify_moves_the_limit_and_the_fill_follows() -> None:
    fake = _fake()
    order_id = _send(fake, Order.Limit, price=90.0)
    fake.pump(0)
    fake.call("trader", "modify_order", order_id=order_id, price=102.5)
    (event,) = fake.pump(0)
    assert (event.name, event.args["order"]["Price"]) == ("OnModifiedOrder", 102.5)
    fake.push_bar(ES, _bar(3, 103, 105, 102, 104))
    assert fake.pump(0)[0].args["order"]["Price"] == 102.5


def test_a_refused_order_names_the_field_and_changes_nothing() -> None:
    fake = _fake()
    fields = order_fields(account="A1", symbol=ES, exectype=Order.Market, isbuy=True, size=1,
                          client_id="tb-x-1", now=T0)
    with pytest.raises(ComCallError, match="unknown Account 'ZZ'"):
        fake.call("trader", "send_order", order={**fields, "Account": "ZZ"})
    with pytest.raises(ComCallError, match="symbol '010999XX' not found"):
        fake.call("trader", "send_order", order={**fields, "SymbolCode": "010999XX"})
    assert fake.pump(0) == [] and fake.venue.orders == {}


def test_balance_and_net_worth_follow_fills_and_marks() -> None:
    fake = _fake()
    _send(fake, Order.Market, size=3)
    fake.push_bar(ES, _bar(3, 103, 105, 102, 104))
    fake.pump(0)
    values = account_values(fake.call("trader", "balance", account="A1"))
    assert values["cash"] == 100_000.0 - 3 * 103
    assert values["value"] == values["cash"] + 3 * 104
    assert fake.call("trader", "accounts") == [{"Account": "A1", "Cash": values["cash"],
                                                "NetWorth": values["value"]}]


def test_server_shutdown_refuses_calls_then_replays_what_happened_on_return() -> None:
    fake = _fake()
    _send(fake, Order.Market, size=1)
    fake.pump(0)
    fake.shutdown()
    assert _names(fake.pump(0)) == ["OnServerShutDown", "OnServerShutDown"]
    with pytest.raises(ComCallError, match="server is not available"):
        fake.call("trader", "orders", account="A1")
    fake.push_bar(ES, _bar(3, 103, 105, 102, 104))  # the market goes on: the order fills meanwhile
    assert fake.pump(0) == []
    fake.restore()
    events = fake.pump(0)
    assert events[0] == ComEvent("realtime", "OnInternalEvent", {"p1": 1, "p2": 1, "p3": 0})
    assert "OnTotalExecutedOrder" in _names(events)
    assert positions(fake.call("trader", "positions", account="A1")) == {ES: 1.0}


def test_a_dropped_connection_loses_the_events_when_missed_is_drop() -> None:
    fake = _fake(missed="drop")
    _send(fake, Order.Market, size=1)
    fake.pump(0)
    fake.disconnect()
    assert fake.pump(0) == [ComEvent("realtime", "OnInternalEvent", {"p1": 1, "p2": 0, "p3": 0})]
    fake.push_bar(ES, _bar(3, 103, 105, 102, 104))
    fake.restore()
    assert "OnTotalExecutedOrder" not in _names(fake.pump(0))
    assert positions(fake.call("trader", "positions", account="A1")) == {ES: 1.0}  # the venue's truth


def test_pump_sleeps_until_an_event_arrives_from_another_thread() -> None:
    fake = _fake()
    assert fake.pump(0.01) == []
    timer = threading.Timer(0.05, fake.push_bar, (ES, _bar(3, 103, 105, 102, 104)))
    fake.call("datasource", "open_serie", symbol=ES, ct="CT_Minutes", compression=1, start=T0, live=True)
    start = time.monotonic()
    timer.start()
    events = fake.pump(5.0)
    timer.join()
    assert _names(events) == ["OnNewDataSerieBar"] and time.monotonic() - start < 2.0


def test_calls_before_connect_and_unknown_verbs_are_refused() -> None:
    fake = FakeVC()
    with pytest.raises(ComCallError, match="not connected"):
        fake.call("trader", "accounts")
    fake.connect()
    with pytest.raises(ComCallError, match="unknown verb 'sell'"):
        fake.call("trader", "sell")
    with pytest.raises(ValueError, match="missed must be 'replay' or 'drop'"):
        FakeVC(missed="keep")


def test_wake_ends_a_waiting_pump_from_another_thread_and_is_not_lost_when_early() -> None:
    fake = _fake()
    threading.Timer(0.05, fake.wake).start()
    started = time.monotonic()
    assert fake.pump(10.0) == []
    assert time.monotonic() - started < 5.0
    fake.wake()  # before the pump: the next pump returns at once
    started = time.monotonic()
    assert fake.pump(10.0) == [] and time.monotonic() - started < 5.0
