"""Shared helpers of the IB sandbox tests: run a coroutine with a deadline, a fixed start time,
a bare TWS client built from the codec."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tradebridge.venues.ib.protocol import (
    FrameReader,
    decode_response,
    encode_request,
    hello_bytes,
    split_fields,
)

T = TypeVar("T")

# 10:00 in New York on a Tuesday: the stock session is open
START = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def run(coro: Awaitable[T], timeout: float = 30.0) -> T:
    """Run ``coro`` on a fresh event loop, failing after ``timeout`` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def settle(seconds: float = 0.05) -> None:
    """Let the client's loop process what the server sent (the client is in the same loop)."""
    await asyncio.sleep(seconds)


async def raw_connect(host: str, port: int, lo: int = 157, hi: int = 178
                      ) -> tuple[asyncio.StreamWriter, Callable[[], Awaitable[list[str]]]]:
    """Open a socket and send the handshake; (writer, next_message) where next_message()
    returns the fields of the next frame (raising IncompleteReadError at end of stream)."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(hello_bytes(lo, hi))
    frames = FrameReader()

    async def next_message() -> list[str]:
        while (payload := frames.next_frame()) is None:
            data = await reader.read(65536)
            if not data:
                raise asyncio.IncompleteReadError(b"", None)
            frames.feed(data)
        return split_fields(payload)

    return writer, next_message


async def raw_client(srv: Any, client_id: int = 9
                     ) -> tuple[asyncio.StreamWriter, Callable[[], Awaitable[list[str]]]]:
    """A bare client past the handshake and startApi (managedAccounts and nextValidId read)."""
    writer, next_message = await raw_connect(srv.host, srv.port)
    assert (await next_message())[0] == "178"
    writer.write(encode_request("startApi", {"version": 2, "clientId": client_id,
                                             "optionalCapabilities": ""}, 178))
    names = {decode_response(await next_message(), 178)[0] for _ in range(2)}
    assert names == {"managedAccounts", "nextValidId"}
    return writer, next_message
