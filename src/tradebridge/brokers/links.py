"""Order links inside a broker: OCO groups and brackets (parent + children).

OCO: when one member of a group executes (even partly), is canceled or expires, the
others still pending are canceled. Bracket: children wait until their parent completes,
then activate; when one child executes or any member is canceled, the rest are canceled.
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any

__all__ = ["OrderLinks"]


class OrderLinks:
    """OCO and bracket bookkeeping for one broker (which owns ``pending`` and ``cancel``)."""

    def __init__(self, broker: Any) -> None:
        self.broker = broker
        self.children: defaultdict[int, deque[Any]] = defaultdict(deque)
        self.ocos: dict[int, int] = {}  # order ref -> group leader ref
        self.ocol: defaultdict[int, list[int]] = defaultdict(list)  # leader ref -> members

    # -- OCO -----------------------------------------------------------------------------
    def check_oco(self, oco: Any) -> None:
        """Refuse an ``oco`` target that is unknown, dead or whose group already fired."""
        if oco is None:
            return
        ref = getattr(oco, "ref", None)
        leader = self.ocos.get(ref)
        if leader is None and (ref is None or oco.alive() and not self._holds(ref)):
            raise ValueError(f"oco order {getattr(oco, 'ref', oco)!r} is unknown to this broker")
        if not oco.alive():
            raise ValueError(
                f"oco order {oco.ref} is no longer alive (status {oco.getstatusname()})")
        if (leader not in self.ocol) if leader is not None else oco.executed.size:
            # a fill (even a partial one) fired the group the order leads or would lead
            raise ValueError(f"oco order {oco.ref}'s group has already fired")

    def _holds(self, ref: Any) -> bool:
        """Whether an order with ``ref`` waits in this broker (queued, booked or held back)."""
        broker = self.broker
        return any(o is not None and o.ref == ref for o in
                   (*broker.submitted, *broker.pending, *broker._toactivate,
                    *(o for group in self.children.values() for o in group)))

    def ocoize(self, order: Any, oco: Any) -> None:
        """Put ``order`` in ``oco``'s group. A lone order gets no group (most never need one):
        the first order naming it as ``oco`` starts the group with it as the leader."""
        if oco is None:
            return
        oref, leader = order.ref, self.ocos.get(oco.ref)
        if leader is None:  # oco was a lone order until now
            leader = oco.ref
            self.ocos[leader] = leader
            self.ocol[leader].append(leader)
        self.ocos[oref] = leader
        self.ocol[leader].append(oref)

    def ococheck(self, order: Any) -> None:
        """``order`` fired: cancel the pending members of its group and dissolve it."""
        leader = self.ocos.get(order.ref)
        members = self.ocol.pop(leader, None) if leader is not None else None
        if not members:
            return
        broker = self.broker
        pending = broker.pending
        for i in range(len(pending) - 1, -1, -1):
            other = pending[i]
            if other is not None and other.ref in members:
                del pending[i]
                other.cancel()
                broker.notify(other)

    # -- brackets ------------------------------------------------------------------------
    def take_children(self, order: Any) -> int | None:
        """The bracket ref ``order`` belongs to; None (and Rejected) if its parent is gone."""
        oref = order.ref
        pref = getattr(order.parent, "ref", oref)
        if oref != pref and pref not in self.children:
            order.reject(reason=f"parent order {pref} is not pending in this broker")
            self.broker.notify(order)
            return None
        return pref

    def bracketize(self, order: Any, cancel: bool = False) -> None:
        """After ``order`` completed or died: activate the children or cancel the rest."""
        oref = order.ref
        pref = getattr(order.parent, "ref", oref)
        group = self.children.get(pref)
        if group is None:  # a lone order, or a bracket already dissolved
            return
        if cancel or oref != pref:
            broker = self.broker
            while group:
                broker.cancel(group.popleft(), bracket=True)
            del self.children[pref]
        else:  # the parent executed: its children may now execute
            group.popleft()
            if group:
                self.broker._toactivate.extend(group)
            else:  # a lone order: nothing will come back for this group
                del self.children[pref]

    def refuse(self, order: Any, reason: str) -> None:
        """Reject ``order`` (risk limits) and the untransmitted members of its bracket."""
        order.reject(reason=reason)
        self.broker.notify(order)
        pref = getattr(order.parent, "ref", None)
        group = self.children.get(pref) if pref is not None else None
        if not group or any(o.status != o.Created for o in group):
            return
        del self.children[pref]
        for other in group:
            other.reject(reason=f"bracket member {order.ref} was rejected: {reason}")
            self.broker.notify(other)
