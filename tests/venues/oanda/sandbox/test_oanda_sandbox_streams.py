"""Streams, authentication, keep-alive, state across client reconnects and every injected fault,
over real loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import httpx
import pytest
from _oanda_sandbox_kit import SPEC_MISSING, Api, Checked, aio, check_items, client

from tradebridge.venues.oanda import spec
from tradebridge.venues.oanda.sandbox import OandaSandbox
from tradebridge.venues.oanda.sandbox.data import bundled_series
from tradebridge.venues.oanda.sandbox.faults import RateLimit


class Lines:
    """Reads NDJSON lines of an open stream response with a timeout per line."""

    def __init__(self, response: httpx.Response) -> None:
        self._it = response.aiter_lines()

    async def next(self, timeout: float = 5.0) -> str:
        while True:
            line = await asyncio.wait_for(self._it.__anext__(), timeout)
            if line:
                return line

    async def json(self, timeout: float = 5.0) -> dict[str, Any]:
        return json.loads(await self.next(timeout))


def _stream(c: httpx.AsyncClient, sb: OandaSandbox, path: str, **params: Any) -> Any:
    return c.stream("GET", f"/v3/accounts/{sb.account_id}{path}", params=params)


@aio
async def test_pricing_stream_sends_current_prices_then_each_replayed_bar_and_heartbeats() -> None:
    async with OandaSandbox(heartbeat=0.2) as sb, client(sb) as c:
        async with _stream(c, sb, "/pricing/stream", instruments="EUR_USD,USD_JPY") as resp:
            assert resp.status_code == 200
            assert resp.headers.get("transfer-encoding") == "chunked"
            lines = Lines(resp)
            first = [await lines.json(), await lines.json()]
            assert [p["instrument"] for p in first] == ["EUR_USD", "USD_JPY"]
            heartbeat = await lines.json()
            assert heartbeat["type"] == "HEARTBEAT"
            sb.step()
            moved = [await lines.json(), await lines.json()]
            bid, ask = sb.state.market.quote("EUR_USD")
            eur = next(p for p in moved if p["instrument"] == "EUR_USD")
            assert float(eur["bids"][0]["price"]) == bid and float(eur["asks"][0]["price"]) == ask
            if not SPEC_MISSING:
                for payload in first + moved:
                    spec.validate("ClientPrice", payload)
                spec.validate("PricingHeartbeat", heartbeat)


@aio
async def test_transaction_stream_carries_new_transactions_and_heartbeats_with_last_id() -> None:
    async with OandaSandbox(heartbeat=0.2) as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        async with _stream(c, sb, "/transactions/stream") as resp:
            lines = Lines(resp)
            beat = await lines.json()
            assert beat == {"type": "HEARTBEAT", "lastTransactionID": "2", "time": beat["time"]}
            await api.order(type="MARKET", instrument="GBP_USD", units="100")
            got: list[dict[str, Any]] = []
            while len(got) < 2:  # a heartbeat may come between the two transactions
                line = await lines.json()
                if line["type"] != "HEARTBEAT":
                    got.append(line)
            assert [g["type"] for g in got] == ["MARKET_ORDER", "ORDER_FILL"]
            assert got[1]["orderID"] == got[0]["id"] and got[1]["batchID"] == got[0]["id"]
            if not SPEC_MISSING:
                spec.validate("TransactionHeartbeat", beat)
                assert check_items(got) == len(got)


@aio
async def test_missing_or_wrong_token_gets_401_with_oanda_error_body() -> None:
    async with OandaSandbox(token="s3cret-token") as sb:
        async with httpx.AsyncClient(base_url=sb.url) as bare:
            r = await bare.get("/v3/accounts")
            assert r.status_code == 401 and r.json() == {
                "errorMessage": "Insufficient authorization to perform request."
            }
        async with client(sb, token="wrong") as wrong:
            assert (await wrong.get("/v3/accounts")).status_code == 401
        async with client(sb, token="s3cret-token") as right:
            assert (await right.get("/v3/accounts")).status_code == 200
        assert "s3cret" not in repr(sb) and "s3cret" not in repr(sb.state)


@aio
async def test_unknown_account_path_and_method_get_clear_errors() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        r = await c.get("/v3/accounts/101-001-9999999-001/summary")
        assert r.status_code == 400 and "accountID" in r.json()["errorMessage"]
        assert (await c.get("/v3/nowhere")).status_code == 404
        r = await c.delete(f"/v3/accounts/{sb.account_id}/orders")
        assert r.status_code == 405 and "GET" in r.json()["errorMessage"]
        r = await c.post(f"/v3/accounts/{sb.account_id}/orders", content=b"{not json")
        assert r.status_code == 400 and "JSON" in r.json()["errorMessage"]


@aio
async def test_keep_alive_serves_many_requests_on_one_connection() -> None:
    async with OandaSandbox() as sb:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with client(sb, limits=limits) as c:
            for _ in range(20):
                assert (await c.get(f"/v3/accounts/{sb.account_id}/summary")).status_code == 200
        assert len(sb._conns) <= 1


@aio
async def test_account_state_survives_client_reconnects_and_transactions_continue() -> None:
    async with OandaSandbox() as sb:
        async with client(sb) as first:
            api = Api(first, sb.account_id)
            created = (
                await api.order(
                    type="LIMIT",
                    instrument="EUR_USD",
                    units="500",
                    price="0.95000",
                    clientExtensions={"id": "keep-me"},
                )
            ).json()
            filled = (await api.order(type="MARKET", instrument="EUR_USD", units="700")).json()
            last = filled["lastTransactionID"]
        sb.step(3)
        async with client(sb) as second:
            api = Api(second, sb.account_id)
            order = (await api.get("/orders/@keep-me"))["order"]
            assert order["id"] == created["orderCreateTransaction"]["id"] and order["state"] == "PENDING"
            trades = (await api.get("/openTrades"))["trades"]
            assert [t["currentUnits"] for t in trades] == ["700"]
            assert (await api.get("/transactions/sinceid", id=last))["transactions"] == []
            later = (await api.order(type="MARKET", instrument="EUR_USD", units="-700")).json()
            assert int(later["orderCreateTransaction"]["id"]) == int(last) + 1
            changes = await api.get("/changes", sinceTransactionID=last)
            assert [t["tradeID"] for t in changes["changes"]["transactions"][1]["tradesClosed"]] == [
                trades[0]["id"]
            ]
            assert [t["id"] for t in changes["changes"]["tradesClosed"]] == [trades[0]["id"]]
            assert changes["state"]["trades"] == [] and changes["state"]["positions"] == []


@aio
async def test_changes_state_carries_unrealized_pl_and_trailing_stop_values() -> None:
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        r = (
            await api.order(
                type="MARKET",
                instrument="USD_JPY",
                units="1000",
                trailingStopLossOnFill={"distance": "0.500"},
            )
        ).json()
        sb.step(5)
        state = (await api.get("/changes", sinceTransactionID=r["lastTransactionID"]))["state"]
        trade = sb.state.account.trades[r["orderFillTransaction"]["tradeOpened"]["tradeID"]]
        assert state["trades"] == [
            {
                "id": trade.id,
                "unrealizedPL": f"{sb.state.account.unrealized(trade):.4f}",
                "marginUsed": state["trades"][0]["marginUsed"],
            }
        ]
        assert state["positions"][0]["longUnrealizedPL"] == state["trades"][0]["unrealizedPL"]
        tsl = sb.state.account.pending()[0]
        assert state["orders"] == [{"id": tsl.id, "trailingStopValue": f"{tsl.bt.created.price:.3f}"}]


@aio
async def test_transactions_pages_idrange_and_single_lookup_agree() -> None:
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        for units in ("100", "-100", "200"):
            await api.order(type="MARKET", instrument="EUR_USD", units=units)
        listing = await api.get("/transactions", pageSize="3")
        assert listing["count"] == 8 and len(listing["pages"]) == 3
        path = httpx.URL(listing["pages"][1])
        rows = (await c.get(path.path, params=dict(path.params))).json()["transactions"]
        assert [t["id"] for t in rows] == ["4", "5", "6"]
        assert (await api.get("/transactions/5"))["transaction"] == rows[1]
        fills = await api.get("/transactions/idrange", **{"from": "1", "to": "8", "type": "ORDER_FILL"})
        assert [t["id"] for t in fills["transactions"]] == ["4", "6", "8"]
        assert (await c.get(f"/v3/accounts/{sb.account_id}/transactions/99")).status_code == 404


# -- faults ---------------------------------------------------------------------------------


@aio
async def test_fault_throttle_answers_429_with_retry_after_for_n_requests() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        sb.faults.throttle(count=2, retry_after=0.5)
        answers = [await c.get("/v3/accounts") for _ in range(3)]
        assert [r.status_code for r in answers] == [429, 429, 200]
        assert answers[0].headers["retry-after"] == "0.5" and answers[0].json()["errorMessage"]
        assert sb.faults.injected["error"] == 2


@aio
async def test_fault_503_for_a_while_then_service_returns() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        sb.faults.fail(503, seconds=0.3, path=r"/summary$")
        assert (await c.get(f"/v3/accounts/{sb.account_id}/summary")).status_code == 503
        assert (await c.get("/v3/accounts")).status_code == 200  # other paths unaffected
        await asyncio.sleep(0.35)
        assert (await c.get(f"/v3/accounts/{sb.account_id}/summary")).status_code == 200


@aio
async def test_fault_delay_holds_the_response_back() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        sb.faults.delay(0.3, count=1)
        start = time.monotonic()
        assert (await c.get("/v3/accounts")).status_code == 200
        assert time.monotonic() - start >= 0.3
        start = time.monotonic()
        await c.get("/v3/accounts")
        assert time.monotonic() - start < 0.3


@aio
async def test_fault_cut_stream_drops_the_connection_and_a_new_stream_resumes() -> None:
    async with OandaSandbox(heartbeat=0.2) as sb, client(sb) as c:
        async with _stream(c, sb, "/pricing/stream", instruments="EUR_USD") as resp:
            lines = Lines(resp)
            await lines.json()
            await asyncio.sleep(0.05)
            assert sb.faults.cut_streams("pricing") == 1
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, StopAsyncIteration)):
                for _ in range(10):
                    await lines.json(1.0)
        async with _stream(c, sb, "/pricing/stream", instruments="EUR_USD") as again:
            assert (await Lines(again).json())["instrument"] == "EUR_USD"


@aio
async def test_fault_malformed_line_is_sent_once_and_the_stream_goes_on() -> None:
    async with OandaSandbox(heartbeat=0.1) as sb, client(sb) as c:
        sb.faults.malformed_line("transactions")
        async with _stream(c, sb, "/transactions/stream") as resp:
            lines = Lines(resp)
            bad = await lines.next()
            with pytest.raises(ValueError):
                json.loads(bad)
            assert (await lines.json())["type"] == "HEARTBEAT"


@aio
async def test_rate_limit_answers_429_beyond_the_requests_per_second_then_lets_through() -> None:
    async with OandaSandbox(rate_limit=5) as sb, client(sb) as c:
        answers = [await c.get("/v3/accounts") for _ in range(8)]
        assert [r.status_code for r in answers] == [200] * 5 + [429] * 3
        wait = float(answers[5].headers["retry-after"])
        assert 0 < wait <= 1.0
        await asyncio.sleep(wait)
        assert (await c.get("/v3/accounts")).status_code == 200


def test_rate_limit_window_slides_over_one_second() -> None:
    limit = RateLimit(2)
    assert limit.check(10.0) is None and limit.check(10.4) is None
    assert limit.check(10.5) == pytest.approx(0.5)
    assert limit.check(11.0) is None  # the 10.0 request left the window
    with pytest.raises(ValueError, match="positive"):
        RateLimit(0)


async def _raw(sb: OandaSandbox, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(sb.host, sb.port)
    writer.write(data)
    await writer.drain()
    got = await asyncio.wait_for(reader.read(), 5)  # until the server closes
    writer.close()
    return got


@aio
async def test_pipelined_requests_are_answered_in_order_and_garbage_gets_400() -> None:
    async with OandaSandbox() as sb:
        req = b"GET /v3/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
        got = await _raw(sb, req + b"\r\n" + req + b"Connection: close\r\n\r\n")
        assert got.count(b"HTTP/1.1 200 ") == 2 and got.count(sb.account_id.encode()) == 2
        bad = await _raw(sb, b"NOT HTTP AT ALL\r\n\r\n")
        assert bad.startswith(b"HTTP/1.1 400 ") and b"Bad HTTP request" in bad


@aio
async def test_fault_drop_serves_the_order_but_loses_the_answer() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        sb.faults.drop(count=1, path=r"/orders$")
        with pytest.raises(httpx.RemoteProtocolError):
            await api.order(
                type="MARKET", instrument="EUR_USD", units="10", clientExtensions={"id": "lost-1"}
            )
        found = (await api.get("/orders/@lost-1"))["order"]  # the order went through: find it by client id
        assert found["state"] == "FILLED" and sb.faults.injected["drop"] == 1


async def _chaos_run(seed: int) -> tuple[list[int], dict[str, int]]:
    async with OandaSandbox(heartbeat=0.05) as sb, client(sb) as c:
        sb.faults.chaos(seed, errors=0.3, delays=0.1, delay=0.01, drops=0.1, cuts=0.5, malformed=0.2)
        statuses = []
        async with _stream(c, sb, "/transactions/stream") as resp:
            for _ in range(30):
                try:
                    statuses.append((await c.get("/v3/accounts")).status_code)
                except httpx.RemoteProtocolError:
                    statuses.append(-1)
                sb.step()
            assert resp.status_code in (200, 429, 503)
        return statuses, dict(sb.faults.injected)


@aio
async def test_chaos_is_seeded_reproducible_and_injects_every_kind() -> None:
    first, injected = await _chaos_run(7)
    again, _ = await _chaos_run(7)
    other, _ = await _chaos_run(8)
    assert first == again and first != other
    assert {429, 503, 200, -1} <= set(first)
    assert injected["cut"] >= 1 and injected["error"] >= 1 and injected["drop"] >= 1
    with pytest.raises(ValueError, match="probability"):
        OandaSandbox().faults.chaos(1, errors=2.0)


@aio
async def test_paced_serving_replays_bars_and_says_when_the_data_ended(caplog) -> None:  # noqa: ANN001
    series = {"EUR_USD": bundled_series("EUR_USD")}
    async with OandaSandbox(series, start=float(series["EUR_USD"].t[-4] + 5)) as sb:
        task = asyncio.ensure_future(sb.serve(pace=0.01))
        await asyncio.sleep(0.2)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert sb.state.market.exhausted
    assert [r.message for r in caplog.records].count(
        "OANDA sandbox: the replayed data ended; prices stay at the last bar") == 1


@aio
async def test_streams_write_times_in_the_requested_datetime_format() -> None:
    async with OandaSandbox(heartbeat=0.1) as sb, client(sb) as c:
        c.headers["Accept-Datetime-Format"] = "UNIX"
        async with _stream(c, sb, "/pricing/stream", instruments="GBP_USD") as resp:
            lines = Lines(resp)
            price, beat = await lines.json(), await lines.json()
            assert price["time"] == beat["time"] == f"{sb.state.market.clock:.9f}"
