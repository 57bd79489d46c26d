"""VCBroker: Visual Chart's Trader on the shared live core (journal, reconciliation, notifications).

The core (:class:`~tradebridge.live.broker.LiveBroker`) journals every order before it leaves,
applies fills once, reconciles after connecting and after the server returns. This adapter only
builds Visual Chart's order record (:func:`.mapping.order_fields`: exec type, time restriction,
the client id in ``ExtendedInfo``) and hands it to the store's pump thread; everything Visual
Chart answers comes back as inbox events the core applies.

Visual Chart reports no commissions: pass a commission scheme (``commission=``, or
``setcommission``/``addcommissioninfo``) so cash and trades carry the broker's fees.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ...live.broker import LiveBroker, OrderRefused
from .mapping import VCOrderError, order_fields

__all__ = ["VCBroker"]


class VCBroker(LiveBroker):
    """backtrader's VCBroker params: ``account`` (None: Visual Chart's first account) and
    ``commission`` (the default commission scheme), plus the live core's (``journal``, ...)."""

    params = (("account", None), ("commission", None))

    def __init__(self, *, store: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if store is None:
            from .store import VCStore

            store = VCStore()  # Visual Chart itself: on Linux/macOS this raises VCUnavailableError
        self._store = store
        if store.broker is None:
            store.broker = self

    def start(self) -> None:
        """Open the journal, then ask Visual Chart for the snapshot to reconcile against."""
        super().start()
        self._store.request_snapshot(self._alive_fills())

    def _alive_fills(self) -> dict[str, float]:
        """Filled size of each journaled order still alive (a restart's open orders go on from there)."""
        return {s.client_id: s.filled for s in self.journal.registry.alive() if not s.external}

    def _journal_secrets(self) -> list[str]:
        """The store's ``secrets`` (account names, say): never written to the journal either."""
        return [str(secret) for secret in self._store.p.secrets if secret]

    def instrument(self, data: Any) -> str:
        """A VCData trades its ``tradename``; another data its name."""
        spec = getattr(data, "spec", None)
        return spec.tradename if spec is not None else super().instrument(data)

    # -- the venue calls ------------------------------------------------------------------------
    def _venue_submit(self, order: Any, client_id: str) -> None:
        """Build the order record here (a bad order is refused at once), send it on the pump thread."""
        account = self._store.account
        if account is None:
            raise OrderRefused("Visual Chart has given no trading account (is a broker connected in it?)")
        data = order.data
        now = data.datetime.datetime(0) if len(data) else _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
        try:
            fields = order_fields(account=account, symbol=self.instrument(data), exectype=order.exectype,
                                  isbuy=order.isbuy(), size=order.size, price=order.price,
                                  pricelimit=order.pricelimit, valid=order.p.valid, client_id=client_id,
                                  now=now)
        except VCOrderError as exc:
            raise OrderRefused(str(exc)) from None
        group = self.group_of(order)
        if group.parent is not None or group.oco is not None:
            raise OrderRefused("Visual Chart has no bracket or OCO orders")
        self._store.send_order(client_id, fields)

    def _venue_cancel(self, order: Any, client_id: str) -> None:
        """Ask Visual Chart (on the pump thread) to cancel the order; its answer is an order event."""
        state = self.journal.registry.get(client_id)
        order_id = state.venue_ids.get("OrderId") if state is not None else None
        self._store.cancel_order(client_id, order_id)
