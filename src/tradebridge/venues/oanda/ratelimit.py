"""Request pacing: a rate limit that holds in every window (at most ``limit`` requests per ``period``).

OANDA allows 100 requests per second per connection. A token bucket of size ``b`` refilled at
``r`` per second lets ``b + r`` requests through in one second after an idle spell, so it either
breaks the limit or wastes half of it; a sliding log of the last ``limit`` grant times is exact
and as cheap. The clock and the sleep are injectable so tests run on a fake clock.
:func:`retry_after` reads the venue's own pacing hint (the ``Retry-After`` header).
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections import deque
from collections.abc import Awaitable, Callable

__all__ = ["MAX_RETRY_AFTER", "RateLimiter", "retry_after"]

MAX_RETRY_AFTER = 60.0  # longest wait a Retry-After header may impose


class RateLimiter:
    """Grants at most ``limit`` acquisitions in any window of ``period`` seconds, in call order."""

    def __init__(self, limit: int = 100, period: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        if limit < 1 or period <= 0:
            raise ValueError(f"need limit >= 1 and period > 0, got {limit}, {period}")
        self.limit, self.period = limit, period
        self._clock, self._sleep = clock, sleep
        self._grants: deque[float] = deque(maxlen=limit)
        self._lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"RateLimiter({self.limit} per {self.period:g} s)"

    def delay(self) -> float:
        """Seconds until the next acquisition may be granted (0 when it may go now)."""
        if len(self._grants) < self.limit:
            return 0.0
        return max(0.0, self._grants[0] + self.period - self._clock())

    async def acquire(self) -> float:
        """Wait for a free slot and take it; returns the grant time on the limiter's clock."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            while (wait := self.delay()) > 0:
                await self._sleep(wait)
            now = self._clock()
            self._grants.append(now)
            return now


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), capped; None if absent/bad."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
