"""Store base: one store per connection identity, a clear error on conflicting settings,
lifecycle driven by Cerebro, notifications delivered to notify_store, secrets hidden."""

from __future__ import annotations

from typing import Any

import pytest

import tradebridge as bt
from tradebridge.stores import Store, StoreConflictError
from tradebridge.utils.synthetic import synthetic_ohlcv


class LoopStore(Store):
    """A store whose 'connection' is a flag: enough to exercise the base class."""

    params = (("host", "127.0.0.1"), ("port", 9000), ("reconnect", 3), ("token", ""))
    identity = ("host", "port")
    secret_params = ("token",)
    BrokerCls = bt.brokers.BackBroker

    def _connect(self) -> None:
        self.connected = True
        self.put_notification("connected", self.p.port)

    def _disconnect(self) -> None:
        self.connected = False


@pytest.fixture(autouse=True)
def _clean_registry() -> Any:
    yield
    for store in list(Store._registry.values()):
        store.stop()


def test_same_connection_gives_the_same_store() -> None:
    a = LoopStore(port=9001)
    b = LoopStore(port=9001)
    c = LoopStore(port=9002)
    assert a is b and a is not c


def test_conflicting_settings_for_one_connection_raise_naming_the_setting() -> None:
    LoopStore(port=9003, reconnect=3)
    with pytest.raises(StoreConflictError, match=r"port=9003.*reconnect=3.*reconnect=5"):
        LoopStore(port=9003, reconnect=5)


def test_conflict_message_hides_secrets() -> None:
    LoopStore(port=9004, token="s3cret-token")
    with pytest.raises(StoreConflictError) as err:
        LoopStore(port=9004, token="0ther-token")
    assert "s3cret" not in str(err.value) and "0ther" not in str(err.value)
    assert "s3cret" not in repr(LoopStore(port=9004, token="s3cret-token"))


def test_unknown_store_param_is_a_clear_error_and_frees_the_identity() -> None:
    with pytest.raises(TypeError, match="unknown parameter 'prot'"):
        LoopStore(port=9005, prot=1)
    assert LoopStore(port=9005).p.port == 9005


def test_cerebro_starts_stops_the_brokers_store_and_relays_notifications() -> None:
    store = LoopStore(port=9006)
    seen: list[Any] = []

    class S(bt.Strategy):
        def notify_store(self, msg: Any, *args: Any, **kwargs: Any) -> None:
            seen.append((msg, args))

    cerebro = bt.Cerebro()
    cerebro.setbroker(store.getbroker())
    cerebro.adddata(bt.feeds.PandasData(dataname=synthetic_ohlcv(30)))
    cerebro.addstrategy(S)
    cerebro.run()
    assert seen == [("connected", (9006,))]
    assert store.connected is False
    assert LoopStore(port=9006) is not store  # stopped stores free their identity
