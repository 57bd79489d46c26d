"""The thin HTTP/1.1 transport: asyncio streams and h11 (sans-IO), keep-alive, chunked streams.

A handler gets a :class:`Request` and returns a :class:`Response` (a JSON body) or a
:class:`StreamResponse` (an async iterator of NDJSON lines sent chunked until the client leaves,
the stream ends or a fault cuts it).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import h11

__all__ = ["DROP", "Request", "Response", "StreamResponse", "serve_connection"]

_MAX_BODY = 1 << 20
DROP = 0  # a Response status meaning: close the connection without answering (fault injection)


@dataclasses.dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        """The JSON body (None when empty); ValueError names the problem."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ValueError(f"the request body is not valid JSON: {exc}") from None


@dataclasses.dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class StreamResponse:
    kind: str  # "pricing" or "transactions"
    lines: AsyncIterator[bytes]
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Response | StreamResponse]]


class _Conn:
    """One client connection: reads h11 events, writes h11 output; ``cut()`` aborts it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.SERVER)
        self.kind = ""

    async def send(self, event: Any) -> None:
        data = self.h11.send(event)
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def next_event(self) -> Any:
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            data = await self.reader.read(65536)
            self.h11.receive_data(data)

    def cut(self) -> None:
        self.writer.transport.abort()


async def _read_request(conn: _Conn) -> Request | None:
    event = await conn.next_event()
    if not isinstance(event, h11.Request):
        return None
    body = bytearray()
    while True:
        part = await conn.next_event()
        if isinstance(part, h11.Data):
            body += part.data
            if len(body) > _MAX_BODY:
                raise h11.RemoteProtocolError("request body too large")
        elif isinstance(part, h11.EndOfMessage):
            break
        else:
            return None
    url = urlsplit(event.target.decode("latin-1"))
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in event.headers}
    return Request(
        event.method.decode(),
        url.path,
        dict(parse_qsl(url.query, keep_blank_values=True)),
        headers,
        bytes(body),
    )


def _headers(extra: dict[str, str], content_type: str, length: int | None) -> list[tuple[str, str]]:
    out = [("Content-Type", content_type), ("Server", "tradebridge-oanda-sandbox")]
    if length is not None:
        out.append(("Content-Length", str(length)))
    return out + list(extra.items())


async def _send_stream(
    conn: _Conn, resp: StreamResponse, register: Callable[[Any], Callable[[], None]]
) -> None:
    """Send the stream chunked until it ends or the client goes away (EOF on the socket); the
    connection closes afterwards."""
    await conn.send(
        h11.Response(status_code=200, headers=_headers(resp.headers, "application/octet-stream", None))
    )
    conn.kind = resp.kind
    forget = register(conn)

    async def pump() -> None:
        async for line in resp.lines:
            await conn.send(h11.Data(data=line))
        await conn.send(h11.EndOfMessage())

    pumping = asyncio.ensure_future(pump())
    watching = asyncio.ensure_future(conn.reader.read(65536))
    try:
        await asyncio.wait({pumping, watching}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        forget()
        for task in (pumping, watching):
            task.cancel()
        for task in (pumping, watching):
            with contextlib.suppress(BaseException):
                await task
        aclose = getattr(resp.lines, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


async def _send_json(conn: _Conn, resp: Response) -> None:
    body = json.dumps(resp.body, separators=(",", ":")).encode()
    headers = _headers(resp.headers, "application/json", len(body))
    await conn.send(h11.Response(status_code=resp.status, headers=headers))
    await conn.send(h11.Data(data=body))
    await conn.send(h11.EndOfMessage())


async def serve_connection(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    handler: Handler,
    register: Callable[[Any], Callable[[], None]],
) -> None:
    """Serve requests on one connection until the client closes it (keep-alive); a request that is
    not HTTP/1.1 gets a 400 naming the problem, then the connection closes."""
    conn = _Conn(reader, writer)
    try:
        while True:
            req = await _read_request(conn)
            if req is None:
                break
            resp = await handler(req)
            if isinstance(resp, StreamResponse):
                await _send_stream(conn, resp, register)
                break
            if resp.status == DROP:
                conn.cut()
                break
            await _send_json(conn, resp)
            if conn.h11.our_state is h11.MUST_CLOSE or conn.h11.their_state is h11.MUST_CLOSE:
                break
            conn.h11.start_next_cycle()
    except h11.RemoteProtocolError as exc:
        if conn.h11.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            with contextlib.suppress(Exception):
                await _send_json(
                    conn, Response(400, {"errorMessage": f"Bad HTTP request: {exc}"}, {"Connection": "close"})
                )
    except (h11.ProtocolError, ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()
            await writer.wait_closed()
