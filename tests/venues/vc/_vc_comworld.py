"""A stand-in for Windows' COM runtime and Visual Chart's COM objects (nothing COM runs on Linux).

It follows the object model the comtypes backend drives: generated modules with constants and
coclasses, ``CreateObject``/``GetEvents``, event sinks called by name from inside the COM wait,
records with integer enum fields, ``OSError`` for a failed call (as COMError is).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any


class World:
    """The runtime: ``client`` (GetModule, CreateObject, GetEvents), apartment and the COM wait."""

    def __init__(self) -> None:
        self.pending: list[Callable[[], None]] = []
        self.apartment = 0
        self.loaded: list[Any] = []
        self.bars: dict[str, list[SimpleNamespace]] = {}
        self.accounts = [SimpleNamespace(Account="A1", Balance=SimpleNamespace(Cash=1000.0, NetWorth=1100.0),
                                         OpenPositions=[SimpleNamespace(Account="A1", SymbolCode="010001ES",
                                                                        Side=2, Volume=3.0, Price=99.0)])]
        self.orders: list[SimpleNamespace] = []
        self.sent: list[tuple] = []
        self.managers: list[DataSourceManager] = []
        self.client = SimpleNamespace(GetModule=self.get_module, CreateObject=self.create,
                                      GetEvents=self.get_events)
        self.waits: list[float] = []

    def initialize(self) -> None:
        self.apartment += 1

    def uninitialize(self) -> None:
        self.apartment -= 1

    def waiter(self) -> Waiter:
        return Waiter(self)

    def get_module(self, lib: Any) -> SimpleNamespace:
        self.loaded.append(lib)
        return MODULES[len(self.loaded) - 1]

    def create(self, coclass: type) -> Any:
        return coclass(self)

    def get_events(self, source: Any, sink: Any) -> tuple[str, Any]:
        source.sinks.append(sink)
        return ("connection", source)

    def fire(self, source: Any, name: str, *args: Any) -> None:
        """Queue an event: COM dispatches it to the sinks while the thread waits."""
        self.pending.append(lambda: [getattr(sink, name)(*args) for sink in source.sinks])


class Waiter:
    """The COM wait: dispatches queued events; a sink's signal is what ends a real wait early."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.signals = 0
        self.closed = False

    def signal(self) -> None:
        self.signals += 1

    def wait(self, timeout: float) -> None:
        self.world.waits.append(timeout)
        pending, self.world.pending = self.world.pending, []
        for dispatch in pending:
            dispatch()

    def close(self) -> None:
        self.closed = True


class _Com:
    def __init__(self, world: World) -> None:
        self.world = world
        self.sinks: list[Any] = []


class Serie:
    def __init__(self, bars: list[SimpleNamespace]) -> None:
        self.bars = bars

    @property
    def Size(self) -> int:
        return len(self.bars)

    def GetBarValues(self, index: int) -> SimpleNamespace:
        if not 1 <= index <= len(self.bars):
            raise OSError(-2147024809, "The parameter is incorrect")
        return self.bars[index - 1]

    def GetSymbolInfo(self) -> SimpleNamespace:
        return SimpleNamespace(Type=3, Description="E-mini S&P", Decimals=2, TimeOffset=3600.0,
                               PointValue=50.0, MinMovement=0.25)


class DataSourceManager(_Com):
    ActiveEvents = None
    EventsType = None

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.deleted: list[Serie] = []
        self.requests: list[tuple] = []
        world.managers.append(self)

    def NewDataSerie(self, symbol: str, ct: int, compression: int, *dates: Any) -> Serie:
        self.requests.append((symbol, ct, compression, dates))
        self.serie = Serie(list(self.world.bars.get(symbol, [])))
        return self.serie

    def DeleteDataSource(self, serie: Serie) -> None:
        self.deleted.append(serie)


class RealTime(_Com):
    def RequestSymbolFeed(self, symbol: str, limited: bool) -> None:
        tick = SimpleNamespace(SymbolCode=symbol, Field=40, FieldEx=0, Date=46350.5, TickIndex=0, Value=0.0,
                               Text="E-mini S&P")
        self.world.fire(self, "OnNewTicks", ([tick],))

    def CancelSymbolFeed(self, symbol: str, limited: bool) -> None:
        pass


class Trader(_Com):
    @property
    def Accounts(self) -> list[SimpleNamespace]:
        return self.world.accounts

    @property
    def Orders(self) -> list[SimpleNamespace]:
        return self.world.orders

    def SendOrder(self, account, symbol, otype, side, volume, price, stop, vrestriction, trestriction,
                  ValidDate=None, ExtendedInfo=""):
        self.world.sent.append((account, symbol, otype, side, volume, price, stop, vrestriction, trestriction,
                                ValidDate, ExtendedInfo))
        order = SimpleNamespace(OrderId=f"V{len(self.world.sent)}", Account=account, SymbolCode=symbol,
                                OrderType=otype, OrderSide=side, Volume=volume, Price=price, StopPrice=stop,
                                TimeRestriction=trestriction, ExtendedInfo=ExtendedInfo)
        self.world.orders.append(order)
        self.world.fire(self, "OnOrderInMarket", order)
        return order.OrderId

    def CancelOrder(self, order_id: str) -> None:
        for order in self.world.orders:
            if order.OrderId == order_id:
                self.world.orders.remove(order)
                self.world.fire(self, "OnCancelledOrder", order)
                return
        raise OSError(-2147352567, f"Exception occurred: order {order_id} not found")

    def ModifyOrder(self, order_id: str, volume: Any, price: Any, stop: Any) -> None:
        raise OSError(-2147352567, "Exception occurred: not modifiable")


MODULES = [
    SimpleNamespace(DataSourceManager=DataSourceManager, CT_Ticks=0, CT_Minutes=2, CT_Days=5, EF_Always=1,
                    IT_Stock=1, IT_Future=3),
    SimpleNamespace(RealTime=RealTime, Field_Time=3, Field_Description=40, Field_Date=41),
    SimpleNamespace(Trader=Trader, OT_Market=1, OT_Limit=2, OT_StopMarket=3, OT_StopLimit=4, OS_Buy=1,
                    OS_Sell=2, TR_NoRestriction=0, TR_Session=1, TR_Date=2, TR_CloseAuction=5,
                    VR_NoRestriction=0),
]
