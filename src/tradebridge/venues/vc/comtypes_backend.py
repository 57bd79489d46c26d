"""The real backend: Visual Chart 6's COM servers through comtypes (Windows only, imported lazily).

Create it on the thread that will pump its events (COM objects live in that thread's
apartment). On Linux or macOS, or without comtypes, creating it raises
:class:`~tradebridge.venues.vc.seam.VCUnavailableError`.

The helpers that turn COM values into plain ones (:class:`Constants`, :func:`to_record`,
:func:`event_args`) take any object with the right attributes, and the Windows pieces (comtypes,
the apartment, the COM wait) come from one :class:`ComRuntime`, so the glue is tested on Linux
against a stand-in runtime.
Which COM members each verb uses is written next to it; the order, position and account
members beyond those backtrader used (``Orders``, ``OpenPositions``, ``CancelOrder``,
``ModifyOrder``, ``ExtendedInfo`` passed to ``SendOrder``) have not been tried against a real
Visual Chart yet: a recorded trace from a Windows session settles them.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import itertools
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .seam import (
    BAR_FIELDS,
    CONSTANT_PREFIXES,
    ENUM_PREFIX,
    EVENTS,
    ORDER_FIELDS,
    POSITION_FIELDS,
    SYMBOL_FIELDS,
    TICK_FIELDS,
    VC_REGISTRY_KEY,
    VC_REGISTRY_VALUE,
    ComBackend,
    ComCallError,
    ComEvent,
    VCUnavailableError,
    check_call,
    find_typelibs,
)

__all__ = ["UNAVAILABLE", "ComRuntime", "ComtypesBackend", "Constants", "event_args", "load_comtypes",
           "read_registry", "to_record"]

UNAVAILABLE = "Visual Chart needs Windows with Visual Chart 6 installed"
# Far-future range for a one-bar daily serie opened only to read its symbol information.
_INFO_RANGE = (
    _dt.datetime.max - _dt.timedelta(days=1, seconds=1),
    _dt.datetime.max - _dt.timedelta(seconds=1),
)
_ORDER_SENT_ENUMS = ("OrderType", "OrderSide", "VolumeRestriction", "TimeRestriction")


class ComRuntime:
    """What the backend needs from Windows: ``comtypes.client``, apartment set-up and a COM wait."""

    def __init__(self, platform: str = sys.platform) -> None:
        self.client = load_comtypes(platform)
        self._comtypes = importlib.import_module("comtypes")

    def initialize(self) -> None:
        self._comtypes.CoInitialize()

    def uninitialize(self) -> None:
        self._comtypes.CoUninitialize()

    def waiter(self) -> _ComWait:
        return _ComWait()


def load_comtypes(platform: str = sys.platform) -> Any:
    """``comtypes.client`` on Windows; :class:`VCUnavailableError` elsewhere or when comtypes is missing."""
    if platform != "win32":
        raise VCUnavailableError(f"{UNAVAILABLE} (this system is {platform})")
    try:
        return importlib.import_module("comtypes.client")
    except ImportError as exc:
        raise VCUnavailableError(f"{UNAVAILABLE} and comtypes: pip install 'tradebridge[vc]'") from exc


def read_registry(root: str, view: str) -> str | None:
    """Visual Chart's install directory from the Windows registry (``HKCU``/``HKLM``, view ``64``/``32``)."""
    winreg = importlib.import_module("winreg")  # only on Windows, where find_typelibs is handed this reader

    hive = {"HKCU": winreg.HKEY_CURRENT_USER, "HKLM": winreg.HKEY_LOCAL_MACHINE}[root]
    access = winreg.KEY_READ | (winreg.KEY_WOW64_64KEY if view == "64" else winreg.KEY_WOW64_32KEY)
    try:
        with winreg.OpenKeyEx(hive, VC_REGISTRY_KEY, 0, access) as key:
            value, _ = winreg.QueryValueEx(key, VC_REGISTRY_VALUE)
    except OSError:
        return None
    return str(value) if value else None


class Constants:
    """Visual Chart's enum constants by name, and back from value to name per prefix."""

    def __init__(self, values: Mapping[str, int]) -> None:
        self._values = dict(values)
        self._names: dict[str, dict[int, str]] = {}
        for name, value in self._values.items():
            prefix = next((p for p in CONSTANT_PREFIXES if name.startswith(p)), None)
            if prefix is not None:
                self._names.setdefault(prefix, {}).setdefault(value, name)

    @classmethod
    def from_modules(cls, modules: Iterable[Any]) -> Constants:
        """Collect every integer constant with a known prefix from the generated type-library modules."""
        values: dict[str, int] = {}
        for module in modules:
            for name in dir(module):
                if name.startswith(CONSTANT_PREFIXES):
                    value = getattr(module, name)
                    if isinstance(value, int):
                        values.setdefault(name, value)
        return cls(values)

    def value(self, name: str) -> int:
        """The number behind ``name``; :class:`ComCallError` naming it when the type libraries lack it."""
        try:
            return self._values[name]
        except KeyError:
            raise ComCallError(f"Visual Chart's type libraries have no constant {name!r}") from None

    def name(self, field: str, value: Any) -> Any:
        """The constant's name for an enum ``field``'s value (the value itself when unknown)."""
        prefix = ENUM_PREFIX.get(field)
        if prefix is None or not isinstance(value, int):
            return value
        return self._names.get(prefix, {}).get(value, value)


def _plain(value: Any) -> Any:
    """A COM scalar as a plain Python value (datetimes kept naive, strings as str)."""
    if value is None or isinstance(value, (bool, int, float, str, _dt.datetime)):
        return value
    if isinstance(value, _dt.date):
        return _dt.datetime.combine(value, _dt.time())
    return str(value)


def to_record(obj: Any, fields: Sequence[str], constants: Constants) -> dict[str, Any]:
    """A COM record or object as a dict of its ``fields`` (absent ones left out, enums by name)."""
    record = {}
    for name in fields:
        if hasattr(obj, name):
            record[name] = constants.name(name, _plain(getattr(obj, name)))
    return record


def event_args(source: str, name: str, args: Sequence[Any], constants: Constants) -> dict[str, Any]:
    """A COM event's positional arguments as the named plain values of ``EVENTS[source][name]``."""
    names = EVENTS[source][name]
    out: dict[str, Any] = {}
    for arg, value in zip(names, args):
        if arg == "order":
            out[arg] = to_record(value, ORDER_FIELDS, constants)
        elif arg == "ticks":  # a SAFEARRAY of tick records, wrapped in a one-element tuple
            ticks = value[0] if isinstance(value, tuple) and len(value) == 1 else value
            out[arg] = [to_record(t, TICK_FIELDS, constants) for t in ticks]
        elif arg == "account":
            out[arg] = str(value)
        else:
            out[arg] = _plain(value)
    return out


_RPC_S_CALLPENDING = -2147417835  # 0x80010115: CoWaitForMultipleHandles timed out


class _ComWait:
    """Waits in COM's modal loop (so events are dispatched to the sinks) until a sink signals
    that an event arrived or the timeout passes; no polling."""

    def __init__(self) -> None:
        ctypes: Any = importlib.import_module("ctypes")  # windll/oledll exist only on Windows
        self._ctypes = ctypes
        self._kernel32 = ctypes.windll.kernel32
        self._ole32 = ctypes.oledll.ole32
        self._event = self._kernel32.CreateEventW(None, True, False, None)  # manual reset
        self._handles = (ctypes.c_void_p * 1)(self._event)

    def signal(self) -> None:
        self._kernel32.SetEvent(self._event)

    def wait(self, timeout: float) -> None:
        index = self._ctypes.c_ulong()
        try:
            self._ole32.CoWaitForMultipleHandles(0, max(0, int(timeout * 1000)), 1, self._handles,
                                                 self._ctypes.byref(index))
        except OSError as exc:
            if getattr(exc, "winerror", None) != _RPC_S_CALLPENDING and exc.args[:1] != (_RPC_S_CALLPENDING,):
                raise
        self._kernel32.ResetEvent(self._event)

    def close(self) -> None:
        self._kernel32.CloseHandle(self._event)


def _sink(source: str, deliver: Callable[[ComEvent], None], constants: Constants) -> Any:
    """A RealTime or Trader event sink: one method per event of ``source``, delivering a :class:`ComEvent`
    (a serie's sink is made by ``open_serie``, which knows the serie's id)."""

    def handler(event: str) -> Callable[..., None]:
        def on_event(self: Any, *args: Any) -> None:
            deliver(ComEvent(source, event, event_args(source, event, args, constants)))
        on_event.__name__ = event
        return on_event

    methods = {event: handler(event) for event in EVENTS[source]}
    return type(f"{source.title()}Sink", (), methods)()


class ComtypesBackend(ComBackend):
    """Visual Chart's ``DataSourceManager``, ``RealTime`` and ``Trader`` objects behind the seam."""

    def __init__(self, typelibs: Sequence[Any] | None = None, platform: str = sys.platform,
                 runtime: Any = None) -> None:
        self._runtime = runtime if runtime is not None else ComRuntime(platform)
        self._typelibs = typelibs
        self._events: list[ComEvent] = []
        self._wait: Any = None
        self._series: dict[str, tuple[Any, Any, Any]] = {}  # id -> (manager, serie, connection)
        self._ids = itertools.count(1)
        self._objects: dict[str, Any] = {}
        self._connections: list[Any] = []

    def connect(self) -> None:
        """CoInitialize, load the type libraries, create RealTime and Trader, connect their event sinks."""
        client = self._runtime.client
        self._runtime.initialize()
        self._wait = self._runtime.waiter()
        libs = self._typelibs or find_typelibs(read_registry)
        try:
            modules = [client.GetModule(list(lib) if isinstance(lib, tuple) else lib) for lib in libs]
        except OSError as exc:
            raise VCUnavailableError(f"{UNAVAILABLE}: its type libraries {list(libs)} could not be loaded "
                                     f"({exc})") from exc
        self._modules = dict(zip(("datasource", "realtime", "trader"), modules))
        self.constants = Constants.from_modules(modules)
        try:
            self._objects["realtime"] = client.CreateObject(self._modules["realtime"].RealTime)
            self._objects["trader"] = client.CreateObject(self._modules["trader"].Trader)
        except OSError as exc:
            raise VCUnavailableError(
                f"{UNAVAILABLE} and running: its COM objects could not be created ({exc}); after "
                "installing or updating Visual Chart, restarting Windows registers them") from exc
        for source in ("realtime", "trader"):
            sink = _sink(source, self._deliver, self.constants)
            self._connections.append(client.GetEvents(self._objects[source], sink))

    def call(self, target: str, verb: str, **args: Any) -> Any:
        """Run a verb; COM failures become :class:`ComCallError` naming the verb."""
        check_call(target, verb, args)
        try:
            return getattr(self, f"_{target}_{verb}")(**args)
        except ComCallError:
            raise
        except Exception as exc:  # comtypes.COMError, OSError, AttributeError on a missing member
            raise ComCallError(f"{target}.{verb} failed: {type(exc).__name__}: {exc}") from exc

    def _deliver(self, event: ComEvent) -> None:
        """A sink got an event (on this thread, inside the wait): keep it and end the wait."""
        self._events.append(event)
        if self._wait is not None:
            self._wait.signal()

    def pump(self, timeout: float) -> list[ComEvent]:
        """Run the COM message loop until an event arrives or ``timeout`` passes; return the events."""
        if not self._events and timeout > 0:
            if self._wait is None:
                raise ComCallError("pump before connect")
            self._wait.wait(timeout)
        events, self._events = self._events, []
        return events

    def wake(self) -> None:
        """End the COM wait from any thread (a kernel event is thread-safe to set)."""
        if self._wait is not None:
            self._wait.signal()

    def close(self) -> None:
        """Drop the sinks, delete open series, release the objects and CoUninitialize."""
        for serie_id in list(self._series):
            self._datasource_close_serie(serie_id)
        self._connections.clear()
        self._objects.clear()
        if self._wait is not None:
            self._wait.close()
            self._wait = None
        self._runtime.uninitialize()

    # datasource: one DataSourceManager per serie, so its OnNewDataSerieBar names the serie
    def _manager(self, live: bool) -> Any:
        manager = self._runtime.client.CreateObject(self._modules["datasource"].DataSourceManager)
        manager.ActiveEvents = 1 if live else 0
        if live:
            manager.EventsType = self.constants.value("EF_Always")
        return manager

    def _datasource_symbol_info(self, symbol: str) -> dict[str, Any]:
        manager = self._manager(live=False)
        serie = manager.NewDataSerie(symbol, self.constants.value("CT_Days"), 1, *_INFO_RANGE)
        try:
            return to_record(serie.GetSymbolInfo(), SYMBOL_FIELDS, self.constants)
        finally:
            manager.DeleteDataSource(serie)

    def _datasource_open_serie(self, symbol: str, ct: str, compression: int, start: _dt.datetime,
                               end: _dt.datetime | None = None, live: bool = False) -> str:
        manager = self._manager(live)
        dates = (start,) if end is None else (start, end)
        serie = manager.NewDataSerie(symbol, self.constants.value(ct), compression, *dates)
        serie_id = f"serie-{next(self._ids)}"
        connection = None
        if live:  # OnNewDataSerieBar(DataSerie) -> the serie's id and its new size
            def on_bar(_sink: Any, data_serie: Any) -> None:
                self._deliver(ComEvent("datasource", "OnNewDataSerieBar",
                                       {"serie": serie_id, "size": int(data_serie.Size)}))
            sink = type("DataSourceSink", (), {"OnNewDataSerieBar": on_bar})()
            connection = self._runtime.client.GetEvents(manager, sink)
        self._series[serie_id] = (manager, serie, connection)
        return serie_id

    def _serie(self, serie: str) -> Any:
        try:
            return self._series[serie][1]
        except KeyError:
            raise ComCallError(f"no open serie {serie!r}") from None

    def _datasource_serie_size(self, serie: str) -> int:
        return int(self._serie(serie).Size)

    def _datasource_serie_bars(self, serie: str, first: int, last: int) -> list[dict[str, Any]]:
        com = self._serie(serie)
        return [to_record(com.GetBarValues(i), BAR_FIELDS, self.constants) for i in range(first, last + 1)]

    def _datasource_close_serie(self, serie: str) -> None:
        manager, com, _connection = self._series.pop(serie, (None, None, None))
        if manager is not None:
            manager.DeleteDataSource(com)

    # realtime
    def _realtime_request_feed(self, symbol: str) -> None:
        self._objects["realtime"].RequestSymbolFeed(symbol, False)

    def _realtime_cancel_feed(self, symbol: str) -> None:
        self._objects["realtime"].CancelSymbolFeed(symbol, False)

    # trader
    def _account(self, account: str) -> Any:
        for acc in self._objects["trader"].Accounts:
            if acc.Account == account:
                return acc
        raise ComCallError(f"Visual Chart has no account {account!r}")

    def _trader_accounts(self) -> list[dict[str, Any]]:
        return [{"Account": str(a.Account), "Cash": float(a.Balance.Cash),
                 "NetWorth": float(a.Balance.NetWorth)} for a in self._objects["trader"].Accounts]

    def _trader_balance(self, account: str) -> dict[str, Any]:
        balance = self._account(account).Balance
        return {"Account": account, "Cash": float(balance.Cash), "NetWorth": float(balance.NetWorth)}

    def _trader_positions(self, account: str) -> list[dict[str, Any]]:
        return [to_record(p, POSITION_FIELDS, self.constants) for p in self._account(account).OpenPositions]

    def _trader_orders(self, account: str) -> list[dict[str, Any]]:
        orders = (to_record(o, ORDER_FIELDS, self.constants) for o in self._objects["trader"].Orders)
        return [o for o in orders if o.get("Account") == account]

    def _trader_send_order(self, order: Mapping[str, Any]) -> str:
        o = dict(order)
        for name in _ORDER_SENT_ENUMS:
            o[name] = self.constants.value(o[name])
        order_id = self._objects["trader"].SendOrder(
            o["Account"], o["SymbolCode"], o["OrderType"], o["OrderSide"], o["Volume"], o["Price"],
            o["StopPrice"], o["VolumeRestriction"], o["TimeRestriction"],
            ValidDate=o.get("ValidDate"), ExtendedInfo=o.get("ExtendedInfo", ""))
        return str(order_id)

    def _trader_cancel_order(self, order_id: str) -> None:
        self._objects["trader"].CancelOrder(order_id)

    def _trader_modify_order(self, order_id: str, volume: float | None = None, price: float | None = None,
                             stop_price: float | None = None) -> None:
        self._objects["trader"].ModifyOrder(order_id, volume, price, stop_price)
