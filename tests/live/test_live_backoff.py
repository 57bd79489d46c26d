"""Reconnect backoff: bounded attempts, full-jitter delays under an exponential cap; retry on a fake clock."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tradebridge.live.backoff import Backoff, ConnectTimeoutError, RetriesExhaustedError, retry


class FakeClock:
    """Records the sleeps retry asks for and advances a virtual time instead of sleeping."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay


def flaky(failures: int, error: BaseException | None = None) -> tuple[list[int], object]:
    calls: list[int] = []

    async def connect() -> str:
        calls.append(len(calls))
        if len(calls) <= failures:
            raise error or ConnectionRefusedError("refused")
        return "connected"

    return calls, connect


def test_reconnect_counts_retries_after_the_first_attempt() -> None:
    assert len(list(Backoff(reconnect=3).delays())) == 3
    assert list(Backoff(reconnect=0).delays()) == []
    assert len(list(itertools.islice(Backoff(reconnect=-1).delays(), 10_000))) == 10_000


def test_delays_are_full_jitter_under_an_exponential_ceiling_capped_at_the_maximum() -> None:
    policy = Backoff(reconnect=12, initial=0.5, maximum=10.0, seed=1)
    assert [policy.ceiling(k) for k in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    delays = list(policy.delays())
    assert all(0.0 <= d <= policy.ceiling(k) for k, d in enumerate(delays))
    assert max(delays[6:]) > 5.0  # jitter spreads over the whole range, not just near zero
    assert policy.ceiling(10_000) == 10.0  # no overflow for huge attempt numbers


def test_a_seed_makes_delays_reproducible_and_different_seeds_differ() -> None:
    a, b, c = (list(Backoff(reconnect=8, seed=s).delays()) for s in (7, 7, 8))
    assert a == b and a != c


def test_retry_waits_out_failures_on_the_fake_clock_and_returns_the_connection() -> None:
    clock, reports = FakeClock(), []
    calls, connect = flaky(2)
    policy = Backoff(reconnect=5, initial=1.0, maximum=4.0, seed=3)
    result = asyncio.run(retry(connect, policy, sleep=clock.sleep,
                               on_retry=lambda n, d, e: reports.append((n, d, type(e)))))
    assert result == "connected" and len(calls) == 3
    assert clock.sleeps == list(policy.delays())[:2]
    refused = ConnectionRefusedError
    assert reports == [(1, clock.sleeps[0], refused), (2, clock.sleeps[1], refused)]


def test_retry_gives_up_after_reconnect_retries_with_the_last_error_as_cause() -> None:
    clock = FakeClock()
    calls, connect = flaky(100)
    with pytest.raises(RetriesExhaustedError, match="after 4 attempt") as info:
        asyncio.run(retry(connect, Backoff(reconnect=3, seed=0), sleep=clock.sleep))
    assert len(calls) == 4 and len(clock.sleeps) == 3
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


def test_reconnect_minus_one_keeps_trying_until_the_venue_comes_back() -> None:
    clock = FakeClock()
    calls, connect = flaky(500)
    policy = Backoff(reconnect=-1, maximum=60.0, seed=2)
    assert asyncio.run(retry(connect, policy, sleep=clock.sleep)) == "connected"
    assert len(calls) == 501 and clock.now > 60.0 * 100  # capped delays, virtual hours, no real waiting


def test_an_attempt_that_hangs_past_the_timeout_counts_as_a_failure() -> None:
    clock, attempts = FakeClock(), []

    async def connect() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            await asyncio.Event().wait()  # never answers
        return "connected"

    errors: list[BaseException] = []
    policy = Backoff(reconnect=2, timeout=0.001, seed=0)
    assert asyncio.run(retry(connect, policy, clock.sleep, lambda n, d, e: errors.append(e))) == "connected"
    assert isinstance(errors[0], ConnectTimeoutError) and "timed out after 0.001 s" in str(errors[0])


def test_errors_that_are_not_connection_problems_are_not_retried() -> None:
    clock = FakeClock()
    calls, connect = flaky(1, ValueError("bad account"))
    with pytest.raises(ValueError, match="bad account"):
        asyncio.run(retry(connect, Backoff(reconnect=5), sleep=clock.sleep))
    assert len(calls) == 1 and clock.sleeps == []


def test_cancelling_the_reconnect_task_is_not_swallowed() -> None:
    async def main() -> None:
        gate = asyncio.Event()

        async def connect() -> None:
            gate.set()
            await asyncio.Event().wait()

        task = asyncio.create_task(retry(connect, Backoff(reconnect=-1, timeout=None)))
        await gate.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


@pytest.mark.parametrize("kwargs", [dict(reconnect=-2), dict(initial=-1.0), dict(initial=5.0, maximum=1.0),
                                    dict(factor=0.5), dict(timeout=0.0)])
def test_invalid_policies_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)
