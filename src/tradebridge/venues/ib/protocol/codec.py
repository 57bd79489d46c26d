"""Sans-IO TWS API codec: framing, the connect handshake, and message encode/decode.

Wire format: every message is a 4-byte big-endian length followed by NUL-terminated text
fields, the first being the message id. A connection opens with ``API\\0`` plus one framed
field ``v<min>..<max>[ options]``; the server answers with its version and connection time,
then the client sends startApi. ``ServerProtocol`` turns received bytes into events and
events into bytes; the socket layer only moves bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

from .layout import ProtocolError, decode_layout, encode_layout
from .requests import REQUEST_IDS, REQUESTS
from .responses import RESPONSE_NAMES, RESPONSES, VERSIONS

__all__ = [
    "MIN_VERSION", "MAX_VERSION", "MAX_FRAME", "Hello", "Request", "BadRequest", "FrameReader",
    "ServerProtocol", "frame", "pack_fields", "split_fields", "parse_hello", "hello_bytes",
    "negotiate", "encode_request", "decode_request", "encode_response", "decode_response",
]

MIN_VERSION = 157
MAX_VERSION = 178
MAX_FRAME = 16 * 1024 * 1024
_PREFIX = b"API\0"
_LEN = struct.Struct(">I")


def frame(payload: bytes) -> bytes:
    """``payload`` with its 4-byte big-endian length prefix."""
    return _LEN.pack(len(payload)) + payload


def pack_fields(fields: list[str]) -> bytes:
    """Fields as NUL-terminated text (UTF-8), unframed."""
    return "".join(f"{f}\0" for f in fields).encode()


def split_fields(payload: bytes) -> list[str]:
    """The text fields of one frame's payload (the trailing terminator dropped)."""
    text = payload.decode(errors="backslashreplace")
    if not text:
        return []
    if not text.endswith("\0"):
        raise ProtocolError("frame does not end with a NUL field terminator")
    return text[:-1].split("\0")


class FrameReader:
    """Accumulates bytes and yields complete frame payloads."""

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self._buf = bytearray()
        self.max_frame = max_frame

    def feed(self, data: bytes) -> None:
        """Append received bytes."""
        self._buf += data

    def take_raw(self, n: int) -> bytes | None:
        """The next ``n`` raw bytes (for the unframed ``API\\0`` prefix), or None if short."""
        if len(self._buf) < n:
            return None
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def next_frame(self) -> bytes | None:
        """The next complete payload, or None when more bytes are needed."""
        if len(self._buf) < 4:
            return None
        (size,) = _LEN.unpack_from(self._buf)
        if size > self.max_frame:
            raise ProtocolError(f"frame of {size} bytes exceeds the limit of {self.max_frame}")
        if len(self._buf) < 4 + size:
            return None
        payload = bytes(self._buf[4:4 + size])
        del self._buf[:4 + size]
        return payload


@dataclass(frozen=True)
class Hello:
    """The client's opening: the version range it speaks and its connect options."""

    min_version: int
    max_version: int
    options: str = ""


@dataclass(frozen=True)
class Request:
    """One decoded client message."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
    msg_id: int = 0


@dataclass(frozen=True)
class BadRequest:
    """A client message that could not be decoded; ``values`` holds what was read."""

    msg_id: int
    reason: str
    values: dict[str, Any] = field(default_factory=dict)


def parse_hello(payload: bytes) -> Hello:
    """Parse the ``v<min>..<max>[ options]`` payload of the opening frame."""
    text = payload.decode(errors="replace").rstrip("\0")
    head, _, options = text.partition(" ")
    lo, sep, hi = head.removeprefix("v").partition("..")
    if not head.startswith("v") or not sep or not lo.isdigit() or not hi.isdigit():
        raise ProtocolError(f"bad handshake {text!r}: expected 'v<min>..<max>[ options]'")
    return Hello(int(lo), int(hi), options)


def hello_bytes(min_version: int = MIN_VERSION, max_version: int = MAX_VERSION,
                options: str = "") -> bytes:
    """The client's opening bytes (for tests and tools)."""
    text = f"v{min_version}..{max_version}" + (f" {options}" if options else "")
    return _PREFIX + frame(text.encode())


def negotiate(hello: Hello, lo: int = MIN_VERSION, hi: int = MAX_VERSION) -> int:
    """The highest version both sides speak; ProtocolError when the ranges do not meet."""
    version = min(hello.max_version, hi)
    if version < max(hello.min_version, lo):
        raise ProtocolError(f"client speaks v{hello.min_version}..{hello.max_version}, "
                            f"the sandbox v{lo}..{hi}: no common version")
    return version


def _with_versions(name: str, values: dict[str, Any]) -> dict[str, Any]:
    fixed = VERSIONS.get(name)
    return values if fixed is None or "version" in values else {**values, "version": fixed}


def encode_response(name: str, values: dict[str, Any], version: int) -> bytes:
    """One framed server message ``name`` with ``values`` at server ``version``."""
    try:
        msg_id, layout = RESPONSES[name]
    except KeyError:
        raise ProtocolError(f"unknown response message {name!r}") from None
    fields = [str(msg_id), *encode_layout(layout, _with_versions(name, values), version, name)]
    return frame(pack_fields(fields))


def decode_response(fields: list[str], version: int) -> tuple[str, dict[str, Any]]:
    """(name, values) of one server message's fields (the client side, for tests)."""
    msg_id = _msg_id(fields)
    name = RESPONSE_NAMES.get(msg_id)
    if name is None:
        raise ProtocolError(f"unknown response message id {msg_id}")
    values, end = decode_layout(RESPONSES[name][1], fields, version, name, start=1)
    _check_consumed(name, fields, end)
    return name, values


def encode_request(name: str, values: dict[str, Any], version: int) -> bytes:
    """One framed client message (the client side, for tests and tools)."""
    msg_id = REQUEST_IDS.get(name)
    if msg_id is None:
        raise ProtocolError(f"unknown request message {name!r}")
    values = values if "version" in values else {**values, "version": 1}
    fields = [str(msg_id), *encode_layout(REQUESTS[msg_id][1], values, version, name)]
    return frame(pack_fields(fields))


def decode_request(fields: list[str], version: int) -> Request | BadRequest:
    """Decode one client message; a BadRequest (never an exception) when it is malformed."""
    try:
        msg_id = _msg_id(fields)
    except ProtocolError as exc:
        return BadRequest(0, str(exc))
    entry = REQUESTS.get(msg_id)
    if entry is None:
        return BadRequest(msg_id, f"message id {msg_id} is not supported by the sandbox")
    name, layout = entry
    try:
        values, end = decode_layout(layout, fields, version, name, start=1)
    except ProtocolError as exc:
        partial: dict[str, Any] = {}
        if name == "placeOrder" and len(fields) > 1 and fields[1].lstrip("-").isdigit():
            partial["orderId"] = int(fields[1])
        return BadRequest(msg_id, str(exc), partial)
    # clients may append fields newer than our version; tolerated like TWS does
    return Request(name, values, msg_id)


def _msg_id(fields: list[str]) -> int:
    if not fields or not fields[0].isdigit():
        raise ProtocolError(f"message without a numeric id: {fields[:1]!r}")
    return int(fields[0])


def _check_consumed(name: str, fields: list[str], end: int) -> None:
    if end != len(fields):
        raise ProtocolError(f"{name}: {len(fields) - end} unexpected trailing field(s)")


class ServerProtocol:
    """The server side of one connection, without I/O.

    ``receive_data(bytes)`` returns events: a ``Hello`` first, then ``Request`` or
    ``BadRequest`` for each message. ``accept(hello, conn_time)`` returns the handshake reply;
    bytes received before it stay buffered until the next ``receive_data`` call.
    ``send(name, **values)`` returns the bytes of one message at the negotiated version.
    """

    def __init__(self, lo: int = MIN_VERSION, hi: int = MAX_VERSION) -> None:
        self._reader = FrameReader()
        self._lo, self._hi = lo, hi
        self._hello_seen = False
        self._awaiting_accept = False
        self.version = 0
        self.client_id: int | None = None

    def receive_data(self, data: bytes) -> list[Hello | Request | BadRequest]:
        """Feed received bytes; the complete events they finish."""
        self._reader.feed(data)
        events: list[Hello | Request | BadRequest] = []
        if not self._hello_seen:
            prefix = self._reader.take_raw(len(_PREFIX))
            if prefix is None:
                return events
            if prefix != _PREFIX:
                raise ProtocolError(f"connection does not start with 'API\\0' (got {prefix!r})")
            self._hello_seen = True
        while not self._awaiting_accept and (payload := self._reader.next_frame()) is not None:
            if not self.version:
                events.append(parse_hello(payload))
                self._awaiting_accept = True
                break
            try:
                fields = split_fields(payload)
            except ProtocolError as exc:
                events.append(BadRequest(0, str(exc)))
                continue
            event = decode_request(fields, self.version)
            if isinstance(event, Request) and event.name == "startApi":
                self.client_id = event.values.get("clientId")
            events.append(event)
        return events

    def accept(self, hello: Hello, conn_time: str) -> bytes:
        """Negotiate the version (ProtocolError if none) and return the handshake reply."""
        self.version = negotiate(hello, self._lo, self._hi)
        self._awaiting_accept = False
        return frame(pack_fields([str(self.version), conn_time]))

    def send(self, name: str, **values: Any) -> bytes:
        """The framed bytes of server message ``name``."""
        return encode_response(name, values, self.version)
