"""Shared helpers of the IB sandbox tests: run a coroutine with a deadline, a fixed start time."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")

# 10:00 in New York on a Tuesday: the stock session is open
START = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def run(coro: Awaitable[T], timeout: float = 30.0) -> T:
    """Run ``coro`` on a fresh event loop, failing after ``timeout`` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def settle(seconds: float = 0.05) -> None:
    """Let the client's loop process what the server sent (the client is in the same loop)."""
    await asyncio.sleep(seconds)
