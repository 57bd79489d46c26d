"""IBBroker: the live broker core's venue calls for Interactive Brokers, on IBStore's loop.

The core (:class:`tradebridge.live.broker.LiveBroker`) checks risk, journals each order under
its client id and decides bracket transmission; this adapter only translates. Orders become
ib_async orders (:func:`.mapping.order_fields`: ``orderRef`` = the client id, brackets as
``parentId``/``transmit``, OCO as an ``ocaGroup``) and are placed on the store's loop; TWS's
answers (order statuses, executions, commission reports, account values, positions) go back
as inbox events. Commission info (multiplier, stock-like or not) comes from each data's
contract details; the actual commissions from IB's commission reports.
"""

from __future__ import annotations

from typing import Any

from ...live import Kind
from ...live.broker import LiveBroker, OrderRefused
from ...orders.comminfo import CommInfoBase
from .mapping import (
    IBMappingError,
    account_values,
    commission,
    instrument_name,
    order_fields,
    to_ib_order,
    venue_execution,
    venue_order,
)
from .store import IBStore

__all__ = ["IBBroker"]

_NOT_CONNECTED = 504


class IBBroker(LiveBroker):
    """backtrader's IBBroker on the live core; store params (host, port, clientId...) name the connection."""

    def __init__(self, **kwargs: Any) -> None:
        store = IBStore.for_kwargs(kwargs)
        kwargs.setdefault("journal", store.p.journal)
        kwargs.setdefault("account", store.p.account)
        super().__init__(**kwargs)
        self._store = self.ib = store
        if store.broker is None:
            store.broker = self
        self._hooked = False
        # loop-side state: the ib_async Trade of each client id placed in this process
        self._trades: dict[str, Any] = {}
        self.sent: set[str] = set()  # client ids _place has placed or refused (for snapshots)
        self._oca_named: set[str] = set()
        self._comminfos: dict[Any, CommInfoBase] = {}

    # -- engine thread ----------------------------------------------------------------------
    def start(self) -> None:
        """Connect (if the store is not yet), listen to TWS's order events, open the journal."""
        self.ib.start(broker=self)
        self.ib.run(self._hook())
        super().start()

    def instrument(self, data: Any) -> str:
        """IB's name of the traded contract (``AAPL``, ``EUR.USD``, a future's local symbol)."""
        found = self._instrument_of.get(data)
        if found is not None:
            return found
        return getattr(data, "tradeinstrument", None) or super().instrument(data)

    def getcommissioninfo(self, data: Any) -> CommInfoBase:
        """A scheme set by the user for the data's name, else one from its IB contract details."""
        name = getattr(data, "_name", None)
        if name in self.comminfo or getattr(data, "details", None) is None:
            return super().getcommissioninfo(data)
        scheme = self._comminfos.get(data)
        if scheme is None:
            scheme = self._comminfos[data] = CommInfoBase(**data.comminfo())
        return scheme

    def _venue_submit(self, order: Any, client_id: str) -> None:
        contract = self._contract_of(order)
        group = self.group_of(order)
        try:
            fields = order_fields(order, client_id, account=self.ib.account)
        except IBMappingError as exc:
            raise OrderRefused(str(exc)) from None
        fields["transmit"] = group.transmit
        self.ib.call_soon(self._place, contract, fields, client_id, group)

    def _venue_cancel(self, order: Any, client_id: str) -> None:
        self.ib.call_soon(self._cancel, client_id)

    def _contract_of(self, order: Any) -> Any:
        data = order.data
        details = getattr(data, "tradedetails", None)
        if details is None:
            raise OrderRefused(f"{data!r} has no IB contract: trade IBData feeds whose contract "
                               "lookup succeeded (the data must have started)")
        return details.contract

    # -- the store's loop ----------------------------------------------------------------------
    def _put(self, kind: Kind, payload: Any) -> None:
        self.ib.put(kind, payload, self)

    def _refused(self, client_id: str, fields: dict[str, Any], code: int, text: str) -> None:
        """Tell the core an order never reached TWS (as TWS would: an order status with the reason)."""
        from ...live.state import VenueOrder

        size = fields["totalQuantity"] * (1 if fields["action"] == "BUY" else -1)
        self._put(Kind.ORDER, VenueOrder(instrument="", size=size, status="Rejected", client_id=client_id,
                                         reason=text, code=code))

    def _place(self, contract: Any, fields: dict[str, Any], client_id: str, group: Any) -> None:
        try:
            self._place_now(contract, fields, client_id, group)
        finally:
            self.sent.add(client_id)

    def _place_now(self, contract: Any, fields: dict[str, Any], client_id: str, group: Any) -> None:
        ib = self.ib.ib
        if not ib.isConnected():
            self._refused(client_id, fields, _NOT_CONNECTED, f"not connected to {self.ib._where()}; "
                          "the order was not sent")
            return
        if group.parent is not None:
            parent = self._trades.get(group.parent)
            if parent is None:
                self._refused(client_id, fields, 201, f"bracket parent {group.parent} was not placed")
                return
            fields["parentId"] = parent.order.orderId
        if group.oco is not None:
            self._name_oca(group.oco)
            fields.update(ocaGroup=group.oco, ocaType=1)
        fields["orderId"] = ib.client.getReqId()
        self._trades[client_id] = ib.placeOrder(contract, to_ib_order(fields))

    def _name_oca(self, first: str) -> None:
        """IB needs the OCA group on every member: give it to the group's first order too (a modify)."""
        trade = self._trades.get(first)
        if first in self._oca_named or trade is None or trade.isDone():
            return
        self._oca_named.add(first)
        trade.order.ocaGroup, trade.order.ocaType = first, 1
        self.ib.ib.placeOrder(trade.contract, trade.order)

    def _cancel(self, client_id: str) -> None:
        ib = self.ib.ib
        trade = self._trades.get(client_id) or next(
            (t for t in ib.openTrades() if t.order.orderRef == client_id), None)
        if trade is None:
            self.ib.notify(f"cancel of {client_id}: TWS lists no open order with that orderRef "
                           "(it ended or was placed by another clientId); reconciliation settles it")
            return
        if not ib.isConnected():
            self.ib.notify(f"cancel of {client_id} not sent: not connected to {self.ib._where()}")
            return
        ib.cancelOrder(trade.order)

    async def _hook(self) -> None:
        """Listen to ib_async's order, fill, commission, account and position events (once)."""
        if self._hooked:
            return
        self._hooked = True
        ib = self.ib.ib
        ib.openOrderEvent += self._on_trade
        ib.orderStatusEvent += self._on_trade
        ib.execDetailsEvent += self._on_fill
        ib.commissionReportEvent += self._on_commission_report
        ib.accountValueEvent += self._on_account_value
        ib.positionEvent += self._on_position_report

    def _live(self) -> bool:
        """Events flow to the engine except while (re)connecting: the snapshot carries those."""
        return not self.ib.syncing

    def _on_trade(self, trade: Any) -> None:
        # an order without our orderRef (by hand, another program) is tracked as external by the core
        if self._live():
            self._put(Kind.ORDER, venue_order(trade))

    def _on_fill(self, trade: Any, fill: Any) -> None:
        if self._live():
            self._put(Kind.EXECUTION, venue_execution(fill))

    def _on_commission_report(self, trade: Any, fill: Any, report: Any) -> None:
        found = commission(report)
        if self._live() and found is not None:
            self._put(Kind.COMMISSION, found)

    def _on_account_value(self, value: Any) -> None:
        values = account_values([value], self.ib.account)
        if values:
            self._put(Kind.ACCOUNT, values)

    def _on_position_report(self, position: Any) -> None:
        account = self.ib.account
        if self._live() and (not account or position.account == account):
            self._put(Kind.POSITION, (instrument_name(position.contract), float(position.position)))

