"""The sandbox's listening socket: tracks every socket it accepted and stops in an order that
leaves nothing behind.

On Python 3.11 ``Server.close()`` leaks a socket whose accept is under way at that moment (the
transport built for it cannot attach to the closed server, and nobody closes it). So stopping
goes: refuse (a socket accepted from here on is closed at once, never served), stop watching the
listening socket, let the accepts already under way finish, close the server, then abort every
accepted socket and wait until each is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

__all__ = ["Listener"]

_SETTLE_PASSES = 4  # loop passes for an accept under way to build its transport and close it


class Listener:
    """Accepts connections on ``host:port`` and hands each to ``serve(reader, writer)`` in its own task."""

    def __init__(self, serve: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]) -> None:
        self._serve = serve
        self.open: set[asyncio.Transport] = set()  # accepted sockets not yet closed
        self.closing = False
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen and start accepting; returns the port (the real one for port 0)."""
        server = await asyncio.get_running_loop().create_server(self._protocol, host, port)
        self._server = server
        return int(server.sockets[0].getsockname()[1])

    @property
    def listening(self) -> bool:
        """True until :meth:`stop_listening` (or :meth:`close`) has begun."""
        return self._server is not None and not self.closing

    def _protocol(self) -> asyncio.Protocol:
        listener = self

        class _Tracked(asyncio.StreamReaderProtocol):
            tracked: asyncio.Transport | None = None

            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                assert isinstance(transport, asyncio.Transport)
                if listener.closing:
                    transport.abort()  # accepted while stopping: refused, never served
                    return
                self.tracked = transport
                listener.open.add(transport)
                super().connection_made(transport)

            def connection_lost(self, exc: Exception | None) -> None:
                if self.tracked is not None:
                    listener.open.discard(self.tracked)
                super().connection_lost(exc)

        return _Tracked(asyncio.StreamReader(), self._serve)

    async def stop_listening(self) -> None:
        """Refuse new connections and close the listening socket; accepted ones stay open."""
        self.closing = True
        server, self._server = self._server, None
        if server is None:
            return
        loop = asyncio.get_running_loop()
        for sock in server.sockets:
            with contextlib.suppress(NotImplementedError):  # a proactor loop has no readers to remove
                loop.remove_reader(sock.fileno())  # no new accept starts
        for _ in range(_SETTLE_PASSES):  # accepts under way attach to the still open server
            await asyncio.sleep(0)
        server.close()
        await server.wait_closed()

    async def close(self, quiet_passes: int = 3, max_passes: int = 100) -> None:
        """Stop listening, abort every accepted socket and return once none has been open for
        ``quiet_passes`` loop passes (each abort closes its socket on the next pass)."""
        await self.stop_listening()
        quiet = 0
        for _ in range(max_passes):
            for transport in list(self.open):
                transport.abort()
            await asyncio.sleep(0)
            quiet = 0 if self.open else quiet + 1
            if quiet >= quiet_passes:
                return
