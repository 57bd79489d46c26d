"""Field layouts: a tiny declarative language for TWS messages.

A layout is a tuple of specs read or written in order: ``F`` (one field, optionally only
within a server-version range), ``When`` (a group present when a test on the values read so
far holds) and ``Rep`` (a count field followed by that many groups). The same layout both
encodes a dict of values into string fields and decodes string fields back into a dict, so
every message is described once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["F", "When", "Rep", "Spec", "ProtocolError", "encode_layout", "decode_layout",
           "UNSET_DOUBLE", "UNSET_INTEGER"]

UNSET_DOUBLE = 1.7976931348623157e308
UNSET_INTEGER = 2**31 - 1
_INFINITE = "Infinite"


class ProtocolError(ValueError):
    """A message that does not follow the TWS API layout (names the message and field)."""


@dataclass(frozen=True)
class F:
    """One field: ``kind`` is s (text), i (int), f (float), b (bool as 0/1), d (size, a float).

    Present when ``since <= version < until``.
    """

    name: str
    kind: str = "s"
    since: int = 0
    until: int = 1_000_000


@dataclass(frozen=True)
class When:
    """A group of specs present when ``test(values_so_far, version)`` is true."""

    test: Callable[[Mapping[str, Any], int], bool]
    body: tuple[Spec, ...]


@dataclass(frozen=True)
class Rep:
    """A count field, then that many groups, decoded as a list of dicts under ``name``."""

    name: str
    body: tuple[Spec, ...]
    since: int = 0


Spec = F | When | Rep


def _fmt_float(value: Any) -> str:
    x = float(value)
    if math.isinf(x) and x > 0:
        return _INFINITE
    if math.isnan(x):
        raise ValueError("NaN cannot be sent")
    return repr(x)


def _encode_value(kind: str, value: Any) -> str:
    if value is None:
        return "0" if kind == "b" else ""  # TWS always writes booleans as 0/1
    if kind == "s":
        text = str(value)
        if "\0" in text:
            raise ValueError("text contains NUL")
        return text
    if kind == "b":
        return "1" if value else "0"
    if kind == "i":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{value!r} is not an integer")
        return str(int(value))
    if kind in ("f", "d"):
        return _fmt_float(value)
    raise ValueError(f"unknown field kind {kind!r}")


def _decode_value(kind: str, text: str) -> Any:
    if kind == "s":
        return text
    if text == "":
        return None
    if kind == "i":
        return int(text)
    if kind == "b":
        return int(text) != 0
    if kind in ("f", "d"):
        return math.inf if text == _INFINITE else float(text)
    raise ValueError(f"unknown field kind {kind!r}")


def encode_layout(layout: tuple[Spec, ...], values: Mapping[str, Any], version: int,
                  where: str = "message") -> list[str]:
    """The string fields of ``values`` laid out by ``layout`` at server ``version``."""
    out: list[str] = []
    _encode_into(out, layout, values, version, where)
    return out


def _encode_into(out: list[str], layout: tuple[Spec, ...], values: Mapping[str, Any],
                 version: int, where: str) -> None:
    for spec in layout:
        if isinstance(spec, F):
            if spec.since <= version < spec.until:
                try:
                    out.append(_encode_value(spec.kind, values.get(spec.name)))
                except (TypeError, ValueError) as exc:
                    raise ProtocolError(f"{where}: field {spec.name}: {exc}") from exc
        elif isinstance(spec, When):
            if spec.test(values, version):
                _encode_into(out, spec.body, values, version, where)
        elif version >= spec.since:
            items = values.get(spec.name) or []
            out.append(str(len(items)))
            for item in items:
                _encode_into(out, spec.body, item, version, f"{where}.{spec.name}")


def decode_layout(layout: tuple[Spec, ...], fields: list[str], version: int,
                  where: str = "message", start: int = 0) -> tuple[dict[str, Any], int]:
    """Decode ``fields[start:]`` by ``layout``; (values, index after the last field read)."""
    values: dict[str, Any] = {}
    it = _Cursor(fields, start, where)
    _decode_into(values, layout, it, version, where)
    return values, it.pos


class _Cursor:
    def __init__(self, fields: list[str], pos: int, where: str) -> None:
        self.fields, self.pos, self.where = fields, pos, where

    def take(self, name: str) -> str:
        if self.pos >= len(self.fields):
            raise ProtocolError(f"{self.where}: message ends before field {name}")
        self.pos += 1
        return self.fields[self.pos - 1]


def _decode_into(values: dict[str, Any], layout: tuple[Spec, ...], it: _Cursor, version: int,
                 where: str) -> None:
    for spec in layout:
        if isinstance(spec, F):
            if spec.since <= version < spec.until:
                text = it.take(spec.name)
                try:
                    values[spec.name] = _decode_value(spec.kind, text)
                except ValueError as exc:
                    raise ProtocolError(f"{where}: field {spec.name}: bad value {text!r}") from exc
        elif isinstance(spec, When):
            if spec.test(values, version):
                _decode_into(values, spec.body, it, version, where)
        elif version >= spec.since:
            text = it.take(spec.name)
            try:
                count = int(text or 0)
            except ValueError as exc:
                raise ProtocolError(f"{where}: count of {spec.name}: bad value {text!r}") from exc
            if count < 0:
                raise ProtocolError(f"{where}: count of {spec.name} is negative ({count})")
            items = []
            for _ in range(count):
                item: dict[str, Any] = {}
                _decode_into(item, spec.body, it, version, f"{where}.{spec.name}")
                items.append(item)
            values[spec.name] = items


def names(layout: tuple[Spec, ...]) -> Iterator[str]:
    """Every field name a layout can carry (for tests and defaults)."""
    for spec in layout:
        if isinstance(spec, F):
            yield spec.name
        elif isinstance(spec, When):
            yield from names(spec.body)
        else:
            yield spec.name
