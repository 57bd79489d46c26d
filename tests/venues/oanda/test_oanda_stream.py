"""v20 streams against the OANDA sandbox: parsed lines, watchdog on silence, reopen after cuts, bad lines."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any

import pytest
from test_oanda_client import FAST, TOKEN, Recorder, aio, client_for

from tradebridge.live.backoff import Backoff
from tradebridge.venues.oanda import models as m
from tradebridge.venues.oanda.client import OandaClient
from tradebridge.venues.oanda.errors import OandaAuthError, OandaStreamError
from tradebridge.venues.oanda.sandbox import OandaSandbox

EUR, JPY = "EUR_USD", "USD_JPY"


class Events:
    """Collects a stream's on_event reports."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, kind: str, detail: str) -> None:
        self.seen.append((kind, detail))

    def kinds(self) -> list[str]:
        return [k for k, _ in self.seen]


async def take(stream: Any, n: int, kinds: tuple[type, ...] = (m.Model,)) -> list[Any]:
    out = []
    async for item in stream:
        if isinstance(item, kinds):
            out.append(item)
        if len(out) == n:
            return out
    return out


@aio
async def test_pricing_stream_yields_the_snapshot_then_each_new_price():
    async with OandaSandbox() as sb, client_for(sb) as client:
        async with client.pricing_stream([EUR, JPY]) as stream:
            first = await take(stream, 2)
            assert [p.instrument for p in first] == [EUR, JPY]
            assert all(isinstance(p, m.ClientPrice) and p.bids and p.asks for p in first)
            sb.step()
            (nxt,) = await take(stream, 1)
            assert isinstance(nxt, m.ClientPrice) and nxt.instrument in (EUR, JPY)
            assert m.parse_time(nxt.time) > m.parse_time(first[0].time)


@aio
async def test_a_cut_stream_is_reopened_and_reported():
    events = Events()
    async with OandaSandbox() as sb, client_for(sb) as client:
        async with client.pricing_stream([EUR], on_event=events) as stream:
            await take(stream, 1)
            assert sb.faults.cut_streams("pricing") == 1
            (again,) = await take(stream, 1)  # the snapshot of the reopened stream
            assert again.instrument == EUR
            assert (stream.opens, stream.cuts, stream.dead) == (2, 1, 0)
            assert events.kinds() == ["open", "cut", "open"]


@aio
async def test_a_silent_stream_is_declared_dead_after_the_timeout_and_reopened():
    events = Events()
    async with OandaSandbox(heartbeat=3600.0) as sb, client_for(sb) as client:
        seen = Recorder(sb)
        loop = asyncio.get_running_loop()
        async with client.pricing_stream([EUR], heartbeat_timeout=0.3, on_event=events) as stream:
            await take(stream, 1)
            silent_from = loop.time()
            await take(stream, 1)
            waited = loop.time() - silent_from
            assert 0.3 <= waited < 2.0
            assert stream.dead == 1 and stream.opens == 2
            assert ("dead", "no data or heartbeat for 0.3 s") in events.seen
            assert seen.count("/pricing/stream") == 2


@aio
async def test_heartbeats_keep_a_quiet_stream_alive():
    async with OandaSandbox(heartbeat=0.05) as sb, client_for(sb) as client:
        async with client.pricing_stream([EUR], heartbeats=True, heartbeat_timeout=0.3) as stream:
            beats = await take(stream, 8, (m.PricingHeartbeat,))
            assert len(beats) == 8 and stream.dead == 0 and stream.opens == 1


@aio
async def test_a_malformed_line_is_reported_with_the_line_and_the_stream_goes_on(caplog):
    events = Events()
    caplog.set_level(logging.WARNING, logger="tradebridge.venues.oanda.stream")
    async with OandaSandbox() as sb, client_for(sb) as client:
        sb.faults.malformed_line("pricing")
        async with client.pricing_stream([EUR, JPY], on_event=events) as stream:
            got = await take(stream, 1)
            assert got[0].instrument == JPY  # EUR's snapshot line was the broken one
            assert stream.malformed == 1 and stream.opens == 1
        kind, detail = next(e for e in events.seen if e[0] == "malformed")
        assert '{"type":"PRICE","instrument":"EUR_USD","bids":[{"price":' in detail
        assert any(
            "malformed line skipped" in r.getMessage() and "EUR_USD" in r.getMessage() for r in caplog.records
        )


@aio
async def test_transaction_stream_delivers_fills_and_heartbeats():
    async with OandaSandbox(heartbeat=0.05) as sb, client_for(sb) as client:
        async with client.transaction_stream(heartbeats=True, heartbeat_timeout=1.0) as stream:
            (beat,) = await take(stream, 1, (m.TransactionHeartbeat,))
            assert beat.last_transaction_id is not None
            answer = await client.create_order(
                m.OrderRequest(type="MARKET", instrument=EUR, units=Decimal(10))
            )
            fills = await take(stream, 1, (m.OrderFillTransaction,))
            assert fills[0].id == answer.fills()[0].id and fills[0].units == Decimal(10)


@aio
async def test_a_refused_open_is_retried_after_retry_after():
    async with OandaSandbox() as sb, client_for(sb) as client:
        sb.faults.throttle(count=2, retry_after=0.05, path="/pricing/stream")
        events = Events()
        async with client.pricing_stream([EUR], on_event=events) as stream:
            (price,) = await take(stream, 1)
            assert price.instrument == EUR
            assert events.kinds() == ["cut", "cut", "open"]
            assert all("HTTP 429 on open" in d for k, d in events.seen if k == "cut")


@aio
async def test_a_stream_that_cannot_be_reopened_raises_after_the_policy():
    async with OandaSandbox() as sb:
        url, account = sb.url, sb.account_id
    async with OandaClient(TOKEN, account, base_url=url, retry=FAST) as client:
        with pytest.raises(OandaStreamError, match=r"could not reopen the stream after 4 attempt"):
            async with client.pricing_stream([EUR]) as stream:
                await take(stream, 1)


@aio
async def test_a_stream_refused_for_its_token_raises_at_once():
    async with OandaSandbox(token="another") as sb, client_for(sb, retry=Backoff(reconnect=-1)) as client:
        with pytest.raises(OandaAuthError, match="HTTP 401"):
            async with client.transaction_stream() as stream:
                await take(stream, 1)
