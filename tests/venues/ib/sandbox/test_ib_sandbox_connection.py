"""Connection-level behaviour of the sandbox with a bare codec client: version refusal, requests
before startApi, a second startApi, unknown messages; the connection survives bad requests."""

from __future__ import annotations

import asyncio

import pytest
from ib_sandbox_helpers import START, raw_client, raw_connect, run

from tradebridge.venues.ib.protocol import decode_response, encode_request, frame, pack_fields
from tradebridge.venues.ib.sandbox.server import SandboxServer


def test_a_client_without_a_common_version_is_disconnected():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            writer, next_message = await raw_connect(srv.host, srv.port, 100, 150)
            with pytest.raises(asyncio.IncompleteReadError):
                await next_message()
            writer.close()
    run(go())


def test_the_handshake_reply_is_the_version_and_connection_time_alone():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            writer, next_message = await raw_connect(srv.host, srv.port, 157, 176)
            assert await next_message() == ["176", "20261124 15:00:00 UTC"]
            writer.write(encode_request("reqCurrentTime", {}, 176))
            name, values = decode_response(await next_message(), 176)
            assert name == "error" and "reqCurrentTime before startApi" in values["errorString"]
            writer.close()
    run(go())


def test_unknown_messages_and_a_second_start_api_get_321_and_the_connection_lives():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            writer, next_message = await raw_client(srv)
            writer.write(frame(pack_fields(["200", "1"])))
            writer.write(encode_request("startApi", {"clientId": 9, "optionalCapabilities": ""}, 178))
            writer.write(encode_request("reqCurrentTime", {}, 178))
            replies = [decode_response(await next_message(), 178) for _ in range(3)]
            assert [(n, v.get("errorCode")) for n, v in replies] == [
                ("error", 321), ("error", 321), ("currentTime", None)]
            assert "message id 200 is not supported" in replies[0][1]["errorString"]
            assert "startApi was already sent" in replies[1][1]["errorString"]
            assert 9 in srv.sessions
            writer.close()
    run(go())


def test_the_served_version_range_can_be_narrowed_and_is_checked():
    async def go():
        async with SandboxServer(port=0, start=START, versions=(157, 170)) as srv:
            writer, next_message = await raw_connect(srv.host, srv.port, 100, 225)
            assert (await next_message())[0] == "170"
            writer.close()
    run(go())
    with pytest.raises(ValueError, match=r"versions \(150, 178\) must lie within 157..178"):
        SandboxServer(versions=(150, 178))
