"""Fault injection for the IB sandbox, as a plan the server consults at fixed points.

A test arms one-shot faults (drop a client's socket at a point of the order flow, pace the next
history request, reject the next order, delay or reorder outgoing messages); the server asks
the plan at each point whether to act. The plan holds no sockets, so its logic is tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DropPoint", "FaultPlan", "CONNECTIVITY_TEXT", "PACING_TEXT"]

CONNECTIVITY_TEXT: dict[int, str] = {
    1100: "Connectivity between IB and Trader Workstation has been lost.",
    1101: "Connectivity between IB and Trader Workstation has been restored - data lost.",
    1102: "Connectivity between IB and Trader Workstation has been restored - data maintained.",
}
PACING_TEXT = ("Historical Market Data Service error message:"
               "Historical data request pacing violation")


class DropPoint:
    """Where in the order flow a client's socket is dropped."""

    BEFORE_ACK = "before_ack"            # placeOrder reached the exchange, no reply sent
    BEFORE_COMMISSION = "before_commission"  # execDetails sent, its commissionReport not
    MID_PARTIAL = "mid_partial"          # after an orderStatus with some, not all, filled
    ALL = (BEFORE_ACK, BEFORE_COMMISSION, MID_PARTIAL)


@dataclass
class _Drop:
    point: str
    client_id: int | None  # None: whichever client gets there first


@dataclass
class FaultPlan:
    """One-shot faults armed by tests; the server consults and consumes them."""

    drops: list[_Drop] = field(default_factory=list)
    pace_history: int = 0
    rejects: list[str] = field(default_factory=list)
    delay: dict[int | None, float] = field(default_factory=dict)
    reorder: dict[int | None, int] = field(default_factory=dict)

    def arm_drop(self, point: str, client_id: int | None = None) -> None:
        """Drop ``client_id``'s socket (any client's when None) at ``point`` (a DropPoint)."""
        if point not in DropPoint.ALL:
            raise ValueError(f"unknown drop point {point!r}; known: {', '.join(DropPoint.ALL)}")
        self.drops.append(_Drop(point, client_id))

    def take_drop(self, point: str, client_id: int) -> bool:
        """True (and disarmed) when a drop is armed at ``point`` for ``client_id``."""
        for i, drop in enumerate(self.drops):
            if drop.point == point and drop.client_id in (None, client_id):
                del self.drops[i]
                return True
        return False

    def arm_pacing(self, count: int = 1) -> None:
        """Answer the next ``count`` historical data requests with error 162."""
        self.pace_history += count

    def take_pacing(self) -> bool:
        """True (and counted down) when the next history request must fail with 162."""
        if self.pace_history > 0:
            self.pace_history -= 1
            return True
        return False

    def arm_reject(self, reason: str) -> None:
        """Reject the next placed order (error 201) with ``reason``."""
        if not reason:
            raise ValueError("a rejection needs a reason")
        self.rejects.append(reason)

    def take_reject(self) -> str | None:
        """The reason of the armed rejection of the next order, if any."""
        return self.rejects.pop(0) if self.rejects else None

    def set_delay(self, seconds: float, client_id: int | None = None) -> None:
        """Hold each outgoing message to ``client_id`` (all when None) ``seconds`` before sending;
        0 ends that delay (every delay when ``client_id`` is None)."""
        if seconds < 0:
            raise ValueError(f"delay must be >= 0, got {seconds}")
        if seconds:
            self.delay[client_id] = seconds
        elif client_id is None:
            self.delay.clear()
        else:
            self.delay.pop(client_id, None)

    def delay_for(self, client_id: int) -> float:
        """Seconds to hold each message to ``client_id``."""
        return self.delay.get(client_id, self.delay.get(None, 0.0))

    def arm_reorder(self, count: int, client_id: int | None = None) -> None:
        """Send the next ``count`` messages to ``client_id`` in reverse order."""
        if count < 2:
            raise ValueError(f"reordering needs at least 2 messages, got {count}")
        self.reorder[client_id] = count

    def take_reorder(self, client_id: int) -> int:
        """How many upcoming messages to reverse for ``client_id`` (0: none); disarms."""
        for key in (client_id, None):
            if key in self.reorder:
                return self.reorder.pop(key)
        return 0
