"""The COM seam: the verb and event tables, type-library lookup, and the comtypes backend's
plain-value conversions and refusal to run off Windows."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from tradebridge.venues.vc.comtypes_backend import (
    UNAVAILABLE,
    ComtypesBackend,
    Constants,
    event_args,
    load_comtypes,
    to_record,
)
from tradebridge.venues.vc.seam import (
    EVENTS,
    TYPELIB_DLLS,
    TYPELIB_DLLS_64,
    TYPELIB_IDS,
    ComCallError,
    ComEvent,
    VCError,
    VCUnavailableError,
    check_call,
    check_event,
    find_typelibs,
)


def test_importing_tradebridge_and_the_vc_package_never_imports_comtypes() -> None:
    code = (
        "import sys, tradebridge, tradebridge.venues.vc, tradebridge.venues.vc.seam, "
        "tradebridge.venues.vc.comtypes_backend; from tradebridge.stores import VCStore; "
        "from tradebridge.brokers import VCBroker; from tradebridge.feeds import VCData; "
        "print('comtypes' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.skipif(sys.platform == "win32", reason="the refusal is for systems without Visual Chart")
def test_creating_the_comtypes_backend_off_windows_raises_the_clear_error() -> None:
    with pytest.raises(VCUnavailableError, match="Visual Chart needs Windows with Visual Chart 6 installed"):
        ComtypesBackend()
    assert issubclass(VCUnavailableError, VCError)


def test_load_comtypes_names_the_platform_it_refuses() -> None:
    with pytest.raises(VCUnavailableError) as err:
        load_comtypes("darwin")
    assert UNAVAILABLE in str(err.value) and "darwin" in str(err.value)


def test_check_call_accepts_required_and_optional_arguments() -> None:
    check_call("datasource", "open_serie", {"symbol": "010001ES", "ct": "CT_Minutes", "compression": 5,
                                            "start": dt.datetime(2026, 1, 1), "live": True})
    check_call("trader", "accounts", {})


@pytest.mark.parametrize(
    ("target", "verb", "args", "message"),
    [
        ("broker", "accounts", {}, "unknown COM target 'broker'"),
        ("trader", "buy", {}, "unknown verb 'buy' for trader"),
        ("trader", "send_order", {}, "trader.send_order needs argument 'order'"),
        ("trader", "cancel_order", {"order_id": "1", "force": True}, "takes no argument 'force'"),
    ],
)
def test_check_call_names_the_bad_target_verb_or_argument(target, verb, args, message) -> None:
    with pytest.raises(ComCallError, match=message):
        check_call(target, verb, args)


def test_check_event_knows_every_named_visual_chart_event() -> None:
    for name in ("OnOrderInMarket", "OnPartialExecutedOrder", "OnTotalExecutedOrder", "OnCancelledOrder",
                 "OnModifiedOrder", "OnChangedBalance", "OnChangedOpenPositions", "OnServerShutDown"):
        assert name in EVENTS["trader"]
    assert "OnNewTicks" in EVENTS["realtime"] and "OnNewDataSerieBar" in EVENTS["datasource"]
    check_event("trader", "OnChangedBalance", {"account": "A1"})
    with pytest.raises(ComCallError, match="takes \\['order'\\]"):
        check_event("trader", "OnOrderInMarket", {"account": "A1"})
    with pytest.raises(ComCallError, match="unknown realtime event 'OnFoo'"):
        check_event("realtime", "OnFoo", {})


def _touch(paths: list[str]) -> None:
    for p in paths:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        open(p, "w").close()


def test_find_typelibs_prefers_the_64_bit_dlls_of_the_registered_directory(tmp_path) -> None:
    root = str(tmp_path / "VC6")
    _touch([os.path.join(root, "bin", n) for n in TYPELIB_DLLS_64 + TYPELIB_DLLS])
    seen = []

    def read(hive: str, view: str) -> str | None:
        seen.append((hive, view))
        return root if (hive, view) == ("HKLM", "32") else None

    assert find_typelibs(read) == tuple(os.path.join(root, "bin", n) for n in TYPELIB_DLLS_64)
    assert seen == [("HKCU", "64"), ("HKCU", "32"), ("HKLM", "64"), ("HKLM", "32")]


def test_find_typelibs_takes_the_32_bit_dlls_when_the_64_bit_set_is_incomplete(tmp_path) -> None:
    root = str(tmp_path)
    _touch([os.path.join(root, "bin", n) for n in (*TYPELIB_DLLS, TYPELIB_DLLS_64[0])])
    assert find_typelibs(lambda hive, view: root) == tuple(os.path.join(root, "bin", n) for n in TYPELIB_DLLS)


def test_find_typelibs_falls_back_to_the_registered_libids(tmp_path) -> None:
    assert find_typelibs(lambda hive, view: None) == TYPELIB_IDS
    assert find_typelibs(lambda hive, view: str(tmp_path)) == TYPELIB_IDS  # directory without the DLLs


# Stand-ins for generated type-library modules and COM records: nothing COM runs on Linux.
_TRADER_MODULE = SimpleNamespace(OT_Market=1, OT_Limit=2, OT_StopMarket=3, OT_StopLimit=4, OS_Buy=1,
                                 OS_Sell=2, TR_NoRestriction=0, TR_CloseAuction=5, Trader=object, other=7)
_RT_MODULE = SimpleNamespace(Field_Time=3, Field_Description=40, Field_Date=41, CT_Days=5, CT_Minutes=2)


def test_constants_resolve_names_both_ways_and_name_the_unknown_one() -> None:
    constants = Constants.from_modules([_TRADER_MODULE, _RT_MODULE])
    assert constants.value("OT_StopLimit") == 4 and constants.value("CT_Minutes") == 2
    assert constants.name("OrderType", 3) == "OT_StopMarket"
    assert constants.name("OrderSide", 2) == "OS_Sell"
    assert constants.name("Field", 40) == "Field_Description"
    assert constants.name("OrderType", 99) == 99  # unknown value kept as is
    assert constants.name("Volume", 2) == 2  # not an enum field
    with pytest.raises(ComCallError, match="no constant 'OT_Iceberg'"):
        constants.value("OT_Iceberg")


def test_to_record_and_event_args_turn_com_objects_into_named_plain_values() -> None:
    constants = Constants.from_modules([_TRADER_MODULE, _RT_MODULE])
    order = SimpleNamespace(OrderId="77", Account="A1", SymbolCode="010001ES", OrderType=2, OrderSide=2,
                            Volume=3.0, Price=101.5, ExtendedInfo="tb-abc-1", ValidDate=dt.date(2026, 12, 1))
    record = to_record(order, ("OrderId", "OrderType", "OrderSide", "ValidDate", "Missing"), constants)
    assert record == {"OrderId": "77", "OrderType": "OT_Limit", "OrderSide": "OS_Sell",
                      "ValidDate": dt.datetime(2026, 12, 1)}
    assert event_args("trader", "OnOrderInMarket", (order,), constants)["order"]["ExtendedInfo"] == "tb-abc-1"
    tick = SimpleNamespace(SymbolCode="010001ES", Field=3, FieldEx=0, Date=46000.5, TickIndex=0, Value=1.5,
                           Text="")
    args = event_args("realtime", "OnNewTicks", ((tick, tick),), constants)
    assert [t["Field"] for t in args["ticks"]] == ["Field_Time", "Field_Time"]
    assert event_args("trader", "OnChangedBalance", ("A1",), constants) == {"account": "A1"}
    assert event_args("realtime", "OnInternalEvent", (1, 0, 0), constants) == {"p1": 1, "p2": 0, "p3": 0}


def test_com_event_is_a_plain_frozen_value() -> None:
    event = ComEvent("trader", "OnChangedBalance", {"account": "A1"})
    assert event == ComEvent("trader", "OnChangedBalance", {"account": "A1"})
    with pytest.raises(AttributeError):
        event.name = "x"  # type: ignore[misc]
