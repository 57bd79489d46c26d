"""Historical downloads IB accepts: split into requests, paced below IB's limits, cached on disk.

* :func:`plan_requests` cuts ``[start, end]`` into requests no longer than IB allows for the
  bar size (``endDateTime`` + ``durationStr``), oldest first.
* :class:`Pacer` says when each request may go, given a clock: at most 60 requests in 10
  minutes, no identical request within 15 s, at most 6 for one contract/exchange/what within
  2 s; after error 162 (pacing violation) it backs off before anything else goes.
* :class:`HistoryCache` keeps one SQLite file per contract/bar size/what/useRTH under the user
  data dir with the bars and the spans already downloaded, so a restart does not download twice;
  a corrupt file is reported (logged, ``BarStore.repaired``) and rebuilt, never crashed on.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import re
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...live.paths import user_data_dir
from ...utils.dates import as_utc
from .mapping import BAR_SECONDS, IBMappingError, ib_utc

__all__ = [
    "BarStore",
    "HistoryCache",
    "HistRequest",
    "ManualClock",
    "MAX_DURATION",
    "Pacer",
    "bar_seconds",
    "bar_tuple",
    "duration_str",
    "plan_downloads",
    "plan_requests",
]

log = logging.getLogger(__name__)

_DAY = 86400
# IB's longest request per bar size, in seconds (IB's "valid duration and bar size" table).
MAX_DURATION: dict[str, int] = {
    "1 secs": 1800, "5 secs": 3600, "10 secs": 14400, "15 secs": 14400, "30 secs": 28800,
    "1 min": _DAY, "2 mins": 2 * _DAY, "3 mins": 7 * _DAY, "5 mins": 7 * _DAY, "10 mins": 7 * _DAY,
    "15 mins": 7 * _DAY, "20 mins": 7 * _DAY, "30 mins": 30 * _DAY, "1 hour": 30 * _DAY,
    "2 hours": 30 * _DAY, "3 hours": 30 * _DAY, "4 hours": 30 * _DAY, "8 hours": 30 * _DAY,
    "1 day": 365 * _DAY, "1 week": 365 * _DAY, "1 month": 365 * _DAY,
}


def duration_str(seconds: float) -> str:
    """IB's durationStr covering ``seconds``: ``'N S'`` up to a day, then ``'N D'``, then ``'N Y'``."""
    if seconds <= 0:
        raise ValueError(f"a historical request must cover a positive duration, not {seconds} s")
    if seconds <= _DAY:
        return f"{math.ceil(seconds)} S"
    days = math.ceil(seconds / _DAY)
    return f"{days} D" if days < 365 else f"{math.ceil(days / 365)} Y"


@dataclass(frozen=True, slots=True)
class HistRequest:
    """One reqHistoricalData call: bars in ``(start, end]`` asked as ``endDateTime``/``durationStr``."""

    start: _dt.datetime
    end: _dt.datetime
    bar_size: str

    @property
    def duration(self) -> str:
        """IB's durationStr for this request."""
        return duration_str((self.end - self.start).total_seconds())

    @property
    def end_str(self) -> str:
        """IB's endDateTime for this request (explicit UTC)."""
        return ib_utc(self.end)

    def keys(self, contract: str, what: str, use_rth: bool) -> tuple[Any, Any]:
        """The (identity, contract) keys :class:`Pacer` counts this request under."""
        return (contract, self.end, self.duration, self.bar_size, what, use_rth), (contract, what)


def plan_requests(start: _dt.datetime, end: _dt.datetime, bar_size: str) -> list[HistRequest]:
    """Requests covering ``[start, end]`` (naive times are UTC), each within IB's limit, oldest first."""
    if bar_size not in MAX_DURATION:
        raise IBMappingError(f"bar size {bar_size!r} is not an IB bar size: {', '.join(MAX_DURATION)}")
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise ValueError(f"historical download: end {end.isoformat()} is not after start {start.isoformat()}")
    step = _dt.timedelta(seconds=MAX_DURATION[bar_size])
    requests: list[HistRequest] = []
    cursor = end
    while cursor > start:
        begin = max(start, cursor - step)
        requests.append(HistRequest(begin, cursor, bar_size))
        cursor = begin
    return requests[::-1]


class ManualClock:
    """A clock that moves only when told: for tests and dry-run planning."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward (never back)."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self.now += seconds


@dataclass(frozen=True, slots=True)
class _Sent:
    at: float
    identity: Any
    contract: Any


class Pacer:
    """When historical requests may go without a pacing violation (IB's three limits), given a clock.

    ``identity`` is everything that makes two requests identical (contract, end, duration, bar
    size, what, useRTH); ``contract`` is the contract/exchange/what key IB counts per 2 s.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, max_requests: int = 60,
                 window: float = 600.0, identical_gap: float = 15.0, per_contract: int = 6,
                 contract_window: float = 2.0, backoff: float = 15.0, max_backoff: float = 600.0) -> None:
        self.clock = clock
        self.max_requests, self.window = max_requests, window
        self.identical_gap = identical_gap
        self.per_contract, self.contract_window = per_contract, contract_window
        self.backoff, self.max_backoff = backoff, max_backoff
        self._sent: deque[_Sent] = deque()
        self._blocked_until = -math.inf
        self._violations = 0

    def earliest(self, identity: Any, contract: Any, now: float | None = None) -> float:
        """The earliest time (on the clock) at which this request may go."""
        t = self.clock() if now is None else now
        t = max(t, self._blocked_until)
        while True:
            moved = max(t, self._global_limit(t), self._identical_limit(identity),
                        self._contract_limit(contract, t))
            if moved == t:
                return t
            t = moved

    def delay(self, identity: Any, contract: Any) -> float:
        """Seconds to wait before sending this request (0 when it may go now)."""
        now = self.clock()
        return self.earliest(identity, contract, now) - now

    def record(self, identity: Any, contract: Any, at: float | None = None) -> None:
        """Note that the request was sent (at ``at``, default now)."""
        at = self.clock() if at is None else at
        self._sent.append(_Sent(at, identity, contract))
        horizon = at - max(self.window, self.identical_gap, self.contract_window)
        while self._sent and self._sent[0].at <= horizon:
            self._sent.popleft()

    def answered(self) -> None:
        """A request got its data: the next violation starts the back-off from the beginning."""
        self._violations = 0

    def violation(self, now: float | None = None) -> float:
        """Error 162 (pacing violation) arrived: hold everything back; returns when sending may resume.

        The hold doubles with each violation in a row (15 s, 30 s, ... up to ``max_backoff``).
        """
        now = self.clock() if now is None else now
        hold = min(self.max_backoff, self.backoff * 2 ** self._violations)
        self._violations += 1
        self._blocked_until = max(self._blocked_until, now + hold)
        return self._blocked_until

    def plan(self, requests: Sequence[tuple[Any, Any]], now: float | None = None) -> list[float]:
        """Send times for ``(identity, contract)`` pairs in order, recording each as sent then."""
        t = self.clock() if now is None else now
        times = []
        for identity, contract in requests:
            t = self.earliest(identity, contract, t)
            self.record(identity, contract, t)
            times.append(t)
        return times

    def _global_limit(self, t: float) -> float:
        recent = [s.at for s in self._sent if s.at > t - self.window]
        return recent[-self.max_requests] + self.window if len(recent) >= self.max_requests else t

    def _identical_limit(self, identity: Any) -> float:
        same = [s.at for s in self._sent if s.identity == identity]
        return same[-1] + self.identical_gap if same else -math.inf

    def _contract_limit(self, contract: Any, t: float) -> float:
        recent = [s.at for s in self._sent if s.contract == contract and s.at > t - self.contract_window]
        return recent[-self.per_contract] + self.contract_window if len(recent) >= self.per_contract else t


Bar = tuple[float, float, float, float, float, float]  # epoch seconds (UTC), open, high, low, close, volume

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bars (time REAL PRIMARY KEY, open REAL, high REAL, low REAL, close REAL,
                                 volume REAL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spans (start REAL NOT NULL, end REAL NOT NULL);
"""
_APP_ID = 0x54424948  # 'TBIH': tradebridge IB history


class BarStore:
    """One cache file: bars plus the spans already downloaded (merged, so lookups stay short)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.repaired: str | None = None  # why the file was rebuilt, if it was
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            self.repaired = f"history cache {path} was unreadable ({exc}); moved aside and rebuilt"
            log.warning(self.repaired)
            path.replace(path.with_name(path.name + f".corrupt-{int(time.time())}"))
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if app_id not in (0, _APP_ID) or (app_id == 0 and tables):
                raise sqlite3.DatabaseError("not a tradebridge history cache")
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
            with db:
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA application_id = {_APP_ID}")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def __enter__(self) -> BarStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def spans(self) -> list[tuple[float, float]]:
        """Downloaded spans (epoch seconds), sorted and merged."""
        return [(a, b) for a, b in self._db.execute("SELECT start, end FROM spans ORDER BY start")]

    def missing(self, start: float, end: float) -> list[tuple[float, float]]:
        """Parts of ``[start, end]`` not downloaded yet."""
        gaps, cursor = [], start
        for a, b in self.spans():
            if b <= cursor:
                continue
            if a >= end:
                break
            if a > cursor:
                gaps.append((cursor, a))
            cursor = max(cursor, b)
        if cursor < end:
            gaps.append((cursor, end))
        return gaps

    def store(self, bars: Iterable[Bar], start: float, end: float) -> None:
        """Save bars and mark ``[start, end]`` downloaded, in one transaction.

        Pass an ``end`` no later than the last *complete* bar, so a bar still forming is asked again.
        """
        if end < start:
            raise ValueError(f"span end {end} is before start {start}")
        merged = _merge(self.spans() + [(start, end)])
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO bars VALUES (?, ?, ?, ?, ?, ?)", list(bars))
            self._db.execute("DELETE FROM spans")
            self._db.executemany("INSERT INTO spans VALUES (?, ?)", merged)

    def bars(self, start: float, end: float) -> list[Bar]:
        """Cached bars with ``start <= time <= end``, oldest first."""
        sql = "SELECT * FROM bars WHERE time >= ? AND time <= ? ORDER BY time"
        rows = self._db.execute(sql, (start, end))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


class HistoryCache:
    """Where cache files live: ``<user data dir>/ib/history/<contract>_<bar>_<what>_<rth|all>.sqlite``."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else user_data_dir() / "ib" / "history"

    def path(self, contract: str, bar_size: str, what: str, use_rth: bool) -> Path:
        """The file for one contract (its canonical dataname), bar size, what and useRTH."""
        name = f"{contract}_{bar_size}_{what}_{'rth' if use_rth else 'all'}"
        return self.root / (re.sub(r"[^A-Za-z0-9.-]+", "_", name) + ".sqlite")

    def open(self, contract: str, bar_size: str, what: str, use_rth: bool) -> BarStore:
        """Open (creating or rebuilding) the cache file for this series."""
        return BarStore(self.path(contract, bar_size, what, use_rth))


def bar_seconds(bar_size: str) -> int:
    """Length of one IB bar in seconds (to clip a download at the last complete bar)."""
    return BAR_SECONDS[bar_size]


def plan_downloads(store: BarStore, start: _dt.datetime, end: _dt.datetime,
                   bar_size: str) -> list[HistRequest]:
    """Requests for the parts of ``[start, end]`` the cache does not hold yet, oldest first."""
    start, end = as_utc(start), as_utc(end)
    requests: list[HistRequest] = []
    for a, b in store.missing(start.timestamp(), end.timestamp()):
        gap = _dt.datetime.fromtimestamp(a, _dt.UTC), _dt.datetime.fromtimestamp(b, _dt.UTC)
        requests += plan_requests(*gap, bar_size)
    return requests


def bar_tuple(bar: Any) -> Bar:
    """A cache row from an ib_async ``BarData`` (daily bars' dates become midnight UTC)."""
    when = bar.date
    if not isinstance(when, _dt.datetime):
        when = _dt.datetime(when.year, when.month, when.day)
    return (as_utc(when).timestamp(), float(bar.open), float(bar.high), float(bar.low), float(bar.close),
            float(bar.volume))
