"""The per-bar broker step stays cheap when nothing is pending (the engine calls it every bar)."""

import sys
import time
from pathlib import Path

from tradebridge.brokers import BackBroker

sys.path.insert(0, str(Path(__file__).parent.parent / "orders"))
from _orderfake import daily  # noqa: E402


def _best_ns(fn, n=20_000, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t) / n)
    return best * 1e9


def test_next_without_orders_and_getvalue_are_cheap():
    broker = BackBroker()
    broker.start()
    assert _best_ns(broker.next) < 2_000  # measured ~300 ns: just the value refresh
    assert _best_ns(broker.getvalue) < 500  # a cached attribute read


def test_next_with_a_stock_position_skips_interest_and_mark_to_market():
    data = daily(3)
    broker = BackBroker()
    broker.start()
    broker.buy(None, data, 5)
    broker.next()
    data.advance()
    broker.next()
    assert broker.getposition(data).size == 5
    assert _best_ns(broker.next) < 10_000  # measured ~2 us
