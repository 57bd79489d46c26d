"""v20 streams (pricing, transactions) as async iterators of parsed lines, with a watchdog.

v20 streams are chunked HTTP answers of newline-delimited JSON with a heartbeat every 5 s.
A stream that sends nothing (no data, no heartbeat) for ``heartbeat_timeout`` seconds is dead:
it is closed and reopened, as is a stream the venue or the network cuts. Reopening follows the
retry policy (backoff with full jitter; ``Retry-After`` honoured); the policy restarts after
each successful open. A line that is not JSON or not a v20 payload is reported (``on_event``,
a warning naming the line, the ``malformed`` counter) and skipped: the stream goes on.
Consumers learn of gaps through ``on_event("dead"|"cut", reason)`` and replay what they missed
(transactions since the last id, candles since the last bar).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from tradebridge.live.backoff import Backoff

from . import models as m
from .errors import OandaStreamError, error_for
from .ratelimit import retry_after

__all__ = ["Stream"]

log = logging.getLogger(__name__)

_DEFAULT_RETRY = Backoff(reconnect=-1, initial=0.5, maximum=30.0, timeout=None)
_RETRYABLE = frozenset({429, 500, 502, 503, 504})


class _Gone(Exception):
    """Internal: the open stream ended (``kind`` "dead" or "cut")."""

    def __init__(self, kind: str, reason: str, hint: float | None = None) -> None:
        super().__init__(reason)
        self.kind, self.reason, self.hint = kind, reason, hint


class Stream:
    """One v20 stream; ``async for item in stream`` yields models until ``aclose()`` or a fatal error."""

    def __init__(self, http: httpx.AsyncClient, path: str, params: Mapping[str, Any], *,
                 heartbeats: bool = False, heartbeat_timeout: float = 10.0, retry: Backoff = _DEFAULT_RETRY,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 on_event: Callable[[str, str], object] | None = None,
                 parse: Callable[[Any], m.Model] = m.stream_line_from_json) -> None:
        if heartbeat_timeout <= 0:
            raise ValueError(f"heartbeat_timeout must be > 0, got {heartbeat_timeout}")
        self.path, self.params = path, dict(params)
        self.heartbeats, self.heartbeat_timeout = heartbeats, heartbeat_timeout
        self.retry, self._sleep, self._on_event, self._parse = retry, sleep, on_event, parse
        self._http = http
        self._closed = False
        self._gen: Any = None
        self.opens = self.dead = self.cuts = self.malformed = 0

    def __repr__(self) -> str:
        return f"Stream({self.path!r}, opens={self.opens}, dead={self.dead}, cuts={self.cuts})"

    async def aclose(self) -> None:
        """Stop and close the connection; an iteration in progress ends."""
        self._closed = True
        if self._gen is not None:
            await self._gen.aclose()

    async def __aenter__(self) -> Stream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncIterator[m.Model]:
        if self._gen is None:
            self._gen = self._iterate()
        return self._gen  # type: ignore[no-any-return]

    def _event(self, kind: str, detail: str) -> None:
        if self._on_event is not None:
            self._on_event(kind, detail)

    async def _iterate(self) -> AsyncIterator[m.Model]:
        delays = self.retry.delays()
        failures = 0
        while not self._closed:
            try:
                async with self._http.stream("GET", self.path, params=self.params) as response:
                    if response.status_code >= 400:
                        await self._refuse(response)
                    self.opens += 1
                    delays, failures = self.retry.delays(), 0
                    self._event("open", f"GET {self.path}")
                    async for item in self._items(response):
                        yield item
                        if self._closed:
                            return
            except _Gone as gone:
                self._count(gone.kind)
                log.warning("GET %s: %s; reopening", self.path, gone.reason)
                self._event(gone.kind, gone.reason)
                wait = next(delays, None)
                if wait is not None and gone.hint is not None:
                    wait = gone.hint
            except httpx.HTTPError as exc:
                self.cuts += 1
                reason = f"connection failed or cut ({type(exc).__name__})"
                log.warning("GET %s: %s; reopening", self.path, reason)
                self._event("cut", reason)
                wait = next(delays, None)
            if self._closed:
                return
            failures += 1
            if wait is None:
                raise OandaStreamError(f"GET {self.path}: could not reopen the stream after {failures} "
                                       f"attempt(s)", f"GET {self.path}")
            await self._sleep(wait)

    def _count(self, kind: str) -> None:
        if kind == "dead":
            self.dead += 1
        else:
            self.cuts += 1

    async def _refuse(self, response: httpx.Response) -> None:
        """An error answer to the open: retryable ones become a cut, the others raise at once."""
        await response.aread()
        try:
            body = response.json()
        except ValueError:
            body = None
        endpoint = f"GET {self.path}"
        if response.status_code not in _RETRYABLE:
            raise error_for(endpoint, response.status_code, body)
        hint = retry_after(response.headers.get("Retry-After"))
        raise _Gone("cut", f"HTTP {response.status_code} on open", hint)

    async def _items(self, response: httpx.Response) -> AsyncIterator[m.Model]:
        lines = response.aiter_lines().__aiter__()
        while True:
            try:
                line = await asyncio.wait_for(lines.__anext__(), self.heartbeat_timeout)
            except StopAsyncIteration:
                raise _Gone("cut", "the venue ended the stream") from None
            except TimeoutError:
                raise _Gone("dead", f"no data or heartbeat for {self.heartbeat_timeout:g} s") from None
            item = self._decode(line)
            if item is None:
                continue
            if not self.heartbeats and isinstance(item, m.PricingHeartbeat | m.TransactionHeartbeat):
                continue
            yield item

    def _decode(self, line: str) -> m.Model | None:
        line = line.strip()
        if not line:
            return None
        try:
            return self._parse(json.loads(line))
        except (ValueError, m.ModelError) as err:
            self.malformed += 1
            shown = line if len(line) <= 200 else line[:200] + "..."
            problem = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            log.warning("GET %s: malformed line skipped (%s): %r", self.path, problem, shown)
            self._event("malformed", f"{problem}: {shown!r}")
            return None
