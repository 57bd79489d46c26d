"""Answers that are not v20 (not JSON, wrong shapes) raise OandaProtocolError naming endpoint and field."""

from __future__ import annotations

import asyncio

import pytest
from test_oanda_client import FAST, TOKEN, aio

from tradebridge.venues.oanda.client import OandaClient
from tradebridge.venues.oanda.errors import OandaProtocolError, OandaServerError


def fixed_server(status: int, body: bytes, content_type: str = "application/json"):
    """A real loopback HTTP peer that gives every request the same answer."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return asyncio.start_server(answer, "127.0.0.1", 0)


@pytest.mark.parametrize(
    "status,body,message",
    [
        (
            200,
            b"<html>maintenance</html>",
            "GET /v3/accounts: answer is not JSON: '<html>maintenance</html>'",
        ),
        (200, b"[1, 2]", "GET /v3/accounts: answer is not a JSON object"),
        (
            200,
            b'{"accounts": [{"id": 5}]}',
            "GET /v3/accounts: AccountProperties.id: expected a string, got 5 (int)",
        ),
        (200, b'{"accounts": {"id": "1"}}', "GET /v3/accounts: answer.accounts: expected a list, got dict"),
    ],
)
@aio
async def test_a_non_v20_answer_names_endpoint_and_field(status, body, message):
    server = await fixed_server(status, body)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server, OandaClient(TOKEN, "1", base_url=url, retry=FAST) as client:
        with pytest.raises(OandaProtocolError) as info:
            await client.accounts()
        assert str(info.value) == message


@aio
async def test_an_error_answer_without_json_still_names_status_and_endpoint():
    server = await fixed_server(500, b"oops", "text/plain")
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server, OandaClient(TOKEN, "101-1-1-1", base_url=url, retry=FAST) as client:
        with pytest.raises(OandaServerError) as info:
            await client.cancel_order("7")
        assert str(info.value) == "PUT /v3/accounts/101-1-1-1/orders/7/cancel: HTTP 500"
        assert info.value.response is None and info.value.error_code is None
