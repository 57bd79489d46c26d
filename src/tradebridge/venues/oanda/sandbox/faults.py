"""Fault injection for tests: error answers (429 with Retry-After, 503, ...), delays, stream cuts
and malformed stream lines. Plain state consulted by the HTTP layer; no I/O of its own."""

from __future__ import annotations

import collections
import dataclasses
import re
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Faults", "RateLimit"]

_MESSAGES = {
    429: "Requests are being rate limited (sandbox fault injection)",
    503: "Service Unavailable (sandbox fault injection)",
}


@dataclasses.dataclass
class _Window:
    """A fault that applies to ``count`` requests or until ``until`` (monotonic seconds)."""

    value: Any
    count: int | None
    until: float | None
    path: re.Pattern[str] | None

    def applies(self, path: str, now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        if self.count is not None and self.count <= 0:
            return False
        return self.path is None or bool(self.path.search(path))

    def use(self) -> None:
        if self.count is not None:
            self.count -= 1


def _window(value: Any, count: int | None, seconds: float | None, path: str | None) -> _Window:
    if count is None and seconds is None:
        count = 1
    if count is not None and count < 1 or seconds is not None and seconds <= 0:
        raise ValueError(f"a fault needs count >= 1 or seconds > 0, got count={count}, seconds={seconds}")
    until = None if seconds is None else time.monotonic() + seconds
    return _Window(value, count, until, re.compile(path) if path else None)


class Faults:
    """What the sandbox should get wrong next. Requests matching ``path`` (a regex on the URL
    path, default any) are affected; each fault lasts ``count`` requests or ``seconds``."""

    def __init__(self) -> None:
        self._errors: list[_Window] = []
        self._delays: list[_Window] = []
        self._malformed: dict[str, int] = {}
        self._streams: set[Any] = set()  # live stream handles: .kind, .cut()
        self.injected: dict[str, int] = {"error": 0, "delay": 0, "cut": 0, "malformed": 0}

    def fail(
        self,
        status: int = 503,
        count: int | None = None,
        seconds: float | None = None,
        retry_after: float | None = None,
        path: str | None = None,
    ) -> None:
        """Answer ``status`` (with OANDA's error body) instead of serving the request."""
        if not 400 <= status <= 599:
            raise ValueError(f"fault status must be an HTTP error (400..599), got {status}")
        self._errors.append(_window((status, retry_after), count, seconds, path))

    def throttle(
        self,
        count: int | None = None,
        seconds: float | None = None,
        retry_after: float = 1.0,
        path: str | None = None,
    ) -> None:
        """Answer 429 Too Many Requests with ``Retry-After``."""
        self.fail(429, count, seconds, retry_after, path)

    def delay(
        self, delay: float, count: int | None = None, seconds: float | None = None, path: str | None = None
    ) -> None:
        """Hold each affected response back ``delay`` seconds."""
        if delay <= 0:
            raise ValueError(f"delay must be positive, got {delay}")
        self._delays.append(_window(delay, count, seconds, path))

    def cut_streams(self, kind: str | None = None) -> int:
        """Drop the connections of the open streams (``pricing``, ``transactions`` or all) now;
        how many were cut."""
        cut = [s for s in list(self._streams) if kind is None or s.kind == kind]
        for stream in cut:
            stream.cut()
            self._streams.discard(stream)
        self.injected["cut"] += len(cut)
        return len(cut)

    def malformed_line(self, kind: str | None = None, count: int = 1) -> None:
        """Make the next ``count`` lines of ``kind`` streams (or any) malformed JSON."""
        key = kind or "*"
        self._malformed[key] = self._malformed.get(key, 0) + count

    def clear(self) -> None:
        """No more faults."""
        self._errors.clear()
        self._delays.clear()
        self._malformed.clear()

    # -- consulted by the HTTP layer ------------------------------------------------------

    def error_for(self, path: str) -> tuple[int, dict[str, str], dict[str, str]] | None:
        """(status, headers, body) to answer instead of ``path``, or None."""
        now = time.monotonic()
        for window in self._errors:
            if window.applies(path, now):
                window.use()
                status, retry_after = window.value
                headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
                self.injected["error"] += 1
                return (
                    status,
                    headers,
                    {"errorMessage": _MESSAGES.get(status, f"HTTP {status} (sandbox fault)")},
                )
        return None

    def delay_for(self, path: str) -> float:
        now = time.monotonic()
        for window in self._delays:
            if window.applies(path, now):
                window.use()
                self.injected["delay"] += 1
                return float(window.value)
        return 0.0

    def take_malformed(self, kind: str) -> bool:
        """Whether the next line of a ``kind`` stream must be malformed (consumes one)."""
        for key in (kind, "*"):
            if self._malformed.get(key, 0) > 0:
                self._malformed[key] -= 1
                self.injected["malformed"] += 1
                return True
        return False

    def register(self, stream: Any) -> Callable[[], None]:
        """Track an open stream; returns the function that forgets it."""
        self._streams.add(stream)
        return lambda: self._streams.discard(stream)


class RateLimit:
    """OANDA's request-rate rule: at most ``per_second`` requests in any one-second window;
    :meth:`check` says how long to wait (the ``Retry-After``) or None when the request may pass."""

    def __init__(self, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError(f"rate limit must be positive requests per second, got {per_second}")
        self.per_second = per_second
        self._times: collections.deque[float] = collections.deque()

    def check(self, now: float) -> float | None:
        while self._times and now - self._times[0] >= 1.0:
            self._times.popleft()
        if len(self._times) >= self.per_second:
            return max(0.001, 1.0 - (now - self._times[0]))
        self._times.append(now)
        return None
