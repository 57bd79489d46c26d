"""The order registry: our client id <-> Order object <-> venue ids, plus tracked external orders.

Keyed by tradebridge's client order id. Venue ids (IB ``orderId``/``permId``, OANDA order and
trade ids) are indexed by ``(kind, id)`` so any venue report finds its order. Orders the venue
reports that we did not send are kept as *external* entries (key ``ext:<kind>=<id>``): tracked
and reported, never given an Order object or handed to the strategy as its own.

Venue id kinds must be unique per venue account: an IB adapter names ``orderId`` per API
client (e.g. ``"7:15"`` for client 7) or uses ``permId`` alone for orders of other clients.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from .state import OrderState, VenueOrder, frozen_ids

__all__ = ["DuplicateOrderError", "OrderRegistry", "external_key"]


class DuplicateOrderError(KeyError):
    """A client id was registered twice."""


def external_key(client_id: str | None, venue_ids: Mapping[str, str]) -> str:
    """The registry key of an order placed outside this strategy (from its venue ids)."""
    if venue_ids:
        kind = min(venue_ids)
        return f"ext:{kind}={venue_ids[kind]}"
    if client_id:
        return f"ext:client={client_id}"
    raise ValueError("an external order needs a venue id or a client id to be tracked")


class OrderRegistry:
    """In-memory index of every order this strategy sent or tracks."""

    def __init__(self) -> None:
        self._states: dict[str, OrderState] = {}
        self._venue: dict[tuple[str, str], str] = {}
        self._orders: dict[str, Any] = {}
        self._by_ref: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._states)

    def __iter__(self) -> Iterator[OrderState]:
        return iter(self._states.values())

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._states

    # -- writing ---------------------------------------------------------------------------------
    def add(self, state: OrderState, order: Any = None) -> OrderState:
        """Register a new order (and its Order object in this process)."""
        if state.client_id in self._states:
            raise DuplicateOrderError(f"client id {state.client_id!r} is already registered")
        self._states[state.client_id] = state
        self._index(state)
        if order is not None:
            self.attach(state.client_id, order)
        return state

    def update(self, state: OrderState) -> OrderState:
        """Replace the known state of a registered order (status, filled, ids)."""
        if state.client_id not in self._states:
            raise KeyError(f"unknown client id {state.client_id!r}")
        self._states[state.client_id] = state
        self._index(state)
        return state

    def change(self, client_id: str, **fields: Any) -> OrderState:
        """Replace some fields (status, reason, filled) of a registered order's state."""
        return self.update(dataclasses.replace(self.state(client_id), **fields))

    def attach(self, client_id: str, order: Any) -> None:
        """Bind the Order object of this process to a registered client id."""
        if self._states[client_id].external:
            raise ValueError(f"{client_id} is an external order; it is never adopted")
        self._orders[client_id] = order
        self._by_ref[order.ref] = client_id

    def link(self, client_id: str, venue_ids: Mapping[str, Any]) -> OrderState:
        """Add venue ids (e.g. ``{"permId": 123}``) to an order; returns its new state."""
        state = self._states[client_id]
        merged = frozen_ids({**state.venue_ids, **frozen_ids(venue_ids)})
        return self.update(dataclasses.replace(state, venue_ids=merged))

    def track_external(self, venue_order: VenueOrder) -> OrderState:
        """Track an order the venue reports that we did not send (idempotent).

        Its ``filled`` counts only the fills recorded here, so it agrees with the journal.
        """
        ids = frozen_ids(venue_order.venue_ids)
        found = self.match(venue_order.client_id, ids)
        if found is not None:
            return found
        state = OrderState(
            client_id=external_key(venue_order.client_id, ids), instrument=venue_order.instrument,
            size=venue_order.size, filled=0.0, status=venue_order.status,
            venue_ids=ids, external=True, reason=venue_order.reason, venue_client_id=venue_order.client_id,
        )
        return self.add(state)

    def _index(self, state: OrderState) -> None:
        for key in state.venue_ids.items():
            self._venue[key] = state.client_id

    # -- reading ---------------------------------------------------------------------------------
    def get(self, client_id: str) -> OrderState | None:
        """The state of ``client_id`` (None if unknown)."""
        return self._states.get(client_id)

    def state(self, client_id: str) -> OrderState:
        """The state of a registered ``client_id`` (KeyError naming it if unknown)."""
        try:
            return self._states[client_id]
        except KeyError:
            raise KeyError(f"unknown client id {client_id!r}") from None

    def find(self, kind: str, venue_id: Any) -> OrderState | None:
        """The order the venue knows as ``kind=venue_id`` (None if unknown)."""
        client_id = self._venue.get((kind, str(venue_id)))
        return None if client_id is None else self._states[client_id]

    def match(self, client_id: str | None, venue_ids: Mapping[str, Any]) -> OrderState | None:
        """The order a venue report is about: by our client id first, then by any venue id."""
        if client_id:
            found = self._states.get(client_id) or self._states.get(f"ext:client={client_id}")
            if found is not None:
                return found
        for kind, venue_id in venue_ids.items():
            found = self.find(kind, venue_id)
            if found is not None:
                return found
        return None

    def order(self, client_id: str) -> Any:
        """The Order object bound to ``client_id`` in this process (None after a restart)."""
        return self._orders.get(client_id)

    def client_id_of(self, order: Any) -> str | None:
        """The client id of an Order object (by its ``ref``)."""
        return self._by_ref.get(order.ref)

    def states(self) -> dict[str, OrderState]:
        """Every known order state by key."""
        return dict(self._states)

    def alive(self) -> list[OrderState]:
        """Our orders that can still fill."""
        return [s for s in self._states.values() if s.alive and not s.external]

    def externals(self) -> list[OrderState]:
        """Tracked external orders."""
        return [s for s in self._states.values() if s.external]
