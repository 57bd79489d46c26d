"""Account arithmetic of the sandbox exchange: positions, cash, commissions, NetLiquidation,
account values and portfolio, checked on hand-made cases and on random order sequences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ib_exchange_kit import EURUSD, bar, of, order, place

from tradebridge.orders.fillers import FixedSize
from tradebridge.venues.ib.sandbox.events import (
    UNSET_DOUBLE,
    AccountValue,
    CommissionEvent,
    ExecutionEvent,
    PortfolioValue,
    PositionUpdate,
)
from tradebridge.venues.ib.sandbox.exchange import Exchange

START = 1_000_000.0


def _values(events, currency: str = "USD") -> dict[str, float]:
    return {e.key: float(e.value) for e in of(events, AccountValue) if e.currency == currency}


def test_forex_trade_moves_usd_cash_and_values_the_eur_position_at_the_last_rate():
    ex = Exchange()
    ex.connect(1)
    ex.on_bar("EUR.USD", bar(0, 1.1, 1.1010, 1.0990, 1.1))
    place(ex, 1, order("BUY", 20_000), contract=EURUSD)
    events = ex.on_bar("EUR.USD", bar(1, 1.1002, 1.1010, 1.0995, 1.1005))
    (report,) = of(events, CommissionEvent)
    assert report.report.commission == 2.0 and report.report.currency == "USD"  # 0.2 bps is 0.44: minimum 2
    assert ex.account.cash["USD"] == pytest.approx(START - 20_000 * 1.1002 - 2.0)
    assert ex.summary()["NetLiquidation"] == pytest.approx(START + 20_000 * (1.1005 - 1.1002) - 2.0)


def test_account_subscription_sends_values_per_currency_and_base_then_portfolio():
    ex = Exchange()
    ex.connect(1)
    ex.on_bar("AAPL", bar(0, 100.0, 101.0, 99.0, 100.0))
    place(ex, 1, order("BUY", 100))
    ex.on_bar("AAPL", bar(1, 100.0, 101.0, 99.0, 100.5))
    events = ex.subscribe_account(1, True)
    usd, base = _values(events, "USD"), _values(events, "BASE")
    assert usd["NetLiquidation"] == pytest.approx(START + 100 * 0.5 - 1.0)
    assert usd["TotalCashBalance"] == base["TotalCashBalance"] == pytest.approx(START - 10_000 - 1.0)
    assert usd["StockMarketValue"] == 10_050.0 and usd["UnrealizedPnL"] == pytest.approx(49.0)
    assert usd["AvailableFunds"] == usd["BuyingPower"] == pytest.approx(START - 10_001.0)
    (line,) = of(events, PortfolioValue)
    assert (line.position, line.market_price, line.market_value) == (100, 100.5, 10_050.0)
    assert line.average_cost == pytest.approx(100.01) and line.targets == frozenset({1})
    # updates follow on every bar while subscribed (account values only when they change),
    # and stop after unsubscribing
    first = ex.on_bar("AAPL", bar(2, 100.5, 101.0, 99.0, 101.0))
    assert of(first, PortfolioValue) and "AccountCode" in {v.key for v in of(first, AccountValue)}
    moved = ex.on_bar("AAPL", bar(3, 100.5, 101.0, 99.0, 101.5))
    assert _values(moved)["NetLiquidation"] == pytest.approx(START + 150 - 1.0)
    assert "AccountCode" not in {v.key for v in of(moved, AccountValue)}
    same = ex.on_bar("AAPL", bar(4, 100.5, 101.0, 99.0, 101.5))
    assert of(same, AccountValue) == [] and of(same, PortfolioValue)
    ex.subscribe_account(1, False)
    assert of(ex.on_bar("AAPL", bar(5, 100.5, 101.0, 99.0, 101.0)), PortfolioValue) == []


def test_position_subscribers_get_an_update_after_each_fill():
    ex = Exchange()
    ex.connect(2)
    assert ex.subscribe_positions(2, True) == []
    ex.on_bar("AAPL", bar(0, 100.0, 101.0, 99.0, 100.0))
    place(ex, 1, order("SELL", 30))
    (update,) = of(ex.on_bar("AAPL", bar(1, 100.0, 101.0, 99.0, 100.5)), PositionUpdate)
    assert (update.position, update.targets, update.account) == (-30, frozenset({2}), "DU1234567")
    assert update.avg_cost == pytest.approx(100.0 - 1.0 / 30)


def test_reversal_realizes_the_closed_part_and_opens_the_rest_at_the_fill_price():
    ex = Exchange()
    ex.on_bar("AAPL", bar(0, 100.0, 101.0, 99.0, 100.0))
    place(ex, 1, order("BUY", 300))
    ex.on_bar("AAPL", bar(1, 100.0, 101.0, 99.0, 100.0))
    place(ex, 2, order("SELL", 500))
    (report,) = of(ex.on_bar("AAPL", bar(2, 102.0, 103.0, 101.0, 102.0)), CommissionEvent)
    # 300 closed: (102 - 100) * 300, less the buy's 1.5 and 3/5 of the sell's 2.5
    assert report.report.realized_pnl == pytest.approx(600 - 1.5 - 1.5)
    pos = ex.account.positions[265598]
    assert pos.size == -200 and pos.price == pytest.approx(102.0 - 1.0 / 200)


def test_an_opening_execution_reports_no_realized_pnl():
    ex = Exchange()
    ex.on_bar("AAPL", bar(0, 100.0, 101.0, 99.0, 100.0))
    place(ex, 1, order("BUY", 1))
    (report,) = of(ex.on_bar("AAPL", bar(1, 100.0, 101.0, 99.0, 100.0)), CommissionEvent)
    assert report.report.realized_pnl == UNSET_DOUBLE


def test_commission_is_capped_at_one_percent_of_the_trade_value():
    ex = Exchange(instruments=None)
    ex.on_bar("AAPL", bar(0, 0.5, 0.5, 0.5, 0.5))
    place(ex, 1, order("BUY", 100))
    (report,) = of(ex.on_bar("AAPL", bar(1, 0.5, 0.5, 0.5, 0.5)), CommissionEvent)
    assert report.report.commission == pytest.approx(0.5)  # 1% of 50 USD, below the 1 USD minimum


ACTIONS = st.lists(st.tuples(
    st.sampled_from(["place", "place", "place", "cancel", "bar", "bar"]),
    st.sampled_from(["AAPL", "EUR.USD"]),
    st.sampled_from(["BUY", "SELL"]),
    st.integers(1, 400),
    st.sampled_from(["MKT", "LMT", "STP"]),
    st.integers(-30, 30),
), min_size=1, max_size=40)


def _price(symbol: str, base: float, ticks: int) -> float:
    tick = 0.01 if symbol == "AAPL" else 0.00005
    return round(round(base / tick + ticks) * tick, 5)


def _drive(ex: Exchange, actions, moves: list[int]) -> list:
    """Apply random actions, then three more bars of each instrument; returns every event."""
    events: list = []
    contracts = {"AAPL": ex.instruments["AAPL"].contract, "EUR.USD": EURUSD}
    last = {"AAPL": 100.0, "EUR.USD": 1.1}
    minute, oid = 1, 0

    def step(symbol: str) -> None:
        nonlocal minute
        o = last[symbol]
        c = _price(symbol, o * (1 + moves[minute % len(moves)] / 1000), 0)
        events.extend(ex.on_bar(symbol, bar(minute, o, max(o, c) * 1.002, min(o, c) * 0.998, c, 500.0)))
        last[symbol] = c
        minute += 1

    for kind, symbol, side, qty, otype, ticks in actions:
        if kind == "place":
            oid += 1
            price = _price(symbol, last[symbol], ticks)
            fields = {"LMT": {"lmt_price": price}, "STP": {"aux_price": price}}.get(otype, {})
            qty = qty * 100 if symbol == "EUR.USD" else qty
            events += ex.place(1, oid, contracts[symbol], order(side, qty, otype, tif="GTC", **fields))
        elif kind == "cancel" and oid:
            events += ex.cancel(1, 1 + ticks % oid)
        else:
            step(symbol)
    for symbol in ("AAPL", "EUR.USD") * 3:
        step(symbol)
    return events


@settings(max_examples=60, deadline=None)
@given(actions=ACTIONS, moves=st.lists(st.integers(-20, 20), min_size=40, max_size=40),
       chunk=st.sampled_from([None, 50, 120]))
def test_random_order_sequences_keep_positions_cash_and_netliq_consistent(actions, moves, chunk):
    ex = Exchange(cash=START, liquidity=FixedSize(size=chunk) if chunk else None)
    ex.connect(1)
    ex.subscribe_account(1, True)
    ex.on_bar("AAPL", bar(0, 100.0, 100.0, 100.0, 100.0))
    ex.on_bar("EUR.USD", bar(0, 1.1, 1.1, 1.1, 1.1))
    events = _drive(ex, actions, moves)
    fills = of(events, ExecutionEvent)
    comms = {c.report.exec_id: c.report for c in of(events, CommissionEvent)}
    assert len({f.execution.exec_id for f in fills}) == len(fills) == len(comms) == len(ex.executions)
    cash = START
    for inst in ex.instruments.values():
        mine = [f.execution for f in fills if f.contract.con_id == inst.contract.con_id]
        signed = sum(e.shares if e.side == "BOT" else -e.shares for e in mine)
        pos = ex.account.positions.get(inst.contract.con_id)
        assert signed == (pos.size if pos else 0)
        cash -= sum((e.shares if e.side == "BOT" else -e.shares) * e.price for e in mine)
    cash -= sum(r.commission for r in comms.values())
    assert ex.account.cash.get("USD", 0.0) == pytest.approx(cash, abs=1e-6)
    for w in ex.orders.values():
        mine = [f.execution for f in fills if f.execution.order_id == w.order_id]
        assert sum(e.shares for e in mine) == w.filled <= w.req.total_quantity
        assert sum(comms[e.exec_id].commission for e in mine) == pytest.approx(w.commission)
    realized = sum(r.realized_pnl for r in comms.values() if r.realized_pnl != UNSET_DOUBLE)
    unrealized = sum(ex.account.unrealized(i) for i in ex.instruments.values())
    netliq = ex.summary()["NetLiquidation"]
    assert netliq == pytest.approx(START + realized + unrealized, abs=1e-6)
    assert float(_values(ex.account_snapshot(1))["NetLiquidation"]) == pytest.approx(netliq, abs=0.006)


def test_tiered_pricing_charges_less_a_share_and_falls_with_monthly_volume():
    ex = Exchange(plans="tiered", cash=1e9)
    ex.on_bar("AAPL", bar(0, 10.0, 10.0, 10.0, 10.0))
    place(ex, 1, order("BUY", 50))
    place(ex, 2, order("BUY", 299_950))
    place(ex, 3, order("BUY", 1000))
    reports = of(ex.on_bar("AAPL", bar(1, 10.0, 10.0, 10.0, 10.0)), CommissionEvent)
    assert [r.report.commission for r in reports] == pytest.approx([0.35, 299_950 * 0.0035, 1000 * 0.002])
    with pytest.raises(ValueError, match="pricing must be one of"):
        Exchange(plans="cheap")
