"""Recorded traces of a Visual Chart session: record every call and event at the seam, replay them.

A trace is a UTF-8 JSON-lines file. Line 1 is the header
``{"format": "tradebridge-vc-trace", "version": 1, ...}``; every further line is one record:

* ``{"kind": "call", "target": ..., "verb": ..., "args": {...}, "result": ...}`` (or
  ``"error": "text"`` instead of ``"result"`` when the call failed);
* ``{"kind": "event", "source": ..., "name": ..., "args": {...}}``.

Values are the seam's plain values; a datetime is written ``{"$datetime": "<iso>"}`` and a
non-finite float ``{"$float": "nan"}``. Nothing secret is written: keys that look like
credentials are dropped and every string given in ``secrets`` is replaced by ``***``.

:class:`RecordingBackend` wraps any backend (on Windows, the comtypes one) and writes its
trace; :class:`ReplayBackend` plays a trace back as a backend: calls must come in the recorded
order with the recorded arguments (compared as written, so give it the recording's
``secrets``) and get the recorded results, and each event is released
by ``pump`` once every call recorded before it has been made. A Windows user's capture thus
becomes a test on any system.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from tradebridge.live.journal import _without_secret_keys

from .seam import ComBackend, ComCallError, ComEvent, VCError, check_call, check_event

__all__ = ["TRACE_FORMAT", "TRACE_VERSION", "RecordingBackend", "ReplayBackend", "TraceError",
           "TraceMismatchError", "decode", "encode", "read_trace"]

TRACE_FORMAT = "tradebridge-vc-trace"
TRACE_VERSION = 1


class TraceError(VCError):
    """A trace file that cannot be read; the message names the file and line."""


class TraceMismatchError(VCError):
    """A replayed session did not make the call the trace recorded next; names the file and line."""


def encode(value: Any) -> Any:
    """A plain value as JSON-ready data (datetimes and non-finite floats tagged)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, _dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    raise TypeError(f"a {type(value).__name__} is not a plain value the seam carries: {value!r}")


def decode(value: Any) -> Any:
    """The plain value ``encode`` wrote."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and "$datetime" in value:
            return _dt.datetime.fromisoformat(value["$datetime"])
        if len(value) == 1 and "$float" in value:
            return float(value["$float"])
        return {k: decode(v) for k, v in value.items()}
    return value


def _dump(record: Any, secrets: Iterable[str]) -> str:
    """One record as a JSON line: credential-like keys dropped, each secret written ``***``."""
    text = json.dumps(encode(_without_secret_keys(record)), ensure_ascii=False, sort_keys=True)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(json.dumps(secret, ensure_ascii=False)[1:-1], "***")
    return text


class RecordingBackend(ComBackend):
    """Any backend, with every call and event written to a trace file as it happens."""

    def __init__(self, inner: ComBackend, path: str | Path, secrets: Iterable[str] = ()) -> None:
        self.inner = inner
        self.path = Path(path)
        self._secrets = tuple(secrets)
        self._lock = threading.Lock()
        self._file: IO[str] | None = self.path.open("w", encoding="utf-8")
        header = {"format": TRACE_FORMAT, "version": TRACE_VERSION, "backend": type(inner).__name__,
                  "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
        self._write(header)

    def _write(self, record: Mapping[str, Any]) -> None:
        text = _dump(record, self._secrets)
        with self._lock:
            if self._file is None:
                raise TraceError(f"{self.path}: the recording is closed")
            self._file.write(text + "\n")
            self._file.flush()

    def connect(self) -> None:
        self.inner.connect()

    def call(self, target: str, verb: str, **args: Any) -> Any:
        """Call the inner backend and record the call with its result or error."""
        record: dict[str, Any] = {"kind": "call", "target": target, "verb": verb, "args": args}
        try:
            result = self.inner.call(target, verb, **args)
        except ComCallError as exc:
            self._write({**record, "error": str(exc)})
            raise
        self._write({**record, "result": result})
        return result

    def pump(self, timeout: float) -> list[ComEvent]:
        """Pump the inner backend and record each event."""
        events = self.inner.pump(timeout)
        for event in events:
            self._write({"kind": "event", "source": event.source, "name": event.name, "args": event.args})
        return events

    def wake(self) -> None:
        self.inner.wake()

    def close(self) -> None:
        self.inner.close()
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def _header(path: Path, line: str) -> None:
    try:
        header = json.loads(line)
    except ValueError as exc:
        raise TraceError(f"{path}:1: not a trace header ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != TRACE_FORMAT:
        raise TraceError(f"{path}:1: not a {TRACE_FORMAT} file")
    version = header.get("version")
    if not isinstance(version, int) or not 1 <= version <= TRACE_VERSION:
        raise TraceError(f"{path}:1: trace version {version!r} is not supported "
                         f"(this reads 1..{TRACE_VERSION})")


def _record(path: Path, lineno: int, line: str) -> tuple[int, dict[str, Any]]:
    """One checked record with its line number; :class:`TraceError` naming file and line otherwise."""
    where = f"{path}:{lineno}"
    try:
        raw = json.loads(line)
    except ValueError as exc:
        raise TraceError(f"{where}: not JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise TraceError(f"{where}: a record must be a JSON object")
    kind = raw.get("kind")
    try:
        if kind == "call":
            if not isinstance(raw.get("args"), dict) or ("result" in raw) == ("error" in raw):
                raise ComCallError("a call needs args and exactly one of result or error")
            check_call(str(raw.get("target")), str(raw.get("verb")), raw["args"])
        elif kind == "event":
            if not isinstance(raw.get("args"), dict):
                raise ComCallError("an event needs args")
            check_event(str(raw.get("source")), str(raw.get("name")), raw["args"])
        else:
            raise ComCallError(f"unknown record kind {kind!r} (call or event)")
    except ComCallError as exc:
        raise TraceError(f"{where}: {exc}") from None
    return lineno, decode(raw)


def read_trace(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """Every record of a trace file with its line number, checked; blank lines are skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TraceError(f"{path}: cannot read the trace ({exc})") from None
    if not lines:
        raise TraceError(f"{path}:1: empty file, no trace header")
    _header(path, lines[0])
    return [_record(path, n, line) for n, line in enumerate(lines[1:], start=2) if line.strip()]


class ReplayBackend(ComBackend):
    """A recorded trace played back as a backend (see the module docstring)."""

    def __init__(self, path: str | Path, secrets: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self._secrets = tuple(secrets)  # the recording's: calls are compared as they were written
        self._records = read_trace(self.path)
        self._calls = [i for i, (_, r) in enumerate(self._records) if r["kind"] == "call"]
        self._next_call = 0  # index into _calls
        self._next_event = 0  # index into _records
        self._woken = False
        self._cond = threading.Condition()

    def connect(self) -> None:
        """Nothing to connect: the trace is the server."""

    def _barrier(self) -> int:
        """Index of the first call not yet replayed (events before it may be released)."""
        return self._calls[self._next_call] if self._next_call < len(self._calls) else len(self._records)

    def call(self, target: str, verb: str, **args: Any) -> Any:
        """The recorded result of the next recorded call, which must be this one."""
        check_call(target, verb, args)
        with self._cond:
            if self._next_call >= len(self._calls):
                raise TraceMismatchError(f"{self.path}: the trace has no more calls, got {target}.{verb}")
            lineno, record = self._records[self._calls[self._next_call]]
            got = decode(json.loads(_dump(args, self._secrets)))
            expected = (record["target"], record["verb"], record["args"])
            if expected != (target, verb, got):
                raise TraceMismatchError(
                    f"{self.path}:{lineno}: expected {expected[0]}.{expected[1]}({expected[2]!r}), "
                    f"got {target}.{verb}({got!r})")
            self._next_call += 1
            self._cond.notify_all()
        if "error" in record:
            raise ComCallError(record["error"])
        return record["result"]

    def pump(self, timeout: float) -> list[ComEvent]:
        """The recorded events up to the next call not yet made; waits up to ``timeout`` when none."""
        with self._cond:
            if not self._ready() and not self._woken and timeout > 0:
                self._cond.wait_for(lambda: self._woken or self._ready(), timeout)
            self._woken = False
            events = []
            while self._next_event < self._barrier():
                _, record = self._records[self._next_event]
                self._next_event += 1
                if record["kind"] == "event":
                    events.append(ComEvent(record["source"], record["name"], record["args"]))
            return events

    def wake(self) -> None:
        """End a waiting ``pump`` (or the next one) at once."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def _ready(self) -> bool:
        barrier = self._barrier()
        return any(self._records[i][1]["kind"] == "event" for i in range(self._next_event, barrier))

    @property
    def finished(self) -> bool:
        """Whether every recorded call was made and every recorded event pumped."""
        rest = self._records[self._next_event:]
        return self._next_call >= len(self._calls) and all(r["kind"] != "event" for _, r in rest)

    def close(self) -> None:
        """Nothing to release."""
