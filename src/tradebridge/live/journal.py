"""The journal: one SQLite file (WAL) per live strategy; what was sent, what happened, what was seen.

Every order sent, every status change, every fill (keyed by the venue's execution id, so a fill
is applied exactly once) and commission, the venue ids of each order and the last venue
execution/transaction id seen. Each write is committed before it returns, so a caller that
writes first and notifies the strategy second never tells the strategy anything the journal
could forget. Reopening a journal restores its order registry and client id sequence.

A new order costs one row on the path to the venue: its first status-log row (the status it was
recorded with, nothing the orders row does not say) is written with the next transaction, and a
journal reopened after a crash in between writes it from the orders row. The WAL is checkpointed
by the journal itself, after a transaction off that path (SQLite's automatic checkpoint, with its
fsyncs, would land on whichever commit crossed the size limit, often an order's).

Nothing secret is stored: keys of order details that look like credentials are dropped and any
secret the store hands over (``secrets=``) is replaced by ``***`` in every text written.

A journal belongs to the engine thread (like the Order objects it describes); venue threads
reach it only through the inbox.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .clientid import ClientIdGenerator, new_session, parse_client_id
from .paths import default_journal_path
from .reconcile import (
    Action,
    ApplyFill,
    LinkVenueIds,
    MarkOrder,
    RecordCommission,
    RecordExternalFill,
    SetCursor,
    TrackExternal,
)
from .registry import DuplicateOrderError, OrderRegistry
from .state import LocalState, OrderState, VenueExecution, VenueOrder, frozen_ids

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "Journal", "JournalError"]

APPLICATION_ID = 0x54427231  # "TBr1" in the SQLite header: this file is a tradebridge journal
SCHEMA_VERSION = 1
EXECUTIONS = "executions"  # the default cursor name
_CHECKPOINT_EVERY = 250  # transactions between WAL checkpoints (about SQLite's default 1000 pages)
_CHECKPOINT_ORDERS_ONLY = 4  # with orders alone, checkpoint on the order path after 4x as many
_LOG_STATUS = "INSERT INTO status_log(client_id, status, reason, ts) VALUES (?,?,?,?)"
_LOG_MISSING_FIRST = (  # orders a crash left without their first status-log row (deferred, see above)
    "INSERT INTO status_log(client_id, status, reason, ts) SELECT client_id, status, reason, ts FROM orders"
    " WHERE client_id IN (SELECT client_id FROM orders EXCEPT SELECT client_id FROM status_log) ORDER BY ts")
_SECRET_KEY = re.compile(r"pass|secret|token|auth|credential|api.?key|private", re.I)

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE orders(
  client_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, instrument TEXT NOT NULL, size REAL NOT NULL,
  filled REAL NOT NULL DEFAULT 0, status TEXT NOT NULL, external INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '', details TEXT NOT NULL DEFAULT '{}', ts REAL NOT NULL);
CREATE TABLE venue_ids(
  kind TEXT NOT NULL, venue_id TEXT NOT NULL, client_id TEXT NOT NULL REFERENCES orders(client_id),
  PRIMARY KEY(kind, venue_id));
CREATE TABLE status_log(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL REFERENCES orders(client_id),
  status TEXT NOT NULL, reason TEXT NOT NULL, ts REAL NOT NULL);
CREATE TABLE fills(
  exec_id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES orders(client_id),
  instrument TEXT NOT NULL, size REAL NOT NULL, price REAL NOT NULL, venue_time REAL,
  external INTEGER NOT NULL, ts REAL NOT NULL);
CREATE TABLE commissions(exec_id TEXT PRIMARY KEY, commission REAL NOT NULL, ts REAL NOT NULL);
CREATE TABLE cursors(name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _without_secret_keys(value: Any) -> Any:
    """``value`` with every credential-like key dropped, at any depth of mappings and lists."""
    if isinstance(value, Mapping):
        return {str(k): _without_secret_keys(v) for k, v in value.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(value, list | tuple):
        return [_without_secret_keys(v) for v in value]
    return value


class JournalError(RuntimeError):
    """The journal file cannot be used (corrupt, foreign, too new); the message names the path."""


class Journal:
    """A live strategy's SQLite journal, with the order registry it restores."""

    def __init__(self, path: str | Path | None = None, strategy: str = "strategy",
                 secrets: Iterable[str] = (), synchronous: str = "NORMAL",
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path) if path is not None else default_journal_path(strategy)
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._clock = clock
        self._pending: list[Callable[[], object]] = []
        self._unlogged: list[tuple[str, str, str, float]] = []  # first status rows still to write
        self._commits = 0  # transactions since the last checkpoint
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = self._open(synchronous)
        self.session = self._meta("session")
        self.registry = OrderRegistry()
        self._ids = ClientIdGenerator(self.session, self._restore())

    # -- opening ---------------------------------------------------------------------------------
    def _open(self, synchronous: str) -> sqlite3.Connection:
        """Connect, check the file is ours and current, create the schema in a new file."""
        if synchronous.upper() not in ("FULL", "NORMAL", "EXTRA"):
            raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, got {synchronous!r}")
        db = sqlite3.connect(self.path, timeout=0.2, isolation_level=None, check_same_thread=False)
        try:
            self._lock(db)
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id == 0 and tables == 0:
                self._create(db)
            elif app_id != APPLICATION_ID:
                raise JournalError(f"{self.path} is a SQLite database but not a tradebridge journal; "
                                   "choose another journal path (the file was not changed)")
            elif version > SCHEMA_VERSION:
                raise JournalError(f"{self.path} is a journal of schema {version}, newer than this "
                                   f"tradebridge understands ({SCHEMA_VERSION}); upgrade tradebridge")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={synchronous.upper()}")
            db.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run off the order path (_tx)
            db.execute("PRAGMA foreign_keys=ON")
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check}")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise JournalError(
                f"{self.path} cannot be opened as a tradebridge journal: {exc} (corrupt, or not a "
                "SQLite file); move it away or choose another path") from exc
        except JournalError:
            db.close()
            raise
        return db

    def _lock(self, db: sqlite3.Connection) -> None:
        """Hold the file exclusively while open: two live instances must never share a journal."""
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            db.execute("BEGIN EXCLUSIVE")
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            raise JournalError(
                f"{self.path} is in use by another process (is this strategy already running?); "
                "stop it first or choose another journal path") from exc

    def _create(self, db: sqlite3.Connection) -> None:
        """Write the schema and the session token into a new file (one transaction)."""
        db.execute("BEGIN IMMEDIATE")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("session", new_session()), ("created", repr(self._clock())),
            ("schema", str(SCHEMA_VERSION))])
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute("COMMIT")

    def _meta(self, key: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        if row is None:
            raise JournalError(f"{self.path} has no {key!r} entry: the journal is damaged")
        return row[0]

    def _restore(self) -> int:
        """Rebuild the registry from the file; returns the last client id number used."""
        links: dict[str, dict[str, str]] = {}
        for kind, venue_id, cid in self._db.execute("SELECT kind, venue_id, client_id FROM venue_ids"):
            links.setdefault(cid, {})[kind] = venue_id
        rows = self._db.execute(
            "SELECT client_id, instrument, size, filled, status, external, reason FROM orders ORDER BY ts")
        for cid, inst, size, filled, status, external, reason in rows:
            self.registry.add(OrderState(cid, inst, size, filled, status, frozen_ids(links.get(cid)),
                                         bool(external), reason))
        row = self._db.execute("SELECT max(seq) FROM orders").fetchone()
        with self._tx():
            self._db.execute(_LOG_MISSING_FIRST)
        return int(row[0] or 0)

    # -- transactions ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _tx(self, order_path: bool = False) -> Iterator[None]:
        """One durable transaction; registry updates queued inside run only after the commit.
        Off an order's path to the venue it also writes the deferred first status rows and,
        every ``_CHECKPOINT_EVERY`` transactions, checkpoints the WAL."""
        self._db.execute("BEGIN IMMEDIATE")
        flushed = 0 if order_path else len(self._unlogged)
        try:
            if flushed:
                self._db.executemany(_LOG_STATUS, self._unlogged)
            yield
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            self._pending.clear()
            raise
        del self._unlogged[:flushed]
        pending, self._pending = self._pending, []
        for update in pending:
            update()
        self._commits += 1
        if self._commits >= _CHECKPOINT_EVERY * (_CHECKPOINT_ORDERS_ONLY if order_path else 1):
            self._commits = 0
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _text(self, value: Any) -> str:
        """``value`` as text with every known secret replaced by ``***``."""
        text = value if isinstance(value, str) else str(value)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _details(self, details: Mapping[str, Any] | None) -> str:
        """Order details (e.g. ``order.info``) as JSON, without credential-like keys or known secrets."""
        return self._text(json.dumps(_without_secret_keys(details or {}), default=str, sort_keys=True))

    # -- client ids ------------------------------------------------------------------------------
    def next_client_id(self) -> str:
        """A client order id never used by this journal (record the order before sending it)."""
        return self._ids.next()

    def owns(self, client_id: str | None) -> bool:
        """Whether ``client_id`` was made by this journal's session."""
        return self._ids.owns(client_id)

    # -- writes (each committed before returning) -------------------------------------------------
    def record_order(self, client_id: str, instrument: str, size: float, order: Any = None,
                     status: str = "Submitted", details: Mapping[str, Any] | None = None) -> OrderState:
        """Record an order about to be sent (call before sending it); binds its Order object."""
        if client_id in self.registry:
            raise DuplicateOrderError(f"client id {client_id!r} is already in {self.path}")
        with self._tx(order_path=True):  # one row on the order's way to the venue
            self._insert_order(OrderState(client_id, instrument, size, status=status), details, defer=True)
        if order is not None:
            self.registry.attach(client_id, order)
        return self.registry.state(client_id)

    def _seq(self, client_id: str | None) -> int:
        """The number of one of this session's client ids, 0 for any other id."""
        parsed = parse_client_id(client_id)
        return parsed[1] if parsed and parsed[0] == self.session else 0

    def _insert_order(self, state: OrderState, details: Mapping[str, Any] | None,
                      defer: bool = False) -> None:
        # an "external" order with this session's id is ours, its record lost to a power cut:
        # its number stays used, so no new order ever gets the same id
        seq = self._seq(state.venue_client_id if state.external else state.client_id)
        if state.external and seq:
            self._pending.append(lambda: setattr(self._ids, "last", max(self._ids.last, seq)))
        now, reason = self._clock(), self._text(state.reason)
        self._db.execute(
            "INSERT INTO orders(client_id, seq, instrument, size, filled, status, external, reason,"
            " details, ts) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (state.client_id, seq, self._text(state.instrument), state.size, state.filled, state.status,
             int(state.external), reason, self._details(details), now))
        first = (state.client_id, state.status, reason, now)
        if defer:
            self._pending.append(lambda: self._unlogged.append(first))
        else:
            self._db.execute(_LOG_STATUS, first)
        if state.venue_ids:
            self._link_rows(state.client_id, state.venue_ids)
        self._pending.append(lambda: self.registry.add(state))

    def record_status(self, client_id: str, status: str, reason: str = "") -> OrderState:
        """Record a status change (with the venue's code/text as ``reason``)."""
        with self._tx():
            self._set_status(client_id, status, reason)
        return self.registry.state(client_id)

    def _require(self, client_id: str) -> None:
        """Raise KeyError unless ``client_id`` is journaled (inside a transaction: sees its writes)."""
        if self._db.execute("SELECT 1 FROM orders WHERE client_id=?", (client_id,)).fetchone() is None:
            raise KeyError(f"order {client_id!r} is not in the journal {self.path}")

    def _set_status(self, client_id: str, status: str, reason: str) -> None:
        self._require(client_id)
        reason = self._text(reason)
        self._db.execute("UPDATE orders SET status=?, reason=? WHERE client_id=?",
                         (status, reason, client_id))
        self._log_status(client_id, status, reason)
        self._pending.append(lambda: self.registry.change(client_id, status=status, reason=reason))

    def _log_status(self, client_id: str, status: str, reason: str) -> None:
        self._db.execute(_LOG_STATUS, (client_id, status, self._text(reason), self._clock()))

    def link(self, client_id: str, venue_ids: Mapping[str, Any]) -> OrderState:
        """Record the venue's ids of an order (IB orderId/permId, OANDA order/trade id)."""
        with self._tx():
            self._link_rows(client_id, frozen_ids(venue_ids))
            self._pending.append(lambda: self.registry.link(client_id, venue_ids))
        return self.registry.state(client_id)

    def _link_rows(self, client_id: str, venue_ids: Mapping[str, str]) -> None:
        self._require(client_id)
        self._db.executemany("INSERT OR REPLACE INTO venue_ids(kind, venue_id, client_id) VALUES (?,?,?)",
                             [(k, v, client_id) for k, v in venue_ids.items()])

    def record_fill(self, client_id: str, execution: VenueExecution, external: bool = False) -> bool:
        """Record a fill once; False if its execution id is already journaled (do not apply it)."""
        with self._tx():
            return self._insert_fill(client_id, execution, external)

    def _insert_fill(self, client_id: str, ex: VenueExecution, external: bool) -> bool:
        self._require(client_id)
        cur = self._db.execute(
            "INSERT OR IGNORE INTO fills(exec_id, client_id, instrument, size, price, venue_time,"
            " external, ts) VALUES (?,?,?,?,?,?,?,?)",
            (ex.exec_id, client_id, self._text(ex.instrument), ex.size, ex.price, ex.time,
             int(external), self._clock()))
        if cur.rowcount == 0:
            return False
        self._db.execute("UPDATE orders SET filled = filled + ? WHERE client_id=?", (ex.size, client_id))
        self._pending.append(
            lambda: self.registry.change(client_id, filled=self.registry.state(client_id).filled + ex.size))
        if ex.commission is not None:
            self._insert_commission(ex.exec_id, ex.commission)
        return True

    def record_commission(self, exec_id: str, commission: float) -> bool:
        """Record a fill's commission once; False if it already was."""
        with self._tx():
            return self._insert_commission(exec_id, commission)

    def _insert_commission(self, exec_id: str, commission: float) -> bool:
        cur = self._db.execute("INSERT OR IGNORE INTO commissions VALUES (?,?,?)",
                               (exec_id, commission, self._clock()))
        return cur.rowcount > 0

    def track_external(self, venue_order: VenueOrder) -> OrderState:
        """Record an order placed outside this strategy (tracked, never adopted); idempotent."""
        found = self.registry.match(venue_order.client_id, frozen_ids(venue_order.venue_ids))
        if found is not None:
            return found
        state = OrderRegistry().track_external(venue_order)
        with self._tx():
            self._insert_order(state, None)
        return state

    def set_cursor(self, value: str, name: str = EXECUTIONS) -> None:
        """Remember the newest venue execution/transaction id seen (``name`` per stream)."""
        with self._tx():
            self._set_cursor(value, name)

    def _set_cursor(self, value: str, name: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO cursors VALUES (?,?)", (name, str(value)))

    def commit(self, actions: Iterable[Action]) -> list[Action]:
        """Write reconciliation effects in one transaction; returns those that changed something."""
        done: list[Action] = []
        with self._tx():
            for action in actions:
                if action.mutates and self._effect(action):
                    done.append(action)
        return done

    def _effect(self, a: Action) -> bool:
        """Write one effect (inside a transaction); False when it was already recorded."""
        if isinstance(a, ApplyFill | RecordExternalFill):
            return self._insert_fill(a.client_id, a.execution, isinstance(a, RecordExternalFill))
        if isinstance(a, RecordCommission):
            return self._insert_commission(a.exec_id, a.commission)
        if isinstance(a, LinkVenueIds):
            self._link_rows(a.client_id, a.venue_ids)
            self._pending.append(lambda: self.registry.link(a.client_id, a.venue_ids))
        elif isinstance(a, MarkOrder):
            self._set_status(a.client_id, a.status, a.reason)
        elif isinstance(a, TrackExternal):
            if self._db.execute("SELECT 1 FROM orders WHERE client_id=?", (a.order.client_id,)).fetchone():
                return False
            self._insert_order(a.order, None)
        elif isinstance(a, SetCursor):
            self._set_cursor(a.cursor, EXECUTIONS)
        return True

    # -- reads -----------------------------------------------------------------------------------
    def cursor(self, name: str = EXECUTIONS) -> str | None:
        """The last venue execution/transaction id recorded (None if none yet)."""
        row = self._db.execute("SELECT value FROM cursors WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    def has_fill(self, exec_id: str) -> bool:
        """Whether a fill with this venue execution id is journaled."""
        return self._db.execute("SELECT 1 FROM fills WHERE exec_id=?", (exec_id,)).fetchone() is not None

    def commission(self, exec_id: str) -> float | None:
        """The commission recorded for an execution id (None if none yet)."""
        row = self._db.execute("SELECT commission FROM commissions WHERE exec_id=?", (exec_id,)).fetchone()
        return None if row is None else float(row[0])

    def fills(self, client_id: str | None = None) -> list[VenueExecution]:
        """Journaled fills in the order they were recorded (of one order, if given)."""
        sql = ("SELECT f.exec_id, f.instrument, f.size, f.price, f.client_id, c.commission, f.venue_time"
               " FROM fills f LEFT JOIN commissions c USING(exec_id)")
        args: tuple = ()
        if client_id is not None:
            sql, args = sql + " WHERE f.client_id=?", (client_id,)
        rows = self._db.execute(sql + " ORDER BY f.rowid", args).fetchall()
        return [VenueExecution(e, i, s, p, client_id=c, commission=m, time=t) for e, i, s, p, c, m, t in rows]

    def status_history(self, client_id: str) -> list[tuple[str, str]]:
        """Every ``(status, reason)`` an order went through, oldest first."""
        rows = self._db.execute("SELECT status, reason FROM status_log WHERE client_id=? ORDER BY seq",
                                (client_id,)).fetchall()
        return rows or [(status, reason) for cid, status, reason, _ in self._unlogged if cid == client_id]

    def positions(self, external: bool = False) -> dict[str, float]:
        """Net size per instrument from this strategy's fills (or from external ones)."""
        rows = self._db.execute(
            "SELECT instrument, sum(size) FROM fills WHERE external=? GROUP BY instrument", (int(external),))
        return {inst: size for inst, size in rows}

    def local_state(self, cash: float | None = None) -> LocalState:
        """What the journal knows, as reconciliation's input."""
        fills = frozenset(r[0] for r in self._db.execute("SELECT exec_id FROM fills"))
        comms = dict(self._db.execute("SELECT exec_id, commission FROM commissions").fetchall())
        return LocalState(orders=self.registry.states(), fills=fills, positions=self.positions(),
                          external_positions=self.positions(external=True), commissions=comms,
                          cash=cash, cursor=self.cursor())

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Write the deferred status rows, checkpoint the WAL into the main file and close."""
        with contextlib.suppress(sqlite3.Error):
            if self._unlogged:
                with self._tx():
                    pass
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Journal {self.path} session={self.session} orders={len(self.registry)}>"
