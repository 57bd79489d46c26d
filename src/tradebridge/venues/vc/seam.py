"""The one interface between tradebridge and Visual Chart's COM servers, in plain Python values.

Visual Chart 6 exposes three COM objects: ``DataSourceManager`` (type library ``VCDataSource``:
history and live bar series), ``RealTime`` (``VCRealTimeLib``: ticks, connection events) and
``Trader`` (``COMTraderInterfaces``: accounts, orders, positions). A backend owns them and
speaks only in names and dicts:

* ``call(target, verb, **args)``: one operation of the :data:`VERBS` table on ``"datasource"``,
  ``"realtime"`` or ``"trader"``; arguments and result are plain values (str, int, float, bool,
  None, naive ``datetime`` in Visual Chart's clock, lists and dicts of those). COM enum values
  travel as their names (``"OT_Limit"``), COM records as dicts keyed by their field names.
* ``pump(timeout)``: run the COM message loop for up to ``timeout`` seconds and return the
  events that arrived, as :class:`ComEvent` (source, name, args dict; see :data:`EVENTS`).

Everything above the seam (mapping, store, broker, feed) is free of COM, so it runs on Linux
against :mod:`.fake` or a recorded :mod:`.trace`.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ACCOUNT_FIELDS",
    "BAR_FIELDS",
    "CONSTANT_PREFIXES",
    "ENUM_PREFIX",
    "ORDER_FIELDS",
    "POSITION_FIELDS",
    "SYMBOL_FIELDS",
    "TICK_FIELDS",
    "EVENTS",
    "TARGETS",
    "TYPELIB_DLLS",
    "TYPELIB_DLLS_64",
    "TYPELIB_IDS",
    "VC_REGISTRY_KEY",
    "VC_REGISTRY_VALUE",
    "VERBS",
    "ComBackend",
    "ComCallError",
    "ComEvent",
    "VCError",
    "VCUnavailableError",
    "check_call",
    "check_event",
    "find_typelibs",
]

TARGETS = ("datasource", "realtime", "trader")

# (target, verb) -> (required args, optional args). The comtypes backend implements each verb
# with the COM call named in its docstring; the fake and the trace replay follow the same table.
VERBS: Mapping[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("datasource", "symbol_info"): (("symbol",), ()),  # NewDataSerie + GetSymbolInfo
    ("datasource", "open_serie"): (("symbol", "ct", "compression", "start"), ("end", "live")),
    ("datasource", "serie_size"): (("serie",), ()),  # DataSerie.Size
    ("datasource", "serie_bars"): (("serie", "first", "last"), ()),  # GetBarValues(i), 1-based
    ("datasource", "close_serie"): (("serie",), ()),  # DeleteDataSource
    ("realtime", "request_feed"): (("symbol",), ()),  # RequestSymbolFeed(symbol, False)
    ("realtime", "cancel_feed"): (("symbol",), ()),  # CancelSymbolFeed(symbol, False)
    ("trader", "accounts"): ((), ()),  # Trader.Accounts: Account, Cash, NetWorth
    ("trader", "balance"): (("account",), ()),  # Account.Balance: Cash, NetWorth
    ("trader", "positions"): (("account",), ()),  # open positions of an account
    ("trader", "orders"): (("account",), ()),  # orders the Trader still lists for an account
    ("trader", "send_order"): (("order",), ()),  # SendOrder(...) -> OrderId
    ("trader", "cancel_order"): (("order_id",), ()),  # CancelOrder(OrderId)
    ("trader", "modify_order"): (("order_id",), ("volume", "price", "stop_price")),  # ModifyOrder
}

# COM records as dicts: their field names (values: plain; enum fields carry the constant's name).
ORDER_FIELDS = (
    "OrderId", "Account", "SymbolCode", "OrderType", "OrderSide", "Volume", "Price", "StopPrice",
    "TimeRestriction", "ValidDate", "VolumeRestriction", "HideVolume", "MinVolume", "UserOrderId",
    "ExtendedInfo",
)
BAR_FIELDS = ("Date", "Open", "High", "Low", "Close", "Volume", "OpenInterest")
TICK_FIELDS = ("SymbolCode", "Field", "FieldEx", "Date", "TickIndex", "Value", "Text")
SYMBOL_FIELDS = ("Type", "Description", "Decimals", "TimeOffset", "PointValue", "MinMovement")
POSITION_FIELDS = ("Account", "SymbolCode", "Side", "Volume", "Price")
ACCOUNT_FIELDS = ("Account", "Cash", "NetWorth")
# Enum-valued record fields -> the prefix of their constants in the type libraries.
ENUM_PREFIX: Mapping[str, str] = {
    "OrderType": "OT_", "OrderSide": "OS_", "Side": "OS_", "TimeRestriction": "TR_",
    "VolumeRestriction": "VR_", "Field": "Field_", "Type": "IT_",
}
# Constant prefixes a backend resolves by name (the above plus compression and event types).
CONSTANT_PREFIXES = ("OT_", "OS_", "TR_", "VR_", "Field_", "IT_", "CT_", "EF_")

_ORDER = ("order",)
_ACCOUNT = ("account",)
_CONN = ("p1", "p2", "p3")

# source -> event name -> argument names, in the COM event's positional order.
EVENTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "datasource": {"OnNewDataSerieBar": ("serie", "size")},
    "realtime": {"OnNewTicks": ("ticks",), "OnServerShutDown": (), "OnInternalEvent": _CONN},
    "trader": {
        "OnNewOrderLocation": _ORDER,
        "OnOrderInMarket": _ORDER,
        "OnPartialExecutedOrder": _ORDER,
        "OnTotalExecutedOrder": _ORDER,
        "OnCancelledOrder": _ORDER,
        "OnModifiedOrder": _ORDER,
        "OnChangedBalance": _ACCOUNT,
        "OnChangedOpenPositions": _ACCOUNT,
        "OnNewClosedOperations": _ACCOUNT,
        "OnServerShutDown": (),
        "OnInternalEvent": _CONN,
    },
}

VC_REGISTRY_KEY = r"SOFTWARE\VCG\Visual Chart 6\Config"
VC_REGISTRY_VALUE = "Directory"
TYPELIB_DLLS_64 = ("VCDataSource64.dll", "VCRealTimeLib64.dll", "COMTraderInterfaces64.dll")
TYPELIB_DLLS = ("VCDataSource.dll", "VCRealTimeLib.dll", "COMTraderInterfaces.dll")
# Registered LIBIDs (64-bit libraries) used when the install directory cannot be found.
TYPELIB_IDS: tuple[tuple[str, int, int], ...] = (
    ("{EB2A77DC-A317-4160-8833-DECF16275A05}", 1, 0),  # VCDataSource64
    ("{86F1DB04-2591-4866-A361-BB053D77FA18}", 1, 0),  # VCRealTimeLib64
    ("{20F8873C-35BE-4DB4-8C2A-0A8D40F8AEC3}", 1, 0),  # COMTraderInterfaces64
)


class VCError(Exception):
    """Base of every Visual Chart error tradebridge raises."""


class VCUnavailableError(VCError):
    """Visual Chart cannot be used here (not Windows, comtypes missing, not installed or not running)."""


class ComCallError(VCError):
    """A call through the seam failed: unknown verb, bad arguments, or the COM server refused it."""


@dataclass(frozen=True, slots=True)
class ComEvent:
    """One COM event as plain values: which object sent it, its name and its named arguments."""

    source: str
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)


def check_call(target: str, verb: str, args: Mapping[str, Any]) -> None:
    """Raise :class:`ComCallError` naming the verb and argument when a call is not in :data:`VERBS`."""
    spec = VERBS.get((target, verb))
    if spec is None:
        known = sorted(v for t, v in VERBS if t == target)
        if not known:
            raise ComCallError(f"unknown COM target {target!r} (one of {', '.join(TARGETS)})")
        raise ComCallError(f"unknown verb {verb!r} for {target} (one of {', '.join(known)})")
    required, optional = spec
    missing = [a for a in required if a not in args]
    if missing:
        raise ComCallError(f"{target}.{verb} needs argument {missing[0]!r}")
    extra = [a for a in args if a not in required and a not in optional]
    if extra:
        raise ComCallError(f"{target}.{verb} takes no argument {extra[0]!r}")


def check_event(source: str, name: str, args: Mapping[str, Any]) -> None:
    """Raise :class:`ComCallError` when an event's source, name or arguments are not in :data:`EVENTS`."""
    names = EVENTS.get(source)
    if names is None:
        raise ComCallError(f"unknown event source {source!r} (one of {', '.join(TARGETS)})")
    expected = names.get(name)
    if expected is None:
        raise ComCallError(f"unknown {source} event {name!r}")
    if set(args) != set(expected):
        raise ComCallError(f"{source} event {name} takes {list(expected)}, got {sorted(args)}")


class ComBackend(ABC):
    """What every backend does: connect, call verbs, pump events, close.

    COM objects belong to the thread (apartment) that created them: a store makes every call
    and every pump on the one thread that called ``connect``.
    """

    @abstractmethod
    def connect(self) -> None:
        """Find and load the type libraries, create the COM objects and connect their event sinks."""

    @abstractmethod
    def call(self, target: str, verb: str, **args: Any) -> Any:
        """Run one :data:`VERBS` operation and return its plain-value result."""

    @abstractmethod
    def pump(self, timeout: float) -> list[ComEvent]:
        """Wait up to ``timeout`` seconds for events; return those that arrived (maybe none)."""

    @abstractmethod
    def close(self) -> None:
        """Disconnect the event sinks and release the COM objects."""

    def wake(self) -> None:
        """Make a ``pump`` waiting now (or the next one) return at once; callable from any thread.

        A store calls it when it has a call to make on the pump thread; without it the call
        waits for the pump's timeout.
        """
        return None  # a backend whose pump never waits long needs nothing here

    def __enter__(self) -> ComBackend:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# A registry reader: (root, view) -> the "Directory" value under VC_REGISTRY_KEY, or None.
RegistryReader = Callable[[str, str], "str | None"]
_REGISTRY_ORDER = (("HKCU", "64"), ("HKCU", "32"), ("HKLM", "64"), ("HKLM", "32"))


def find_typelibs(
    read: RegistryReader, isfile: Callable[[str], bool] = os.path.isfile
) -> tuple[str, ...] | tuple[tuple[str, int, int], ...]:
    """The three type libraries to load: DLL paths from the install directory (64-bit names first),
    else the registered LIBIDs.

    The install directory is looked up under the current user, then the machine, each in the
    64-bit registry view first and then the 32-bit one.
    """
    for root, view in _REGISTRY_ORDER:
        directory = read(root, view)
        if not directory:
            continue
        binary = os.path.join(directory, "bin")
        for names in (TYPELIB_DLLS_64, TYPELIB_DLLS):
            paths = tuple(os.path.join(binary, n) for n in names)
            if all(isfile(p) for p in paths):
                return paths
    return TYPELIB_IDS
