"""The async v20 client against the OANDA sandbox on loopback: endpoints, errors, retries, limits, secrets."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from oanda_strategies import spec_or_skip_reason

from tradebridge.live.backoff import Backoff
from tradebridge.utils.timeframe import TimeFrame
from tradebridge.venues.oanda import models as m
from tradebridge.venues.oanda import spec
from tradebridge.venues.oanda.client import CANCEL, HOSTS, OandaClient, rfc3339
from tradebridge.venues.oanda.errors import (
    OandaAuthError,
    OandaConnectionError,
    OandaError,
    OandaNotFoundError,
    OandaRateLimitError,
    OandaRejectError,
    OandaServerError,
)
from tradebridge.venues.oanda.sandbox import OandaSandbox

SPEC, WHY = spec_or_skip_reason()
TOKEN = "s3cr3t-t0ken-abcdef0123456789"
FAST = Backoff(reconnect=3, initial=0.01, maximum=0.05, timeout=None, seed=1)
EUR = "EUR_USD"


def aio(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test on a fresh loop, with a time limit."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(asyncio.wait_for(fn(*args, **kwargs), 30))

    return run


class Recorder:
    """Wraps the sandbox's request handler to see what reached it (method, path, monotonic time)."""

    def __init__(self, sb: OandaSandbox) -> None:
        self.seen: list[tuple[str, str, float]] = []
        inner = sb.state.handle

        async def handle(req: Any) -> Any:
            self.seen.append((req.method, req.path, time.monotonic()))
            return await inner(req)

        sb.state.handle = handle  # type: ignore[method-assign]

    def count(self, fragment: str) -> int:
        return sum(1 for _, path, _ in self.seen if fragment in path)


def client_for(sb: OandaSandbox, **options: Any) -> OandaClient:
    options.setdefault("retry", FAST)
    return OandaClient(TOKEN, sb.account_id, base_url=sb.url, **options)


def check(model: m.Model) -> None:
    if SPEC is not None:
        spec.validate_model(model)


def test_hosts_follow_practice_and_base_url_overrides_both():
    live = OandaClient(TOKEN, "1")
    practice = OandaClient(TOKEN, "1", practice=True)
    local = OandaClient(TOKEN, "1", base_url="http://127.0.0.1:9/")
    assert (
        (live.rest_url, live.stream_url)
        == HOSTS[False]
        == ("https://api-fxtrade.oanda.com", "https://stream-fxtrade.oanda.com")
    )
    assert (
        (practice.rest_url, practice.stream_url)
        == HOSTS[True]
        == ("https://api-fxpractice.oanda.com", "https://stream-fxpractice.oanda.com")
    )
    assert (local.rest_url, local.stream_url) == ("http://127.0.0.1:9", "http://127.0.0.1:9")


def test_empty_token_is_refused():
    with pytest.raises(ValueError, match="access token is empty"):
        OandaClient("", "1")


def test_rfc3339_writes_utc_with_nanoseconds():
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, 6)) == "2026-01-02T03:04:05.000006000Z"
    assert (
        rfc3339(datetime(2026, 1, 2, 4, 4, 5, tzinfo=UTC) + timedelta(0)) == "2026-01-02T04:04:05.000000000Z"
    )


@aio
async def test_reads_accounts_summary_details_pricing_and_changes():
    async with OandaSandbox() as sb, client_for(sb) as client:
        accounts = await client.accounts()
        assert [a.id for a in accounts] == [sb.account_id]
        summary = await client.account_summary()
        assert summary.id == sb.account_id and summary.balance == Decimal("100000")
        details = await client.account_details()
        assert details.orders == () and details.trades == ()
        prices = await client.pricing([EUR, "USD_JPY"])
        assert [p.instrument for p in prices.prices] == [EUR, "USD_JPY"]
        assert prices.prices[0].bids[0].price < prices.prices[0].asks[0].price
        changes = await client.account_changes(summary.last_transaction_id or "1")
        assert changes.changes.transactions == ()
        for model in (summary, details, *prices.prices):
            check(model)


@aio
async def test_candles_over_a_long_range_are_paged_within_5000_and_joined_without_repeats():
    async with OandaSandbox() as sb, client_for(sb) as client:
        seen = Recorder(sb)
        start = datetime(2026, 11, 23, 1, tzinfo=UTC)
        end = start + timedelta(seconds=5 * 12_000)
        candles = await client.candles(EUR, "S5", start=start, end=end, price="BA")
        times = [m.parse_time(c.time) for c in candles]
        assert times == sorted(set(times))
        assert times[0] == start and times[-1] >= end - timedelta(seconds=5)
        assert len(candles) in (12_000, 12_001)
        assert seen.count("/candles") == 3
        assert candles[0].bid is not None and candles[0].ask is not None and candles[0].mid is None
        check(candles[0])


@aio
async def test_candles_by_start_and_count_page_forward_and_timeframe_pairs_map_exactly():
    async with OandaSandbox() as sb, client_for(sb) as client:
        seen = Recorder(sb)
        start = datetime(2026, 11, 23, 2, tzinfo=UTC)
        candles = await client.candles(EUR, (TimeFrame.Seconds, 10), start=start, count=6000)
        assert len(candles) == 6000 and seen.count("/candles") == 2
        gaps = {m.parse_time(b.time) - m.parse_time(a.time) for a, b in zip(candles, candles[1:])}
        assert gaps == {timedelta(seconds=10)}
        assert [c.time for c in await client.candles(EUR, (TimeFrame.Minutes, 2), count=2)] == [
            c.time for c in await client.candles(EUR, "M2", count=2)
        ]
        with pytest.raises(ValueError, match="count must be 1..5000 without start"):
            await client.candles(EUR, "M1", count=6000)


@aio
async def test_orders_trades_and_positions_round_trip_through_the_models():
    async with OandaSandbox() as sb, client_for(sb) as client:
        ext = m.ClientExtensions(id="tb-test-1")
        filled = await client.create_order(
            m.OrderRequest(type="MARKET", instrument=EUR, units=Decimal(1000), client_extensions=ext)
        )
        fill = filled.fills()[0]
        assert fill.units == Decimal(1000) and fill.client_order_id == "tb-test-1" and fill.trade_opened
        trade_id = fill.trade_opened.trade_id
        limit = m.OrderRequest(
            type="LIMIT",
            instrument=EUR,
            units=Decimal(-500),
            price=Decimal("1.90000"),
            client_extensions=m.ClientExtensions(id="tb-test-2"),
        )
        created = await client.create_order(limit)
        assert (await client.order("@tb-test-2")).state == "PENDING"
        replaced = await client.replace_order(
            "@tb-test-2",
            m.OrderRequest(
                type="LIMIT",
                instrument=EUR,
                units=Decimal(-400),
                price=Decimal("1.95000"),
                client_extensions=m.ClientExtensions(id="tb-test-3"),
            ),
        )
        assert "orderCancelTransaction" in replaced.transactions
        pending = await client.orders()
        assert [o.units for o in pending] == [Decimal(-400)]
        cancelled = await client.cancel_order("@tb-test-3")
        assert cancelled.transactions["orderCancelTransaction"].type == "ORDER_CANCEL"
        set_tp = await client.set_trade_orders(
            trade_id, take_profit=m.TakeProfitDetails(price=Decimal("1.99"))
        )
        assert any(t.type == "TAKE_PROFIT_ORDER" for t in set_tp.transactions.values())
        trades = await client.trades()
        assert trades[0].take_profit_order is not None and trades[0].take_profit_order.price == Decimal(
            "1.99"
        )
        removed = await client.set_trade_orders(trade_id, take_profit=CANCEL)
        assert any(t.type == "ORDER_CANCEL" for t in removed.transactions.values())
        positions = await client.positions(open_only=True)
        assert positions[0].net_units == Decimal(1000)
        assert (await client.position(EUR)).long.units == Decimal(1000)  # type: ignore[union-attr]
        closed = await client.close_trade(trade_id, units="400")
        assert closed.fills()[0].units == Decimal(-400)
        flat = await client.close_position(EUR, long_units="ALL")
        assert flat.fills()[0].units == Decimal(-600)
        since = await client.transactions_since(created.last_transaction_id or "1")
        assert since.transactions and all(isinstance(t, m.Transaction) for t in since.transactions)
        for model in (*filled.transactions.values(), *since.transactions, *trades):
            check(model)


@aio
async def test_a_refused_order_raises_with_oandas_reason_and_the_endpoint():
    async with OandaSandbox() as sb, client_for(sb) as client:
        seen = Recorder(sb)
        too_precise = m.OrderRequest(
            type="LIMIT", instrument=EUR, units=Decimal(1), price=Decimal("1.123456")
        )
        with pytest.raises(OandaRejectError) as info:
            await client.create_order(too_precise)
        err = info.value
        assert err.status == 400 and err.reject_reason == "PRICE_PRECISION_EXCEEDED"
        assert str(err).startswith(
            f"POST /v3/accounts/{sb.account_id}/orders: HTTP 400 PRICE_PRECISION_EXCEEDED"
        )
        assert err.response is not None and err.response.reject_transaction.type == "LIMIT_ORDER_REJECT"
        assert seen.count("/orders") == 1  # a refusal is final: never retried
        with pytest.raises(OandaNotFoundError, match=r"HTTP 404"):
            await client.order("@no-such-order")


@aio
async def test_429_is_retried_after_retry_after_and_503_with_backoff():
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    async with OandaSandbox() as sb, client_for(sb, sleep=sleep) as client:
        seen = Recorder(sb)
        sb.faults.throttle(count=2, retry_after=0.07, path="/summary")
        assert (await client.account_summary()).id == sb.account_id
        assert seen.count("/summary") == 3 and waits == [0.07, 0.07]
        waits.clear()
        sb.faults.fail(503, count=2, path="/summary")
        assert (await client.account_summary()).id == sb.account_id
        assert seen.count("/summary") == 6
        assert len(waits) == 2 and all(0 <= w <= FAST.maximum for w in waits)


@aio
async def test_retries_give_up_after_the_policy_with_a_clear_error():
    async with OandaSandbox() as sb, client_for(sb) as client:
        seen = Recorder(sb)
        sb.faults.fail(503, count=50, path="/summary")
        with pytest.raises(OandaServerError) as info:
            await client.account_summary()
        assert seen.count("/summary") == FAST.reconnect + 1
        assert str(info.value).startswith(f"GET /v3/accounts/{sb.account_id}/summary: HTTP 503")
        assert str(info.value).endswith(f"after {FAST.reconnect + 1} attempts")
        sb.faults.clear()
        sb.faults.throttle(count=50, retry_after=0.01, path="/pricing")
        with pytest.raises(OandaRateLimitError, match="HTTP 429 .* after 4 attempts"):
            await client.pricing([EUR])


@aio
async def test_a_write_is_not_repeated_on_an_ambiguous_500():
    async with OandaSandbox() as sb, client_for(sb) as client:
        seen = Recorder(sb)
        sb.faults.fail(500, count=5, path="/orders")
        with pytest.raises(OandaServerError, match="HTTP 500"):
            await client.create_order(m.OrderRequest(type="MARKET", instrument=EUR, units=Decimal(1)))
        assert seen.count("/orders") == 1


@aio
async def test_an_unreachable_venue_raises_a_connection_error_after_retries():
    async with OandaSandbox() as sb:
        url = sb.url
    async with OandaClient(TOKEN, "1", base_url=url, retry=FAST) as client:
        with pytest.raises(
            OandaConnectionError, match=r"venue unreachable \(ConnectError.*\) after 4 attempts"
        ):
            await client.accounts()


@aio
async def test_requests_never_exceed_the_rate_limit_in_any_window():
    # Judged on the limiter's own grant times (load can only delay a request after its grant, so
    # arrival times at the server would bunch up and flake), plus proof that every request that
    # reached the server took a grant first: the k-th arrival never precedes the k-th grant.
    async with OandaSandbox() as sb, client_for(sb) as client:
        limit, period = client.limiter.limit, client.limiter.period
        assert (limit, period) == (100, 1.0)  # OANDA's limit, the client's default
        seen = Recorder(sb)
        grants: list[float] = []
        take = client.limiter.acquire

        async def recorded() -> float:
            grants.append(await take())
            return grants[-1]

        client.limiter.acquire = recorded  # type: ignore[method-assign]
        began = time.monotonic()
        await asyncio.gather(*(client.account_summary() for _ in range(2 * limit + 1)))
        elapsed = time.monotonic() - began
        arrivals = sorted(t for _, _, t in seen.seen)
    assert len(grants) == len(arrivals) == 2 * limit + 1
    assert elapsed >= 2 * period
    assert all(arrival >= grant for grant, arrival in zip(sorted(grants), arrivals, strict=True))
    for i, first in enumerate(grants):
        assert sum(1 for t in grants[i:] if t < first + period) <= limit, f"window from grant {i}"


@aio
async def test_sequential_requests_reuse_one_keep_alive_connection():
    async with OandaSandbox() as sb, client_for(sb) as client:
        connections: set[Any] = set()  # the sandbox's writer of each connection that served a request
        for _ in range(25):
            await client.account_summary()
            connections.update(sb._conns)
    assert len(connections) == 1


@aio
async def test_the_token_appears_in_no_repr_error_or_log(caplog):
    caplog.set_level(logging.DEBUG)
    async with OandaSandbox(token="the-right-one") as sb, client_for(sb) as client:
        assert TOKEN not in repr(client) and TOKEN not in str(client) and "token=***" in repr(client)
        assert TOKEN not in repr(client._http.auth)
        errors: list[BaseException] = []
        with pytest.raises(OandaAuthError) as info:
            await client.account_summary()
        errors.append(info.value)
        assert info.value.status == 401
        stream = client.pricing_stream([EUR], heartbeat_timeout=0.3)
        with pytest.raises(OandaAuthError) as info2:
            async for _ in stream:
                pass
        errors.append(info2.value)
        sb.faults.fail(503, count=50)
        with pytest.raises(OandaError) as info3:
            await client.accounts()
        errors.append(info3.value)
    async with OandaClient(TOKEN, "1", base_url=sb.url, retry=FAST) as gone:
        with pytest.raises(OandaConnectionError) as info4:
            await gone.accounts()
        errors.append(info4.value)
    for err in errors:
        chain: BaseException | None = err
        while chain is not None:
            assert TOKEN not in str(chain) and TOKEN not in repr(chain)
            chain = chain.__cause__ or chain.__context__
    assert caplog.records, "debug logging captured nothing to check"
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(record.args)


@aio
async def test_a_lost_answer_is_retried_for_a_read_but_reported_as_unknown_for_a_write():
    async with OandaSandbox() as sb, client_for(sb, timeout=0.3) as client:
        seen = Recorder(sb)
        sb.faults.delay(1.0, count=1, path="/summary")
        assert (await client.account_summary()).id == sb.account_id
        assert seen.count("/summary") == 2
        sb.faults.delay(1.0, count=1, path="/orders")
        with pytest.raises(
            OandaConnectionError,
            match=r"POST .*/orders: connection lost before the answer "
            r"\(ReadTimeout\); outcome unknown",
        ):
            await client.create_order(
                m.OrderRequest(
                    type="MARKET",
                    instrument=EUR,
                    units=Decimal(5),
                    client_extensions=m.ClientExtensions(id="tb-lost-1"),
                )
            )
        assert seen.count("/orders") == 1
        await asyncio.sleep(0.8)  # the venue did act on it: the client id finds the order's fill
        assert (await client.order("@tb-lost-1")).state == "FILLED"
