"""The cash check: the balance the applied transactions explain (sans-IO ledger) and, against the
real sandbox, no "cash mismatch" on a clean start, a reconnect or a restart, while money moved
without a transaction is reported, within a run and across a restart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oanda_live_kit import run_script, sandbox, venue_summary

import tradebridge as bt
from tradebridge.live.journal import Journal
from tradebridge.venues.oanda import models as m
from tradebridge.venues.oanda.broker import LEDGER
from tradebridge.venues.oanda.ledger import Ledger, balance_change


def _fill(txn_id: int, pl: str, commission: str = "0", financing: str = "0") -> m.Transaction:
    return m.Transaction.parse({"id": str(txn_id), "type": "ORDER_FILL", "pl": pl, "commission": commission,
                                "financing": financing, "guaranteedExecutionFee": "0.0000"})


def _summary(balance: Decimal | str, last_id: int) -> m.AccountSummary:
    return m.AccountSummary.from_json({"id": "101-001-1-001", "balance": str(balance),
                                       "lastTransactionID": str(last_id)})


def test_each_balance_moving_transaction_type_counts_its_amounts_with_their_sign():
    assert balance_change(_fill(5, "12.5000", commission="1.2500", financing="-0.5000")) == Decimal("10.75")
    financing = m.Transaction.parse({"id": "6", "type": "DAILY_FINANCING", "financing": "-3.1000"})
    transfer = m.Transaction.parse({"id": "7", "type": "TRANSFER_FUNDS", "amount": "500.0000"})
    cancel = m.Transaction.parse({"id": "8", "type": "ORDER_CANCEL", "orderID": "3",
                                  "reason": "CLIENT_REQUEST"})
    assert [balance_change(t) for t in (financing, transfer, cancel)] == [Decimal("-3.1"), Decimal(500), 0]
    bad = m.Transaction.parse({"id": "9", "type": "TRANSFER_FUNDS", "amount": "lots"})
    with pytest.raises(ValueError, match="TRANSFER_FUNDS transaction 9: amount is not an amount: 'lots'"):
        balance_change(bad)


@settings(max_examples=80, deadline=None)
@given(
    pls=st.lists(st.decimals(-500, 500, places=4), min_size=1, max_size=30),
    split=st.integers(0, 30),
    repeat=st.booleans(),
    tamper=st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(-250)]),
)
def test_a_summary_is_explained_by_the_transactions_applied_once_however_they_arrive(
        pls, split, repeat, tamper):
    ledger = Ledger()
    assert ledger.check(_summary("1000", 1)) is None  # the run's starting point: never compared
    txns = [_fill(i + 2, str(pl)) for i, pl in enumerate(pls)]
    for txn in txns[:split]:  # some from the stream...
        ledger.apply(txn)
        if repeat:
            ledger.apply(txn)  # ...a repeated one is counted once
    truth = Decimal(1000) + sum(pls, Decimal(0))
    last = len(pls) + 1
    found = ledger.check(_summary(truth + tamper, last), txns)  # ...the rest from a snapshot
    if tamper:
        assert found is not None and found.venue - found.expected == tamper and found.as_of == last
        assert "cash mismatch: OANDA's balance" in found.message
        assert ledger.check(_summary(truth + tamper, last)) is None  # reported once
    else:
        assert found is None and ledger.balance == truth


def test_a_summary_ahead_of_the_transactions_applied_is_not_compared_until_they_arrive():
    ledger = Ledger()
    ledger.check(_summary("1000", 1))
    assert ledger.check(_summary("1100", 2)) is None  # fill 2 not applied yet
    ledger.apply(_fill(2, "100"))
    assert ledger.check(_summary("1100", 2)) is None and ledger.balance == Decimal(1100)


@pytest.mark.parametrize("started", [False, True])
def test_snapshot_transactions_newer_than_its_summary_are_counted_too(started):
    # a fill can land between the summary and the /sinceid answer: the snapshot hands it over
    ledger = Ledger()
    if started:
        ledger.check(_summary("1000", 1))
        first = ledger.check(_summary("1010", 2), [_fill(2, "10"), _fill(3, "5")])
    else:
        first = ledger.check(_summary("1010", 2), [_fill(2, "10"), _fill(3, "5")])
    assert first is None and (ledger.balance, ledger.as_of) == (Decimal(1015), 3)
    assert ledger.check(_summary("1015", 3)) is None


def test_the_journaled_ledger_restarts_at_the_cursor_unless_it_is_ahead_of_it_or_garbled():
    ledger = Ledger()
    ledger.restore("7:1234.5000", "9")
    assert (ledger.balance, ledger.as_of) == (Decimal("1234.5000"), 9)
    ahead = Ledger()
    ahead.restore("12:1234.5000", "9")  # the cursor write after it was lost: start from OANDA's figure
    assert ahead.balance is None
    with pytest.raises(ValueError, match="journaled OANDA balance is not '<id>:<amount>': 'x:y'"):
        Ledger().restore("x:y", "9")


def _cash_messages(strat) -> list[str]:
    return [msg for msg in strat.messages if "cash mismatch" in msg]


def _move_money(sb, amount: float) -> None:
    """Change the sandbox's balance without a transaction (what no fill or financing explains)."""

    def move() -> None:
        sb.state.account.balance += amount

    sb.call(move)


def _trade(s):
    s.buy(size=1000)
    s.buy(size=1000, exectype=bt.Order.Limit, price=s.data.close[0] * 0.9995)
    s.sell(size=500)


def _rest(s):
    """Limits on both sides, near enough to fill within hours but after the client is gone."""
    s.buy(size=700, exectype=bt.Order.Limit, price=s.data.close[0] * 0.9993)
    s.sell(size=300, exectype=bt.Order.Limit, price=s.data.close[0] * 1.0007)


def _count(sb, kind: str) -> int:
    return sb.call(lambda: sum(1 for t in sb.state.account.txns if t["type"] == kind))


def test_a_clean_start_a_reconnect_and_a_restart_with_fills_and_financing_while_away_report_no_cash_mismatch(
        tmp_path):
    journal = tmp_path / "j.sqlite"

    def cut(n):
        if n == 4:
            sb.faults("cut_streams")

    with sandbox() as sb:
        first, _ = run_script(sb, journal, {1: _trade, 5: _rest}, stop_at=16, on_step=cut)
        fills_then = _count(sb, "ORDER_FILL")
        sb.step(16_000)  # the resting limit fills and daily financing is charged while the client is away
        away = _count(sb, "ORDER_FILL") - fills_then
        second, broker = run_script(sb, journal, {2: lambda s: s.sell(size=200)}, stop_at=6)
        summary = venue_summary(sb)
        kinds = sb.call(lambda: {t["type"] for t in sb.state.account.txns})
    assert "DAILY_FINANCING" in kinds and away >= 1
    assert any("sent by a previous run" in msg for msg in second.messages), second.messages
    assert any("transaction stream was cut" in msg for msg in first.messages)
    assert _cash_messages(first) == [] and _cash_messages(second) == []
    assert broker.getcash() == pytest.approx(float(summary["marginAvailable"]), abs=5)
    with Journal(journal) as j:
        as_of, _, balance = (j.cursor(LEDGER) or "").partition(":")
        assert Decimal(balance) == Decimal(summary["balance"]) and int(as_of) <= int(j.cursor() or 0)


def test_money_moved_without_a_transaction_is_reported_once_during_a_run_and_after_a_restart(tmp_path):
    journal = tmp_path / "j.sqlite"

    def move(n):
        if n == 3:
            _move_money(sb, 250.0)

    with sandbox() as sb:
        during, _ = run_script(sb, journal, {1: _trade}, stop_at=12, on_step=move)
        _move_money(sb, -80.0)  # while the client is away
        sb.step(20)
        after, _ = run_script(sb, journal, {}, stop_at=4)
    (first,) = _cash_messages(during)
    assert "difference +250.00" in first
    (second,) = _cash_messages(after)
    assert "difference -80.00" in second
