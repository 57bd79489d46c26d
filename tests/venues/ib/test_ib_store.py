"""IBStore against the real IB sandbox on loopback: connect, clear 502/326 errors, contract
details, TWS clock offset, connectivity codes and reconnect with a reconciliation snapshot."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest
from ib_async import Forex, Stock
from ib_live_kit import START, connected_store, of_kind, sandbox, wait_for

from tradebridge.feeds.base import DataBase
from tradebridge.live import Inbox, Kind, VenueSnapshot
from tradebridge.stores import StoreConflictError
from tradebridge.venues.ib import store as store_module
from tradebridge.venues.ib.errors import IBClientIdError, IBConnectError, IBContractNotFoundError
from tradebridge.venues.ib.store import IBStore


class Peer:
    """What the store sees of a broker or data: it receives events and is resumed after reconnects."""

    instrument = "AAPL"
    con_id = 265598

    def __init__(self, store: IBStore) -> None:
        self._store = store
        self.resumed = 0

    def on_event(self, event):  # pragma: no cover - events are read from the inbox in these tests
        raise AssertionError("the test drains the inbox itself")

    async def _ib_resume(self) -> None:
        self.resumed += 1
        self._store.data_status("LIVE", [self])


def test_import_tradebridge_does_not_import_ib_async_and_names_resolve_lazily():
    code = ("import sys, tradebridge as bt; assert 'ib_async' not in sys.modules; "
            "assert bt.stores.IBStore.__name__ == 'IBStore'; assert 'ib_async' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_connects_reports_it_and_measures_the_tws_clock_offset():
    inbox = Inbox()
    with sandbox() as sb, connected_store(sb, inbox, clientId=7) as store:
        event = wait_for(inbox, of_kind(Kind.STORE, store))
        assert event.payload[0] == f"connected to TWS/IB Gateway at 127.0.0.1:{sb.port} as clientId 7"
        assert store.account == "DU000001" and store.connected
        # the sandbox's clock starts at START: the offset says how far TWS time is from ours
        assert abs(store.now() - START.timestamp()) < 5
        assert abs(store.timeoffset().total_seconds() - (START.timestamp() - time.time())) < 5


def test_same_connection_gives_the_same_store_and_conflicting_settings_are_refused():
    with sandbox() as sb, connected_store(sb, clientId=8) as store:
        assert IBStore(port=sb.port, clientId=8) is store
        with pytest.raises(StoreConflictError, match="reconnect"):
            IBStore(port=sb.port, clientId=8, reconnect=9)


def test_bad_params_are_refused_naming_them():
    with pytest.raises(ValueError, match="port must be an integer 1..65535, got 'x'"):
        IBStore(port="x")
    with pytest.raises(ValueError, match="clientId must be an integer >= 0 or None"):
        IBStore(port=4002, clientId=-2)


def test_closed_port_raises_502_naming_host_port_and_what_to_check():
    with sandbox() as sb:
        port = sb.port
    store = IBStore(port=port, clientId=1, reconnect=1, backoff_initial=0.01)
    with pytest.raises(IBConnectError) as err:
        store.start()
    text = str(err.value)
    assert err.value.code == 502
    assert f"127.0.0.1:{port}" in text and "after 2 attempt(s)" in text
    assert "Enable ActiveX and Socket Clients" in text and "IB Gateway paper 4002" in text
    store.stop()


def test_client_id_in_use_raises_326_at_once():
    with sandbox() as sb, connected_store(sb, clientId=9):
        other = IBStore(port=sb.port, clientId=9, host="localhost", timeout=10.0)
        started = dt.datetime.now()
        with pytest.raises(IBClientIdError, match="clientId 9 is already connected .*choose another"):
            other.start()
        assert (dt.datetime.now() - started).total_seconds() < 5  # not the 10 s connect timeout
        other.stop()


def test_a_random_client_id_in_use_is_replaced_by_another(monkeypatch):
    draws = iter([11, 12])
    monkeypatch.setattr(store_module, "_random_client_id", lambda: next(draws))
    inbox = Inbox()
    with sandbox() as sb, connected_store(sb, clientId=11):
        with connected_store(sb, inbox, clientId=None, host="localhost") as store:
            assert store.client_id == 12 and store.connected
            event = wait_for(inbox, lambda e: "attempt 1" in str(e.payload))
            assert "random clientId 11 is in use; trying clientId 12" in event.payload[0]


def test_an_account_the_gateway_does_not_manage_is_refused():
    with sandbox() as sb:
        store = IBStore(port=sb.port, clientId=3, account="U999")
        with pytest.raises(IBConnectError, match="account 'U999' is not managed .*managed: DU000001"):
            store.start()
        store.stop()


def test_contract_details_are_fetched_and_cached_and_an_unknown_contract_is_error_200():
    with sandbox() as sb, connected_store(sb) as store:
        aapl = store.run(store.contract_details(Stock("AAPL", "SMART", "USD")))
        eur = store.run(store.contract_details(Forex("EURUSD")))
        assert aapl.contract.conId == 265598 and eur.contract.localSymbol == "EUR.USD"
        assert set(store.details) == {"AAPL", "EUR.USD"}
        with pytest.raises(IBContractNotFoundError, match="no contract match"):
            store.run(store.contract_details(Stock("NOPE", "SMART", "USD")))


def test_1100_breaks_the_datas_and_1102_reconciles_then_makes_them_live():
    inbox = Inbox()
    with sandbox() as sb, connected_store(sb, inbox) as store:
        broker, data = Peer(store), Peer(store)
        store.broker, store.subscribers = broker, [data]
        seen: list = []
        sb.run(sb.server.send_error, 1100)
        status = wait_for(inbox, of_kind(Kind.DATA_STATUS, data), seen=seen)
        assert status.payload == DataBase.CONNBROKEN
        sb.run(sb.server.send_error, 1102)
        snap = wait_for(inbox, of_kind(Kind.CONNECTION, broker), seen=seen)
        assert isinstance(snap.payload, VenueSnapshot) and snap.payload.cash == 1_000_000.0
        live = wait_for(inbox, of_kind(Kind.DATA_STATUS, data))
        assert live.payload == DataBase.LIVE and data.resumed == 0
        assert any(e.kind is Kind.STORE and getattr(e.payload[0], "code", 0) == 1100 for e in seen)


def test_dropped_socket_is_reconnected_resubscribed_and_reconciled():
    inbox = Inbox()
    with sandbox() as sb, connected_store(sb, inbox) as store:
        broker, data = Peer(store), Peer(store)
        store.broker, store.subscribers = broker, [data]
        sb.run(sb.server.drop, store.client_id)
        assert wait_for(inbox, of_kind(Kind.CONNECTION, broker)).payload == "lost"
        assert wait_for(inbox, of_kind(Kind.DATA_STATUS, data)).payload == DataBase.CONNBROKEN
        snap = wait_for(inbox, of_kind(Kind.CONNECTION, broker))
        assert isinstance(snap.payload, VenueSnapshot)
        assert wait_for(inbox, of_kind(Kind.DATA_STATUS, data)).payload == DataBase.LIVE
        assert data.resumed == 1 and store.connected


async def _stop_listening_then_drop(server, client_id: int) -> None:
    """Close the listening socket first (so no reconnect can get in), then drop the client."""
    await server.stop_listening()
    server.drop(client_id)


def test_reconnect_gives_up_after_the_allowed_attempts_and_disconnects_the_datas():
    inbox = Inbox()
    with sandbox() as sb:
        with connected_store(sb, inbox, reconnect=1) as store:
            data = Peer(store)
            store.subscribers = [data]
            sb.call(_stop_listening_then_drop(sb.server, store.client_id))
            assert wait_for(inbox, of_kind(Kind.DATA_STATUS, data)).payload == DataBase.CONNBROKEN
            final = wait_for(inbox, of_kind(Kind.DATA_STATUS, data))
            assert final.payload == DataBase.DISCONNECTED and not store.connected
