"""Plain data shared by the registry, the journal and reconciliation: what we know, what the venue says.

Sizes are signed (buy > 0, sell < 0) and instruments are names (the data's ``_name`` or the
venue's symbol, as the adapter chooses, the same on both sides). Status names are the order
statuses' names (``Submitted``, ``Accepted``, ``Partial``, ``Completed``, ``Canceled``,
``Expired``, ``Margin``, ``Rejected``) plus ``Unknown``: closed locally because the venue no
longer lists the order and does not say how it ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = [
    "ALIVE",
    "TERMINAL",
    "LocalState",
    "OrderState",
    "VenueExecution",
    "VenueOrder",
    "VenueSnapshot",
    "frozen_ids",
]

ALIVE = frozenset({"Created", "Submitted", "Accepted", "Partial"})
TERMINAL = frozenset({"Completed", "Canceled", "Expired", "Margin", "Rejected", "Unknown"})
_EMPTY: Mapping[str, str] = MappingProxyType({})


def frozen_ids(ids: Mapping[str, Any] | None) -> Mapping[str, str]:
    """A read-only copy of venue ids with string values (``{"permId": "123"}``)."""
    if not ids:
        return _EMPTY
    if isinstance(ids, MappingProxyType) and all(isinstance(v, str) for v in ids.values()):
        return ids
    return MappingProxyType({str(k): str(v) for k, v in ids.items() if v is not None and v != ""})


@dataclass(frozen=True, slots=True)
class OrderState:
    """What we know of one order: ours (keyed by our client id) or an external one we track."""

    client_id: str
    instrument: str
    size: float
    filled: float = 0.0
    status: str = "Submitted"
    venue_ids: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    external: bool = False
    reason: str = ""
    # an external order's client id as the venue reported it (not part of its identity)
    venue_client_id: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "venue_ids", frozen_ids(self.venue_ids))

    @property
    def alive(self) -> bool:
        """Whether it can still fill."""
        return self.status in ALIVE

    @property
    def remaining(self) -> float:
        """Signed size still to fill."""
        return self.size - self.filled


@dataclass(frozen=True, slots=True)
class VenueOrder:
    """An order as the venue reports it (open, or closed with its final status)."""

    instrument: str
    size: float
    filled: float = 0.0
    status: str = "Accepted"
    client_id: str | None = None  # IB orderRef, OANDA clientExtensions.id
    venue_ids: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    reason: str = ""  # why it ended (the venue's text), if closed
    code: int | str | None = None  # the venue's error/reject code (IB 201), if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "venue_ids", frozen_ids(self.venue_ids))


@dataclass(frozen=True, slots=True)
class VenueExecution:
    """One fill as the venue reports it, named by the venue's unique execution id."""

    exec_id: str
    instrument: str
    size: float
    price: float
    client_id: str | None = None
    venue_ids: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # the order's ids at the venue
    commission: float | None = None
    time: float | None = None  # venue time, seconds since the epoch

    def __post_init__(self) -> None:
        object.__setattr__(self, "venue_ids", frozen_ids(self.venue_ids))


@dataclass(frozen=True, slots=True)
class VenueSnapshot:
    """What the venue says after (re)connecting.

    ``closed_orders`` lists orders the venue reports as ended (IB completed orders, OANDA orders
    looked up by id); ``executions`` those since the last execution/transaction id we saw;
    ``cursor`` the venue's newest such id; ``cash`` None when not asked.
    """

    open_orders: tuple[VenueOrder, ...] = ()
    executions: tuple[VenueExecution, ...] = ()
    positions: Mapping[str, float] = field(default_factory=dict)
    cash: float | None = None
    closed_orders: tuple[VenueOrder, ...] = ()
    cursor: str | None = None
    # client ids this process had sent (or refused) when the snapshot was taken; None: not tracked.
    # An order handed to the adapter but not yet among them was in flight: too early to judge.
    sent: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class LocalState:
    """What the journal knows: orders, applied execution ids, positions, commissions, cursor."""

    orders: Mapping[str, OrderState] = field(default_factory=dict)
    fills: frozenset[str] = frozenset()
    positions: Mapping[str, float] = field(default_factory=dict)  # from our own fills
    external_positions: Mapping[str, float] = field(default_factory=dict)  # from external fills
    commissions: Mapping[str, float] = field(default_factory=dict)  # exec id -> commission
    cash: float | None = None
    cursor: str | None = None
