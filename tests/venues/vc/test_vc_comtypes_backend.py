"""The comtypes backend's COM glue, driven against a stand-in COM world (nothing COM runs on Linux):
verbs turn into the COM calls backtrader's usage documents and come back as plain values; events
reach ``pump`` as named dicts; failures are ComCallErrors naming the verb."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from types import SimpleNamespace

import pytest
from _vc_comworld import World

from tradebridge.orders.order import Order
from tradebridge.venues.vc.comtypes_backend import ComtypesBackend, read_registry
from tradebridge.venues.vc.mapping import order_fields
from tradebridge.venues.vc.seam import TYPELIB_DLLS_64, ComCallError, ComEvent

LIBS = tuple(f"C:/VC6/bin/{name}" for name in TYPELIB_DLLS_64)
ES = "010001ES"


def _backend(world: World) -> ComtypesBackend:
    backend = ComtypesBackend(typelibs=LIBS, runtime=world)
    backend.connect()
    return backend


def _bar(day: float, close: float) -> SimpleNamespace:
    return SimpleNamespace(Date=day, Open=close - 1, High=close + 1, Low=close - 2, Close=close, Volume=10,
                           OpenInterest=0)


def test_connect_loads_the_three_type_libraries_and_sinks_realtime_and_trader() -> None:
    world = World()
    backend = _backend(world)
    assert world.apartment == 1 and world.loaded == list(LIBS)
    assert backend.constants.value("OT_StopLimit") == 4 and backend.constants.value("CT_Days") == 5
    backend.close()
    assert world.apartment == 0


def test_registered_libids_are_passed_to_getmodule_as_lists() -> None:
    world = World()
    libid = ("{EB2A77DC-A317-4160-8833-DECF16275A05}", 1, 0)
    ComtypesBackend(typelibs=(libid, libid, libid), runtime=world).connect()
    assert world.loaded[0] == ["{EB2A77DC-A317-4160-8833-DECF16275A05}", 1, 0]


def test_symbol_info_reads_a_daily_serie_and_deletes_it() -> None:
    world = World()
    info = _backend(world).call("datasource", "symbol_info", symbol=ES)
    assert info == {"Type": "IT_Future", "Description": "E-mini S&P", "Decimals": 2, "TimeOffset": 3600.0,
                    "PointValue": 50.0, "MinMovement": 0.25}
    manager = world.managers[-1]
    assert manager.ActiveEvents == 0 and manager.deleted == [manager.serie]
    assert manager.requests[0][:3] == (ES, 5, 1)


def test_a_live_serie_gives_history_then_bar_events_named_by_the_serie_id() -> None:
    world = World()
    world.bars[ES] = [_bar(46350.0, 100.0), _bar(46351.0, 101.0)]
    backend = _backend(world)
    start = dt.datetime(2026, 11, 20)
    serie = backend.call("datasource", "open_serie", symbol=ES, ct="CT_Minutes", compression=5, start=start,
                         live=True)
    manager = world.managers[-1]
    assert (manager.ActiveEvents, manager.EventsType, manager.requests[0]) == (1, 1, (ES, 2, 5, (start,)))
    assert backend.call("datasource", "serie_size", serie=serie) == 2
    assert [b["Close"] for b in backend.call("datasource", "serie_bars", serie=serie, first=1, last=2)] == [
        100.0, 101.0]
    manager.serie.bars.append(_bar(46352.0, 102.0))
    world.fire(manager, "OnNewDataSerieBar", manager.serie)
    assert backend.pump(1.0) == [ComEvent("datasource", "OnNewDataSerieBar", {"serie": serie, "size": 3})]
    assert backend._wait.signals == 1
    backend.call("datasource", "close_serie", serie=serie)
    assert manager.deleted == [manager.serie]
    with pytest.raises(ComCallError, match="no open serie"):
        backend.call("datasource", "serie_size", serie=serie)


def test_feed_ticks_arrive_as_named_records_with_field_names() -> None:
    world = World()
    backend = _backend(world)
    backend.call("realtime", "request_feed", symbol=ES)
    (event,) = backend.pump(0.5)
    assert (event.source, event.name) == ("realtime", "OnNewTicks")
    tick = event.args["ticks"][0]
    assert (tick["Field"], tick["Date"]) == ("Field_Description", 46350.5)


def test_pump_waits_in_the_com_loop_and_returns_what_the_sinks_received() -> None:
    world = World()
    backend = _backend(world)
    assert backend.pump(0.25) == [] and world.waits == [0.25]
    world.fire(backend._objects["trader"], "OnChangedBalance", "A1")
    assert backend.pump(0.25) == [ComEvent("trader", "OnChangedBalance", {"account": "A1"})]


def test_send_order_passes_enum_values_and_extended_info_and_reports_back_by_name() -> None:
    world = World()
    backend = _backend(world)
    fields = order_fields(account="A1", symbol=ES, exectype=Order.StopLimit, isbuy=False, size=2, price=99.0,
                          pricelimit=98.5, valid=dt.date(2026, 12, 1), client_id="tb-s-9",
                          now=dt.datetime(2026, 11, 24))
    order_id = backend.call("trader", "send_order", order=fields)
    assert order_id == "V1"
    assert world.sent == [("A1", ES, 4, 2, 2.0, 98.5, 99.0, 0, 2, dt.datetime(2026, 12, 1), "tb-s-9")]
    (event,) = backend.pump(0.1)
    assert event.name == "OnOrderInMarket"
    assert {k: event.args["order"][k] for k in ("OrderId", "OrderType", "OrderSide", "ExtendedInfo")} == {
        "OrderId": "V1", "OrderType": "OT_StopLimit", "OrderSide": "OS_Sell", "ExtendedInfo": "tb-s-9"}
    assert [o["OrderId"] for o in backend.call("trader", "orders", account="A1")] == ["V1"]
    backend.call("trader", "cancel_order", order_id="V1")
    assert backend.pump(0.1)[0].name == "OnCancelledOrder"


def test_accounts_balance_and_positions_are_plain_records() -> None:
    backend = _backend(World())
    assert backend.call("trader", "accounts") == [{"Account": "A1", "Cash": 1000.0, "NetWorth": 1100.0}]
    assert backend.call("trader", "balance", account="A1")["NetWorth"] == 1100.0
    assert backend.call("trader", "positions", account="A1") == [
        {"Account": "A1", "SymbolCode": ES, "Side": "OS_Sell", "Volume": 3.0, "Price": 99.0}]
    with pytest.raises(ComCallError, match="Visual Chart has no account 'Z9'"):
        backend.call("trader", "balance", account="Z9")


def test_com_failures_become_errors_naming_the_verb() -> None:
    backend = _backend(World())
    with pytest.raises(ComCallError, match="trader.cancel_order failed: OSError: .*order V7 not found"):
        backend.call("trader", "cancel_order", order_id="V7")
    with pytest.raises(ComCallError, match="trader.modify_order failed"):
        backend.call("trader", "modify_order", order_id="V1", price=1.0)
    fields = order_fields(account="A1", symbol=ES, exectype=Order.Market, isbuy=True, size=1, client_id="x",
                          now=dt.datetime(2026, 11, 24))
    with pytest.raises(ComCallError, match="no constant 'OT_Iceberg'"):
        backend.call("trader", "send_order", order={**fields, "OrderType": "OT_Iceberg"})


def test_close_deletes_open_series_and_releases_the_wait() -> None:
    world = World()
    backend = _backend(world)
    backend.call("datasource", "open_serie", symbol=ES, ct="CT_Days", compression=1,
                 start=dt.datetime(2026, 1, 1), end=dt.datetime(2026, 2, 1))
    wait = backend._wait
    backend.close()
    assert world.managers[-1].deleted and wait.closed and world.apartment == 0


def test_wake_signals_the_com_wait_so_a_waiting_pump_returns() -> None:
    world = World()
    backend = _backend(world)
    backend.wake()
    assert backend._wait.signals == 1


class _Registry:
    """A stand-in for Windows' ``winreg`` (nothing of it exists on Linux): one key, one value."""

    HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE = "HKCU", "HKLM"
    KEY_READ, KEY_WOW64_64KEY, KEY_WOW64_32KEY = 0x20019, 0x0100, 0x0200

    def __init__(self, hive: str, access: int, value: str) -> None:
        self.where, self.value, self.opened = (hive, access), value, []

    def OpenKeyEx(self, hive, key, reserved, access):  # noqa: N802 (winreg's names)
        self.opened.append((hive, key, access))
        if (hive, access) != self.where:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return contextlib.nullcontext(key)

    def QueryValueEx(self, key, name):  # noqa: N802
        if name != "Directory":
            raise FileNotFoundError(2, f"no value {name}")
        return self.value, 1  # REG_SZ


def test_the_install_directory_is_read_from_visual_charts_config_key_in_the_asked_view(monkeypatch) -> None:
    reg = _Registry("HKLM", 0x20019 | 0x0200, r"C:\Program Files (x86)\VCG\Visual Chart 6")
    monkeypatch.setitem(sys.modules, "winreg", reg)
    assert read_registry("HKLM", "32") == r"C:\Program Files (x86)\VCG\Visual Chart 6"
    assert read_registry("HKLM", "64") is None and read_registry("HKCU", "32") is None  # absent: None
    assert [key for _, key, _ in reg.opened] == [r"SOFTWARE\VCG\Visual Chart 6\Config"] * 3
    assert [(hive, access & 0x0300) for hive, _, access in reg.opened] == [
        ("HKLM", 0x0200), ("HKLM", 0x0100), ("HKCU", 0x0200)]
