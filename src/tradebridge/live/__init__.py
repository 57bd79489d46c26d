"""The venue-independent live core: inbox, client ids, order registry, journal, reconciliation, backoff.

Every venue adapter (IB, OANDA, Visual Chart) maps its own events onto these pieces and holds
no policy of its own; ``docs/live.md`` describes the procedure.
"""

from .backoff import Backoff, ConnectTimeoutError, RetriesExhaustedError, retry
from .clientid import ClientIdGenerator, new_session, parse_client_id
from .inbox import Event, Inbox, InboxOverflowError, Kind
from .journal import Journal, JournalError
from .paths import default_journal_path, user_data_dir
from .reconcile import (
    Action,
    ApplyFill,
    CashMismatch,
    LinkVenueIds,
    MarkOrder,
    PositionMismatch,
    RecordCommission,
    RecordExternalFill,
    SetCursor,
    SkipFill,
    TrackExternal,
    apply_actions,
    effects,
    reconcile,
)
from .registry import DuplicateOrderError, OrderRegistry, external_key
from .state import LocalState, OrderState, VenueExecution, VenueOrder, VenueSnapshot

__all__ = [
    "Action", "ApplyFill", "Backoff", "CashMismatch", "ClientIdGenerator", "ConnectTimeoutError",
    "DuplicateOrderError", "Event", "Inbox", "InboxOverflowError", "Journal", "JournalError", "Kind",
    "LinkVenueIds", "LocalState", "MarkOrder", "OrderRegistry", "OrderState", "PositionMismatch",
    "RecordCommission", "RecordExternalFill", "RetriesExhaustedError", "SetCursor", "SkipFill",
    "TrackExternal", "VenueExecution", "VenueOrder", "VenueSnapshot", "apply_actions",
    "default_journal_path", "effects", "external_key", "new_session", "parse_client_id", "reconcile",
    "retry", "user_data_dir",
]
