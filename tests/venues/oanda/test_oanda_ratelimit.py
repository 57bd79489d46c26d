"""The request-rate limit on a fake clock (every window holds), and Retry-After parsing."""

from __future__ import annotations

import asyncio
import email.utils

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebridge.venues.oanda.ratelimit import MAX_RETRY_AFTER, RateLimiter, retry_after


class FakeClock:
    """A clock that moves only when the limiter sleeps (or the test advances it)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(1, 12),
    period=st.sampled_from([0.1, 0.5, 1.0]),
    gaps=st.lists(st.floats(0, 0.3, allow_nan=False), min_size=1, max_size=60),
)
def test_no_window_of_one_period_holds_more_than_limit_grants(limit, period, gaps):
    clock = FakeClock()
    limiter = RateLimiter(limit, period, clock=clock, sleep=clock.sleep)

    async def run() -> list[float]:
        grants = []
        for gap in gaps:
            clock.now += gap
            grants.append(await limiter.acquire())
        return grants

    grants = asyncio.run(run())
    for i, first in enumerate(grants):
        assert sum(1 for t in grants[i:] if t < first + period - 1e-9) <= limit
    assert grants == sorted(grants)


def test_a_burst_waits_exactly_until_the_oldest_grant_leaves_the_window():
    clock = FakeClock()
    limiter = RateLimiter(3, 1.0, clock=clock, sleep=clock.sleep)

    async def run() -> list[float]:
        return [await limiter.acquire() for _ in range(7)]

    assert asyncio.run(run()) == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0]
    assert clock.sleeps == [1.0, 1.0]


def test_idle_time_does_not_build_up_a_bigger_burst():
    clock = FakeClock()
    limiter = RateLimiter(2, 1.0, clock=clock, sleep=clock.sleep)

    async def run() -> list[float]:
        clock.now = 100.0
        return [await limiter.acquire() for _ in range(3)]

    assert asyncio.run(run()) == [100.0, 100.0, 101.0]


def test_bad_limits_are_refused():
    with pytest.raises(ValueError, match="need limit >= 1 and period > 0"):
        RateLimiter(0)
    with pytest.raises(ValueError, match="need limit >= 1 and period > 0"):
        RateLimiter(5, 0.0)


@pytest.mark.parametrize(
    "header,expected",
    [
        ("2", 2.0),
        ("0.25", 0.25),
        ("-3", 0.0),
        ("3600", MAX_RETRY_AFTER),
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
    ],
)
def test_retry_after_reads_seconds_and_refuses_garbage(header, expected):
    assert retry_after(header) == expected


def test_retry_after_reads_an_http_date():
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 5, usegmt=True)
    assert retry_after(header, now=now) == pytest.approx(5.0)
