"""Property: whatever the bars, orders, cancels and server outages, the fills a store reads from the
fake's events (through the mapping) are each reported once, never exceed an order, and add up to
the positions and cash the fake reports."""

from __future__ import annotations

import datetime as dt

from hypothesis import event as note_case
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebridge.orders.order import Order
from tradebridge.venues.vc.fake import FakeSymbol, FakeVC, bar_record
from tradebridge.venues.vc.mapping import order_fields, order_update, positions
from tradebridge.venues.vc.seam import ComCallError

ES = "010001ES"
T0 = dt.datetime(2026, 11, 23, 9, 0)

_exectypes = st.sampled_from([Order.Market, Order.Close, Order.Limit, Order.Stop, Order.StopLimit])
_order = st.tuples(_exectypes, st.booleans(), st.integers(min_value=1, max_value=6),
                   st.integers(min_value=-4, max_value=4))
_bar = st.tuples(st.integers(min_value=-3, max_value=3), st.integers(min_value=0, max_value=3))
_step = st.one_of(
    st.tuples(st.just("order"), _order),
    st.tuples(st.just("bar"), _bar),
    st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("outage"), st.booleans()),
)


class _Store:
    """What a store keeps per order from the events: signed size and filled; every fill by exec id."""

    def __init__(self, fake: FakeVC) -> None:
        self.fake = fake
        self.orders: dict[str, list[float]] = {}
        self.fills: dict[str, float] = {}
        self.cash_flow = 0.0

    def send(self, exectype: int, isbuy: bool, size: int, offset: int, last: float) -> None:
        price = last + offset
        fields = order_fields(account="A1", symbol=ES, exectype=exectype, isbuy=isbuy, size=size,
                              price=max(price, 1.0), pricelimit=max(price + (1 if isbuy else -1), 1.0),
                              client_id=f"tb-p-{len(self.orders)}", now=T0)
        order_id = self.fake.call("trader", "send_order", order=fields)
        self.orders[order_id] = [size if isbuy else -size, 0.0]

    def read(self) -> None:
        for event in self.fake.pump(0):
            if event.source != "trader" or "order" not in event.args:
                continue
            order_id = event.args["order"]["OrderId"]
            size, filled = self.orders[order_id]
            update = order_update(event.name, event.args["order"], size, filled)
            self.orders[order_id][1] = update.order.filled
            ex = update.execution
            if ex is not None:
                assert ex.exec_id not in self.fills, "a fill reported twice"
                self.fills[ex.exec_id] = ex.size
                self.cash_flow -= ex.size * ex.price


@settings(max_examples=100, deadline=None)
@given(st.lists(_step, min_size=1, max_size=40), st.sampled_from([None, 1, 2]))
def test_fills_read_from_events_are_once_each_and_match_positions_and_cash(steps, liquidity) -> None:
    fake = FakeVC({ES: FakeSymbol.future("E-mini", [bar_record(T0, 100, 101, 99, 100)])}, liquidity=liquidity)
    fake.connect()
    store, last, minute, down = _Store(fake), 100.0, 0, False
    for kind, arg in steps:
        if kind == "bar":
            minute += 1
            move, spread = arg
            o, c = last, last + move
            last = c
            fake.push_bar(ES, bar_record(T0 + dt.timedelta(minutes=minute), o, max(o, c) + spread,
                                         min(o, c) - spread, c))
        elif kind == "outage":
            if down:
                fake.restore()
            elif arg:
                fake.shutdown()
            else:
                fake.disconnect()
            down = not down
        elif down:
            continue  # calls are refused while the server is away
        elif kind == "order":
            store.send(*arg, last)
        elif store.orders:
            try:
                fake.call("trader", "cancel_order", order_id=sorted(store.orders)[arg % len(store.orders)])
            except ComCallError as exc:
                assert "can no longer change" in str(exc)
        store.read()
    if down:
        fake.restore()
    store.read()
    for order_id, (size, filled) in store.orders.items():
        assert abs(filled) <= abs(size) and filled * size >= 0
        assert filled == fake.venue.orders[order_id].filled * fake.venue.orders[order_id].sign
    net = sum(store.fills.values())
    assert positions(fake.call("trader", "positions", account="A1")).get(ES, 0.0) == net
    cash = fake.call("trader", "balance", account="A1")["Cash"]
    assert abs(cash - (100_000.0 + store.cash_flow)) < 1e-6
    note_case("fills" if store.fills else "no fill")
