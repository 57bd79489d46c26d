"""OANDA's own Python client (``v20`` on PyPI) reads the sandbox: accounts, candles, pricing,
orders, transactions, changes and both streams, parsed into v20's own models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tradebridge.venues.oanda.sandbox import ThreadedOandaSandbox

v20 = pytest.importorskip("v20", reason="OANDA's v20 client is a dev dependency (pip install v20)")


@pytest.fixture()
def sandbox() -> Iterator[ThreadedOandaSandbox]:
    with ThreadedOandaSandbox(heartbeat=0.2) as sb:
        yield sb


def _ctx(sb: ThreadedOandaSandbox, token: str = "any") -> v20.Context:
    ctx = v20.Context("127.0.0.1", sb.port, ssl=False, token=token)
    ctx.set_stream_timeout(5)
    return ctx


def test_v20_reads_accounts_summary_instruments_and_pricing(sandbox: ThreadedOandaSandbox) -> None:
    ctx = _ctx(sandbox)
    accounts = ctx.account.list().get("accounts", 200)
    assert [a.id for a in accounts] == [sandbox.account_id]
    account = ctx.account.get(sandbox.account_id).get("account", 200)
    assert account.balance == 100000.0 and account.NAV == 100000.0 and account.currency == "USD"
    summary = ctx.account.summary(sandbox.account_id).get("account", 200)
    assert summary.marginAvailable == 100000.0
    names = [i.name for i in ctx.account.instruments(sandbox.account_id).get("instruments", 200)]
    assert names == ["EUR_USD", "GBP_USD", "USD_JPY"]
    prices = ctx.pricing.get(sandbox.account_id, instruments="EUR_USD,USD_JPY").get("prices", 200)
    bid, ask = sandbox.state.market.quote("USD_JPY")
    assert (
        prices[1].instrument == "USD_JPY"
        and prices[1].bids[0].price == bid
        and prices[1].asks[0].price == ask
    )


def test_v20_reads_bid_ask_candles_of_several_granularities(sandbox: ThreadedOandaSandbox) -> None:
    ctx = _ctx(sandbox)
    for granularity in ("S5", "M1", "H1", "D"):
        candles = ctx.instrument.candles("EUR_USD", granularity=granularity, count=4, price="BA").get(
            "candles", 200
        )
        assert 1 <= len(candles) <= 4
        assert all(c.bid.c < c.ask.c and c.bid.l <= c.bid.h for c in candles)
    last = ctx.instrument.candles("EUR_USD", granularity="S5", count=1, price="B").get("candles", 200)[0]
    assert last.bid.c == sandbox.state.market.quote("EUR_USD")[0] and last.complete


def test_v20_creates_fills_cancels_and_reads_transactions_and_changes(sandbox: ThreadedOandaSandbox) -> None:
    ctx, acct = _ctx(sandbox), sandbox.account_id
    market = ctx.order.market(
        acct,
        instrument="EUR_USD",
        units=1000,
        clientExtensions={"id": "v20-1"},
        stopLossOnFill={"price": "0.90000"},
    )
    fill = market.get("orderFillTransaction", 201)
    assert fill.price == sandbox.state.market.quote("EUR_USD")[1] and fill.tradeOpened.units == 1000
    limit = ctx.order.limit(acct, instrument="EUR_USD", units=-1000, price="1.30000")
    order_id = limit.get("orderCreateTransaction", 201).id
    assert ctx.order.get(acct, order_id).get("order", 200).state == "PENDING"
    cancel = ctx.order.cancel(acct, order_id).get("orderCancelTransaction", 200)
    assert cancel.reason == "CLIENT_REQUEST"
    rejected = ctx.order.market(acct, instrument="EUR_USD", units=0)
    assert rejected.status == 400 and rejected.body["errorCode"] == "UNITS_INVALID"
    assert rejected.body["orderRejectTransaction"].rejectReason == "UNITS_INVALID"
    kinds = [t.type for t in ctx.transaction.since(acct, id=2).get("transactions", 200)]
    assert kinds == [
        "MARKET_ORDER",
        "ORDER_FILL",
        "STOP_LOSS_ORDER",
        "LIMIT_ORDER",
        "ORDER_CANCEL",
        "MARKET_ORDER_REJECT",
    ]
    changes = ctx.account.changes(acct, sinceTransactionID=2).get("changes", 200)
    assert [t.id for t in changes.tradesOpened] == [fill.id]
    trades = ctx.trade.list_open(acct).get("trades", 200)
    assert trades[0].stopLossOrder.price == 0.9
    closed = ctx.trade.close(acct, trades[0].id).get("orderFillTransaction", 200)
    assert closed.tradesClosed[0].tradeID == fill.id
    positions = ctx.position.list(acct).get("positions", 200)
    assert positions[0].instrument == "EUR_USD" and positions[0].long.units == 0


def test_v20_pricing_stream_yields_prices_and_heartbeats(sandbox: ThreadedOandaSandbox) -> None:
    ctx = _ctx(sandbox)
    stream = ctx.pricing.stream(sandbox.account_id, instruments="EUR_USD")
    seen = []
    for kind, message in stream.parts():
        seen.append(kind)
        if kind == "pricing.ClientPrice":
            assert message.instrument == "EUR_USD" and message.bids[0].price < message.asks[0].price
        if len(seen) == 1:
            sandbox.step()
        if "pricing.PricingHeartbeat" in seen and seen.count("pricing.ClientPrice") >= 2:
            break
    assert seen.count("pricing.ClientPrice") >= 2 and "pricing.PricingHeartbeat" in seen


def test_v20_transaction_stream_yields_fills_and_heartbeats(sandbox: ThreadedOandaSandbox) -> None:
    ctx = _ctx(sandbox)
    stream = ctx.transaction.stream(sandbox.account_id)
    types = []
    for _kind, message in stream.parts():  # v20 names every transaction part "transaction.Transaction"
        types.append(message.type)
        if types == ["HEARTBEAT"]:
            _ctx(sandbox).order.market(sandbox.account_id, instrument="GBP_USD", units=-10)
        if message.type == "ORDER_FILL":
            assert message.units == -10 and isinstance(message, v20.transaction.OrderFillTransaction)
            break
    assert types == ["HEARTBEAT", "MARKET_ORDER", "ORDER_FILL"]


def test_v20_with_a_wrong_token_gets_401_from_a_guarded_sandbox() -> None:
    with ThreadedOandaSandbox(token="right-token") as sb:
        assert _ctx(sb, "wrong").account.list().status == 401
        assert _ctx(sb, "right-token").account.list().status == 200
