"""The per-bar broker step does only the work the account needs (the engine calls it every bar).
How fast it is lives in benchmarks/, not here."""

import sys
from pathlib import Path

import pytest

from tradebridge.brokers import BackBroker

sys.path.insert(0, str(Path(__file__).parent.parent / "orders"))
from _orderfake import daily  # noqa: E402


def test_getvalue_between_bars_is_the_value_of_the_last_step():
    data = daily(3)
    broker = BackBroker()
    broker.start()
    broker.buy(None, data, 5)
    broker.next()
    value = broker.getvalue()
    data.advance()  # the price moves, but no step has valued it yet
    assert broker.getvalue() == value
    broker.next()
    assert broker.getvalue() == pytest.approx(broker.getcash() + 5 * data.close[0])


def test_next_with_a_stock_position_skips_interest_and_mark_to_market(monkeypatch):
    data = daily(3)
    broker = BackBroker()
    broker.start()
    broker.buy(None, data, 5)
    broker.next()

    def never(*_a, **_k):
        raise AssertionError("a stock scheme neither charges interest nor marks to market")

    monkeypatch.setattr(broker, "_charge_interest", never)
    monkeypatch.setattr(broker, "_mark_to_market", never)
    data.advance()
    broker.next()
    assert broker.getposition(data).size == 5
    assert broker.getvalue() == pytest.approx(broker.getcash() + 5 * data.close[0])


def test_a_fill_stamps_the_position_with_its_bar_time():
    data = daily(3)
    broker = BackBroker()
    broker.start()
    broker.buy(None, data, 5)
    data.advance()
    broker.next()
    assert broker.getposition(data).datetime == data.datetime.datetime(0)
