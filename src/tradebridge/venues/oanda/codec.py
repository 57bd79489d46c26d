"""JSON <-> dataclass machinery under :mod:`.models`: one field table per model, built from type hints.

Attributes are snake_case; the v20 key is derived by :func:`camel` (``last_transaction_id`` ->
``lastTransactionID``). v20 sends numbers as decimal strings: fields typed ``Decimal`` parse them
exactly and are written back with their original digits. Keys a model does not know are kept
in ``extra`` and written back unchanged, so a payload survives a round trip even when OANDA
adds fields. A wrong type raises :class:`ModelError` naming the model and the field path.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Self

__all__ = ["Model", "ModelError", "camel", "fields_of"]

# snake_case segments that v20 spells as acronyms (only after the first segment).
_ACRONYMS = {"id": "ID", "ids": "IDs", "nav": "NAV", "pl": "PL", "vwap": "VWAP"}


def camel(name: str) -> str:
    """The v20 key of a snake_case attribute: ``trade_ids`` -> ``tradeIDs``, ``nav`` -> ``NAV``."""
    head, *rest = name.split("_")
    if head == "nav":
        head = "NAV"
    return head + "".join(_ACRONYMS.get(part, part.capitalize()) for part in rest)


class ModelError(ValueError):
    """A payload that does not fit its model: names the model and the field path."""

    def __init__(self, model: str, path: str, problem: str) -> None:
        self.model, self.path, self.problem = model, path, problem
        where = f"{model}.{path}" if path else model
        super().__init__(f"{where}: {problem}")


class _Bad(Exception):
    """Internal: a value problem at ``path`` (relative to the current model)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path, self.problem = path, problem


@dataclasses.dataclass(frozen=True)
class _Field:
    attr: str
    key: str
    required: bool
    decode: Callable[[Any], Any]
    encode: Callable[[Any], Any]


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:60] + "..."
    return f"{text} ({type(value).__name__})"


def _dec_str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad("", f"expected a string, got {_describe(value)}")
    return value


def _dec_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad("", f"expected an integer, got {_describe(value)}")
    return value


def _dec_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("", f"expected true or false, got {_describe(value)}")
    return value


def _dec_decimal(value: Any) -> Decimal:
    # v20 sends decimal strings; an int is exact too; a float never came from v20 and is inexact.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Bad("", f"expected a decimal string, got {_describe(value)}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _Bad("", f"expected a decimal string, got {_describe(value)}") from None
    if not number.is_finite():
        raise _Bad("", f"expected a finite decimal, got {_describe(value)}")
    return number


def _enc_decimal(value: Any) -> str:
    if isinstance(value, float):
        value = Decimal(repr(value))
    return format(Decimal(value), "f")


def _same(value: Any) -> Any:
    return value


_SCALARS: dict[Any, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    str: (_dec_str, _same), int: (_dec_int, _same), bool: (_dec_bool, _same),
    Decimal: (_dec_decimal, _enc_decimal),
}


def _codec_for(hint: Any) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(decode, encode) for one type hint: scalars, models, tuples of them, optional (``X | None``)."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {hint!r}")
        dec, enc = _codec_for(inner[0])
        return (lambda v: None if v is None else dec(v)), (lambda v: None if v is None else enc(v))
    if origin is tuple:
        dec, enc = _codec_for(args[0])
        return _tuple_decoder(dec), (lambda v: [enc(x) for x in v])
    if origin in (Mapping, dict):
        return _mapping_decoder, (lambda v: dict(v))
    if hint in _SCALARS:
        return _SCALARS[hint]
    if isinstance(hint, type) and issubclass(hint, Model):
        return _model_decoder(hint), (lambda v: v.to_json())
    if hint is Any:
        return _same, _same
    raise TypeError(f"unsupported field type {hint!r}")


def _tuple_decoder(dec: Callable[[Any], Any]) -> Callable[[Any], tuple[Any, ...]]:
    def decode(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            raise _Bad("", f"expected a list, got {_describe(value)}")
        out = []
        for i, item in enumerate(value):
            try:
                out.append(dec(item))
            except _Bad as bad:
                raise _Bad(_join(f"[{i}]", bad.path), bad.problem) from None
        return tuple(out)
    return decode


def _mapping_decoder(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _Bad("", f"expected an object, got {_describe(value)}")
    return dict(value)


def _model_decoder(model: type[Model]) -> Callable[[Any], Model]:
    def decode(value: Any) -> Model:
        try:
            return model.parse(value)
        except ModelError as err:
            raise _Bad(err.path, err.problem) from None
    return decode


def _join(head: str, tail: str) -> str:
    if not tail:
        return head
    if tail.startswith("["):
        return head + tail
    return f"{head}.{tail}" if head else tail


_TABLES: dict[type, tuple[_Field, ...]] = {}


def fields_of(cls: type[Model]) -> tuple[_Field, ...]:
    """The field table of a model class (built once from its type hints)."""
    table = _TABLES.get(cls)
    if table is None:
        hints = typing.get_type_hints(cls)
        rows = []
        for f in dataclasses.fields(cls):
            if f.name == "extra":
                continue
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            dec, enc = _codec_for(hints[f.name])
            rows.append(_Field(f.name, f.metadata.get("key", camel(f.name)), required, dec, enc))
        table = _TABLES[cls] = tuple(rows)
    return table


@dataclasses.dataclass(frozen=True, kw_only=True)
class Model:
    """Base of every v20 model: ``from_json(dict)`` / ``to_json()``; unknown keys kept in ``extra``."""

    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, hash=False)

    spec_name: ClassVar[str] = ""

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Build the model from a decoded JSON object; raises ModelError naming the bad field."""
        if not isinstance(data, Mapping):
            raise ModelError(cls.__name__, "", f"expected an object, got {_describe(data)}")
        values: dict[str, Any] = {}
        known = set()
        for f in fields_of(cls):
            known.add(f.key)
            if f.key not in data or data[f.key] is None:
                if f.required:
                    raise ModelError(cls.__name__, f.key, "missing")
                continue
            try:
                values[f.attr] = f.decode(data[f.key])
            except _Bad as bad:
                raise ModelError(cls.__name__, _join(f.key, bad.path), bad.problem) from None
        extra = {k: v for k, v in data.items() if k not in known}
        try:
            return cls(**values, extra=extra)
        except ValueError as err:
            if isinstance(err, ModelError):
                raise
            raise ModelError(cls.__name__, "", str(err)) from None

    @classmethod
    def parse(cls, data: Any) -> Model:
        """Like from_json; polymorphic bases (Transaction) override it to pick the subclass."""
        return cls.from_json(data)

    def to_json(self) -> dict[str, Any]:
        """The v20 JSON object: known fields that are set, over the kept unknown keys."""
        out = dict(self.extra)
        for f in fields_of(type(self)):
            value = getattr(self, f.attr)
            if value is not None:
                out[f.key] = f.encode(value)
        return out

    def spec_definition(self) -> str:
        """The name of this payload's definition in OANDA's v20 spec."""
        return self.spec_name or type(self).__name__
