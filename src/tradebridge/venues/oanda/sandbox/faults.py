"""Fault injection for tests: error answers (429 with Retry-After, 503, ...), delays, stream cuts
and malformed stream lines. Plain state consulted by the HTTP layer; no I/O of its own."""

from __future__ import annotations

import collections
import dataclasses
import random
import re
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Chaos", "Faults", "RateLimit"]

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


_CHAOS_KINDS = ("errors", "delays", "drops", "cuts", "malformed")


@dataclasses.dataclass
class Chaos:
    """Seeded random faults: each request may answer 429/503 (``errors``), be held back
    (``delays``) or be served with its answer lost (``drops``); each replayed bar may cut the open
    streams (``cuts``); each stream line may be malformed (``malformed``). The same seed and the
    same sequence of requests give the same faults."""

    seed: int
    errors: float = 0.1
    delays: float = 0.05
    drops: float = 0.02
    cuts: float = 0.05
    malformed: float = 0.02
    delay: float = 0.1
    retry_after: float = 0.05

    def __post_init__(self) -> None:
        self._rngs = {}
        for name in _CHAOS_KINDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"chaos {name} must be a probability in [0, 1], got {value}")
            # one generator per kind: requests, bars and stream lines draw independently
            self._rngs[name] = random.Random(f"{self.seed}:{name}")

    def hit(self, name: str) -> bool:
        return self._rngs[name].random() < getattr(self, name)

    def pick(self, name: str, choices: tuple[Any, ...]) -> Any:
        return self._rngs[name].choice(choices)


class Faults:
    """What the sandbox should get wrong next. Requests matching ``path`` (a regex on the URL
    path, default any) are affected; each fault lasts ``count`` requests or ``seconds``."""

    def __init__(self) -> None:
        self._errors: list[_Window] = []
        self._delays: list[_Window] = []
        self._malformed: dict[str, int] = {}
        self._streams: set[Any] = set()  # live stream handles: .kind, .cut()
        self._drops: list[_Window] = []
        self._chaos: Chaos | None = None
        self.injected: dict[str, int] = {"error": 0, "delay": 0, "cut": 0, "malformed": 0, "drop": 0}

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

    def drop(self, count: int | None = None, seconds: float | None = None, path: str | None = None) -> None:
        """Serve the request, then drop the connection instead of answering (the client cannot
        know whether e.g. its order was placed)."""
        self._drops.append(_window(True, count, seconds, path))

    def chaos(self, seed: int, **probabilities: float) -> Chaos:
        """Turn on seeded random faults (see :class:`Chaos`); ``clear()`` turns them off."""
        self._chaos = Chaos(seed, **probabilities)
        return self._chaos

    def clear(self) -> None:
        """No more faults."""
        self._errors.clear()
        self._delays.clear()
        self._drops.clear()
        self._malformed.clear()
        self._chaos = None

    # -- consulted by the HTTP layer ------------------------------------------------------

    def error_for(self, path: str) -> tuple[int, dict[str, str], dict[str, str]] | None:
        """(status, headers, body) to answer instead of ``path``, or None."""
        chaos = self._chaos
        if chaos is not None and chaos.hit("errors"):
            self.injected["error"] += 1
            status = chaos.pick("errors", (429, 503))
            headers = {"Retry-After": f"{chaos.retry_after:g}"} if status == 429 else {}
            return status, headers, {"errorMessage": _MESSAGES[status]}
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
        if self._chaos is not None and self._chaos.hit("delays"):
            self.injected["delay"] += 1
            return self._chaos.delay
        now = time.monotonic()
        for window in self._delays:
            if window.applies(path, now):
                window.use()
                self.injected["delay"] += 1
                return float(window.value)
        return 0.0

    def drop_for(self, path: str) -> bool:
        """Whether the answer to this (already served) request must be lost."""
        if self._chaos is not None and self._chaos.hit("drops"):
            self.injected["drop"] += 1
            return True
        now = time.monotonic()
        for window in self._drops:
            if window.applies(path, now):
                window.use()
                self.injected["drop"] += 1
                return True
        return False

    def on_step(self) -> None:
        """A bar was replayed: chaos may cut the open streams."""
        if self._chaos is not None and self._streams and self._chaos.hit("cuts"):
            self.cut_streams()

    def take_malformed(self, kind: str) -> bool:
        """Whether the next line of a ``kind`` stream must be malformed (consumes one)."""
        if self._chaos is not None and self._chaos.hit("malformed"):
            self.injected["malformed"] += 1
            return True
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
