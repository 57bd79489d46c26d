"""Reconnect policy: exponential backoff with full jitter, bounded attempts, per-attempt timeout.

``reconnect`` counts the attempts after the first failed one (backtrader's meaning): 0 means
try once, -1 means keep trying forever. The delay before retry ``k`` (0-based) is drawn
uniformly from ``[0, min(maximum, initial * factor**k)]`` ("full jitter"), so many clients
cut off together do not reconnect together. ``retry`` runs a connect coroutine under the
policy inside an asyncio loop; its ``sleep`` is injectable so tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Backoff", "ConnectTimeoutError", "RetriesExhaustedError", "retry"]

T = TypeVar("T")


class ConnectTimeoutError(TimeoutError):
    """One connection attempt took longer than the policy's ``timeout``."""


class RetriesExhaustedError(ConnectionError):
    """Every attempt the policy allows failed; the last error is the ``__cause__``."""


@dataclass(frozen=True)
class Backoff:
    """How to reconnect: attempts, delays, per-attempt timeout, and an optional RNG seed."""

    reconnect: int = 3
    initial: float = 0.5
    maximum: float = 30.0
    timeout: float | None = 3.0
    factor: float = 2.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.reconnect < -1:
            raise ValueError(f"reconnect must be -1 (forever) or >= 0, got {self.reconnect}")
        if self.initial < 0 or self.maximum < self.initial:
            raise ValueError(f"need 0 <= initial <= maximum, got {self.initial}, {self.maximum}")
        if self.factor < 1:
            raise ValueError(f"factor must be >= 1, got {self.factor}")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError(f"timeout must be > 0 or None, got {self.timeout}")

    def ceiling(self, retry_index: int) -> float:
        """The largest delay before retry ``retry_index`` (0-based): the exponential bound."""
        if self.initial == 0:
            return 0.0
        bound = self.initial
        for _ in range(retry_index):
            bound *= self.factor
            if bound >= self.maximum:
                return self.maximum
        return min(bound, self.maximum)

    def delays(self) -> Iterator[float]:
        """The delay before each retry, in order; ends after ``reconnect`` retries (never if -1)."""
        rng = random.Random(self.seed)
        k = 0
        while self.reconnect < 0 or k < self.reconnect:
            yield rng.uniform(0.0, self.ceiling(k))
            k += 1


async def retry(connect: Callable[[], Awaitable[T]], policy: Backoff,
                sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                on_retry: Callable[[int, float, BaseException], object] | None = None) -> T:
    """Await ``connect()`` until it succeeds under ``policy``; raises RetriesExhaustedError.

    ``on_retry(attempt, delay, error)`` is called before each wait (to report CONNBROKEN, log).
    Cancellation of the surrounding task is never swallowed.
    """
    delays = policy.delays()
    attempt = 0
    while True:
        attempt += 1
        try:
            return await _attempt(connect, policy.timeout)
        except (OSError, TimeoutError, ConnectionError) as exc:
            error: BaseException = exc
        delay = next(delays, None)
        if delay is None:
            raise RetriesExhaustedError(
                f"could not connect after {attempt} attempt(s): {error}") from error
        if on_retry is not None:
            on_retry(attempt, delay, error)
        await sleep(delay)


async def _attempt(connect: Callable[[], Awaitable[T]], timeout: float | None) -> T:
    """One connection attempt under ``timeout`` seconds."""
    if timeout is None:
        return await connect()
    try:
        return await asyncio.wait_for(connect(), timeout)
    except TimeoutError as exc:
        if isinstance(exc, ConnectTimeoutError):
            raise
        raise ConnectTimeoutError(f"connection attempt timed out after {timeout:g} s") from exc
