"""OandaStore against the v20 sandbox: lazy names, the token (given, from OANDA_TOKEN, wrong,
missing) and that it never shows up in logs, reprs, messages, errors or the journal over a whole
run; the account picked when the token has one; an unknown account named in the error."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from oanda_live_kit import TOKEN, run_script, sandbox, store_for

import tradebridge as bt
from tradebridge.live import Inbox
from tradebridge.venues.oanda.errors import OandaAuthError, OandaHTTPError
from tradebridge.venues.oanda.store import OandaStore


def test_importing_tradebridge_imports_no_httpx_and_the_oanda_names_load_lazily():
    code = (
        "import sys, tradebridge as bt; assert 'httpx' not in sys.modules; "
        "assert 'tradebridge.venues.oanda.store' not in sys.modules; "
        "s, b, d = bt.stores.OandaStore, bt.brokers.OandaBroker, bt.feeds.OandaData; "
        "print(s.__name__, b.__name__, d.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["OandaStore", "OandaBroker", "OandaData"]


def test_the_token_comes_from_oanda_token_when_not_given_and_its_absence_says_where_to_get_one(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("OANDA_TOKEN", TOKEN)
    store = OandaStore(account="acc-env", base_url="http://127.0.0.1:9")
    try:
        assert str(store.p.token) == TOKEN and TOKEN not in repr(store.p) and TOKEN not in repr(store)
    finally:
        store.stop()
    monkeypatch.delenv("OANDA_TOKEN")
    with pytest.raises(ValueError, match="OANDA_TOKEN"):
        OandaStore(account="acc-none", base_url="http://127.0.0.1:9")


def test_a_wrong_token_is_refused_at_start_with_http_401_and_without_the_token(tmp_path):
    with sandbox(token="the-right-one") as sb:
        store = store_for(sb, tmp_path / "j.sqlite")
        try:
            with pytest.raises(OandaAuthError, match="401") as info:
                store.start()
        finally:
            store.stop()
    assert TOKEN not in str(info.value) and "the-right-one" not in str(info.value)


def test_the_only_account_of_the_token_is_picked_and_an_unknown_account_is_named(tmp_path):
    with sandbox() as sb:
        store = bt.stores.OandaStore(token=TOKEN, base_url=sb.url)
        store.attach_inbox(Inbox())
        try:
            store.start()
            assert store.p.account == sb.account_id and "EUR_USD" in store.instruments
        finally:
            store.stop()
        bad = bt.stores.OandaStore(token=TOKEN, base_url=sb.url, account="101-001-9999999-001")
        try:
            with pytest.raises(OandaHTTPError, match="101-001-9999999-001.*HTTP 400"):
                bad.start()
        finally:
            bad.stop()


def test_the_token_never_appears_in_logs_reprs_messages_errors_or_the_journal_over_a_whole_run(
    tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    orders = {}

    def trade(s):
        close = s.data.close[0]
        orders["buy"] = s.buy(size=1000)
        orders["big"] = s.buy(size=200_000_000)  # OANDA rejects it
        orders["lim"] = s.sell(size=1000, exectype=bt.Order.Limit, price=close * 1.05)

    def faults(n):
        if n == 3:
            sb.faults("cut_streams")
            sb.faults("throttle", count=3, retry_after=0.01)

    journal = tmp_path / "j.sqlite"
    with sandbox() as sb:
        strat, broker = run_script(
            sb,
            journal,
            {1: trade, 4: lambda s: s.cancel(orders["lim"])},
            stop_at=12,
            on_step=faults,
            broker_kwargs={"checksubmit": False},
        )
        store = broker.o
        texts = [
            caplog.text,
            repr(store),
            repr(store.p),
            repr(broker),
            repr(strat.datas[0]),
            repr(store.client),
            *strat.messages,
            *(repr(o.info) for o in orders.values()),
        ]
    assert orders["big"].getstatusname() == "Rejected" and orders["buy"].getstatusname() == "Completed"
    for text in texts:
        assert TOKEN not in text
    for path in tmp_path.glob("j.sqlite*"):
        assert TOKEN.encode() not in path.read_bytes()
    assert caplog.records  # the run did log (retries, the cut)


def _limit(cid: str):
    from tradebridge.venues.oanda import models as m

    return m.OrderRequest.from_json({"type": "LIMIT", "instrument": "EUR_USD", "units": "1000",
                                     "price": "0.5", "clientExtensions": {"id": cid}})


def _market():
    from tradebridge.venues.oanda import models as m

    return m.OrderRequest.from_json({"type": "MARKET", "instrument": "EUR_USD", "units": "1000"})


@contextmanager
def _started_store(tmp_path) -> Iterator[tuple[Any, Any]]:
    """A sandbox and a started OandaStore on it (no broker), stopped afterwards."""
    with sandbox() as sb:
        store = store_for(sb, tmp_path / "j.sqlite")
        store.attach_inbox(Inbox())
        try:
            store.start()
            yield sb, store
        finally:
            store.stop()


def test_a_snapshot_is_one_cut_an_order_made_and_cancelled_between_its_reads_is_left_to_the_stream(tmp_path):
    with _started_store(tmp_path) as (sb, store):
        client = store.client
        since = sb.call(lambda: sb.state.account.last_id)
        real, made = client.pending_orders_at, []

        async def pending_then_churn():
            answer = await real()
            made.append(f"late-{len(made)}")  # the account moves after every pending list
            await client.create_order(_limit(made[-1]))
            await client.cancel_order(f"@{made[-1]}")
            return answer

        client.pending_orders_at = pending_then_churn
        summary, txns, pending, positions, cut = store.run(store._venue_state(str(since)))
    assert len(made) == 5 and summary.last_transaction_id != cut  # never settled: the last read is used
    assert pending == [] and all(int(t.id) <= int(cut) for t in txns)
    orders: dict[str, list[str]] = {}  # venue order id -> the types of its transactions
    for t in txns:
        orders.setdefault(str(t.id if t.type == "LIMIT_ORDER" else t.order_id), []).append(t.type)
    seen = [t.client_extensions.id for t in txns if t.type == "LIMIT_ORDER"]
    # every order the cut saw is seen whole (made and cancelled); the last one lies after it
    assert seen == made[:-1]
    assert all(types == ["LIMIT_ORDER", "ORDER_CANCEL"] for types in orders.values())


def test_a_snapshot_reads_again_until_positions_and_summary_reflect_the_cut(tmp_path):
    with _started_store(tmp_path) as (sb, store):
        client = store.client
        real, calls = client.open_positions_at, []

        async def positions_with_a_fill_first():
            calls.append(1)
            if len(calls) == 1:  # a fill lands between the pending list and the positions
                await client.create_order(_market())
            return await real()

        client.open_positions_at = positions_with_a_fill_first
        summary, txns, pending, positions, cut = store.run(store._venue_state(None))
        last = sb.call(lambda: sb.state.account.last_id)
    assert len(calls) == 2
    assert cut == summary.last_transaction_id == str(last)
    assert [p.instrument for p in positions] == ["EUR_USD"]
