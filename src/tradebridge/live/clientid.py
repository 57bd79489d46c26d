"""tradebridge's own client order ids: ``tb-<session>-<n>``, sent to the venue with each order.

The session is a short random token chosen when a journal is created and kept in it, and ``n``
continues from the journal after a restart, so an id names one order forever: it survives
reconnects and restarts and is never reused. Ids use only ``[a-z0-9-]`` and stay far below the
venues' limits (IB ``orderRef``, OANDA ``clientExtensions.id``: 128 characters).
"""

from __future__ import annotations

import re
import secrets

__all__ = ["MAX_ID_LENGTH", "PREFIX", "ClientIdGenerator", "new_session", "parse_client_id"]

PREFIX = "tb"
MAX_ID_LENGTH = 128  # the tightest venue limit we target (OANDA clientExtensions.id)
_SESSION_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SESSION_RE = re.compile(r"[a-z0-9]{4,32}")
_ID_RE = re.compile(rf"{PREFIX}-([a-z0-9]{{4,32}})-([1-9][0-9]{{0,17}})")


def new_session(length: int = 8) -> str:
    """A fresh random session token (lowercase letters and digits)."""
    return "".join(secrets.choice(_SESSION_ALPHABET) for _ in range(length))


def parse_client_id(client_id: str | None) -> tuple[str, int] | None:
    """``(session, n)`` for a tradebridge client id, None for anything else (an external order)."""
    if not client_id:
        return None
    match = _ID_RE.fullmatch(client_id)
    return (match.group(1), int(match.group(2))) if match else None


class ClientIdGenerator:
    """Hands out ``tb-<session>-<n>`` ids, continuing after the last number already used."""

    def __init__(self, session: str, last: int = 0) -> None:
        if not _SESSION_RE.fullmatch(session):
            raise ValueError(f"client id session must be 4-32 of [a-z0-9], got {session!r}")
        if last < 0:
            raise ValueError(f"last used number must be >= 0, got {last}")
        self.session = session
        self.last = last

    def next(self) -> str:
        """The next unused id."""
        self.last += 1
        return self.format(self.last)

    def format(self, n: int) -> str:
        """The id with number ``n`` in this session."""
        return f"{PREFIX}-{self.session}-{n}"

    def owns(self, client_id: str | None) -> bool:
        """Whether ``client_id`` was made by this session (not by another strategy or by hand)."""
        parsed = parse_client_id(client_id)
        return parsed is not None and parsed[0] == self.session
