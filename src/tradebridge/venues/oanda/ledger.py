"""The account balance as the transactions applied explain it: OANDA's cash check (sans-IO).

OANDA's ``marginAvailable`` (the broker's cash) floats with every price through the unrealized
P/L, so comparing it with a local figure reports noise. The balance moves only by transactions;
a balance that the applied transactions do not explain means a transaction was missed or doubled,
or the account changed without one. The ledger starts from an account summary of this run (the
first snapshot of a run is its starting point, never compared) and follows each transaction once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import models as m

__all__ = ["BALANCE_FIELDS", "Ledger", "balance_change"]

# How each v20 transaction type moves the balance: its amount fields with their sign.
BALANCE_FIELDS: dict[str, tuple[tuple[str, int], ...]] = {
    "ORDER_FILL": (("pl", 1), ("financing", 1), ("commission", -1), ("guaranteedExecutionFee", -1)),
    "DAILY_FINANCING": (("financing", 1),),
    "TRANSFER_FUNDS": (("amount", 1),),
    "DIVIDEND_ADJUSTMENT": (("dividendAdjustment", 1),),
}


def balance_change(txn: m.Transaction) -> Decimal:
    """The amount by which ``txn`` moved the account balance (0 for types that do not)."""
    fields = BALANCE_FIELDS.get(txn.type)
    if not fields:
        return Decimal(0)
    data = txn.to_json()
    total = Decimal(0)
    for name, sign in fields:
        value = data.get(name)
        if value is None:
            continue
        try:
            total += sign * Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"{txn.type} transaction {txn.id}: {name} is not an amount: {value!r}") from None
    return total


@dataclass(frozen=True, slots=True)
class BalanceMismatch:
    """OANDA's balance differs from the one the applied transactions explain."""

    venue: Decimal
    expected: Decimal
    as_of: int

    @property
    def message(self) -> str:
        return (f"cash mismatch: OANDA's balance {self.venue:.2f} at transaction {self.as_of}, the "
                f"transactions applied explain {self.expected:.2f} (difference "
                f"{self.venue - self.expected:+.2f}: a change this run never saw a transaction for)")


class Ledger:
    """The balance as of a transaction id, moved by each later transaction once.

    It starts from the first account summary of a run, or from the figure the journal kept for
    the previous run (``restore``), and then moves only by the transactions applied; a summary
    taken at the same transaction id is compared with it (``check``).
    """

    def __init__(self) -> None:
        self.balance: Decimal | None = None
        self.as_of = 0

    def state(self) -> str:
        """The ledger as text for the journal: ``"<transaction id>:<balance>"``."""
        return f"{self.as_of}:{self.balance}"

    def restore(self, text: str | None, cursor: str | None) -> None:
        """Start from a journaled ``state()`` when it is not ahead of the journal's cursor."""
        if not text or cursor is None or self.balance is not None:
            return
        as_of, _, balance = text.partition(":")
        try:
            if int(as_of) <= int(cursor):  # ahead: the cursor write was lost; start from OANDA's
                self.balance, self.as_of = Decimal(balance), int(cursor)
        except (ValueError, InvalidOperation):
            raise ValueError(f"journaled OANDA balance is not '<id>:<amount>': {text!r}") from None

    def apply(self, txn: m.Transaction) -> bool:
        """Move the balance by ``txn`` unless already counted; whether the balance changed."""
        if self.balance is None or int(txn.id) <= self.as_of:
            return False
        change = balance_change(txn)
        self.balance += change
        self.as_of = int(txn.id)
        return txn.type in BALANCE_FIELDS

    def check(self, summary: m.AccountSummary, txns: Iterable[m.Transaction] = (),
              tolerance: float = 0.01) -> BalanceMismatch | None:
        """Move by ``txns`` up to the summary's id, compare when the ledger is at that id, then
        move by the rest of ``txns`` (all of them are handed over with the snapshot).

        The first summary starts the ledger; a mismatch is reported once (OANDA's figure is
        taken). A summary ahead of the transactions applied is not compared: they will follow.
        """
        if summary.balance is None or not summary.last_transaction_id:
            return None
        upto, venue = int(summary.last_transaction_id), Decimal(summary.balance)
        ordered = sorted(txns, key=lambda t: int(t.id))
        found = None
        if self.balance is None:  # the run's starting point
            self.balance, self.as_of = venue, upto
        else:
            for txn in ordered:
                if int(txn.id) <= upto:
                    self.apply(txn)
            if self.as_of == upto and abs(venue - self.balance) > Decimal(str(tolerance)):
                found = BalanceMismatch(venue, self.balance, upto)
                self.balance = venue
        for txn in ordered:  # those after the summary: handed over with it, never through apply
            self.apply(txn)
        return found
