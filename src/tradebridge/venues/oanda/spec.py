"""Validate payloads against OANDA's published v20 spec (``v20.json``, Swagger 2.0 / JSON Schema draft 4).

For tests and the sandbox only: the package never needs the file at run time. It is found at
``$TRADEBRIDGE_V20_SPEC`` or ``<repo>/../shared/oanda/v20.json``. The file's known faults are
handled here, on a private copy:

* ``mt4ServerIDPathParam`` declares ``type: 'int'`` (not a JSON Schema type): read as ``integer``;
* path parameters used in a path but not declared: :func:`path_parameters` takes them from the path;
* the operationId ``getInstrumentCandles`` appears twice: :func:`operation` refuses an ambiguous id;
* ``clientOrderID``/``clientTradeID`` of a few definitions (OrderCancelTransaction, ...) carry the
  format of OANDA's numeric ids, yet hold the client's own id (``tb-abc-1``): that format is dropped;
* no definition has a ``required`` list and every number is a string, so JSON Schema alone catches
  wrong types and enum values only. Two checks are added: the ``format`` texts (decimal strings,
  RFC 3339/UNIX times, numeric ids, instruments, currencies, account ids) are enforced, and a
  ``type`` property whose description says 'Always set to "X"' must be X.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["SpecError", "SpecNotFoundError", "definition_names", "load_spec", "operation",
           "path_parameters", "spec_path", "validate", "validate_model", "validate_response"]

ENV = "TRADEBRIDGE_V20_SPEC"
_REPO = Path(__file__).resolve().parents[4]


class SpecError(ValueError):
    """A payload that breaks the spec: names the definition (or operation) and the JSON path."""


class SpecNotFoundError(FileNotFoundError):
    """v20.json is neither at $TRADEBRIDGE_V20_SPEC nor at <repo>/../shared/oanda/v20.json."""


def spec_path() -> Path:
    """Where v20.json is; raises SpecNotFoundError saying where it looked."""
    env = os.environ.get(ENV)
    candidates = [Path(env)] if env else []
    candidates.append(_REPO.parent / "shared" / "oanda" / "v20.json")
    for path in candidates:
        if path.is_file():
            return path
    raise SpecNotFoundError(f"OANDA v20 spec not found (looked at {', '.join(map(str, candidates))}; "
                            f"set {ENV} to its path)")


_CLIENT_ID = re.compile(r"^client\w*ID$")


@cache
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        spec = json.load(fh)
    fixed = copy.deepcopy(spec)
    for param in fixed.get("parameters", {}).values():
        if param.get("type") == "int":
            param["type"] = "integer"
    for definition in fixed["definitions"].values():
        for name, prop in definition.get("properties", {}).items():
            if _CLIENT_ID.match(name) and "OANDA-assigned" in prop.get("format", ""):
                del prop["format"]
    return fixed  # type: ignore[no-any-return]


def load_spec(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The spec (faults fixed), loaded once per path."""
    return _load(str(Path(path) if path is not None else spec_path()))


def definition_names() -> list[str]:
    """Every definition of the spec."""
    return sorted(load_spec()["definitions"])


# -- formats: the spec's format texts are prose; each kind gets a checker --------------------------

_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")
_UNIX = re.compile(r"^\d+(\.\d{1,9})?$")


def _decimal(value: str) -> bool:
    if not _DECIMAL.match(value):
        return False
    try:
        Decimal(value)
    except InvalidOperation:
        return False
    return True


# (words in the format text, checker of the string value, what it means)
_FORMATS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("decimal number", _decimal, "a decimal string"),
    ("RFC 3339", lambda v: bool(_RFC3339.match(v) or _UNIX.match(v)), "an RFC 3339 or UNIX time"),
    ("numerical OANDA-assigned TransactionID", lambda v: v.isdigit(), "a numeric id"),
    ("OANDA-assigned TradeIDs are positive integers", lambda v: v.isdigit(), "a numeric id"),
    ("OANDA-assigned OrderIDs are positive integers", lambda v: v.isdigit(), "a numeric id"),
    ("base currency and quote currency", lambda v: bool(re.fullmatch(r"[A-Z0-9]+_[A-Z0-9]+", v)),
     "an instrument like EUR_USD"),
    ("ISO 4217", lambda v: bool(re.fullmatch(r"[A-Z]{3}", v)), "a currency like USD"),
    ("{siteID}-{divisionID}-{userID}-{accountNumber}",
     lambda v: bool(re.fullmatch(r"\d+-\d+-\d+-\d+", v)), "an account id like 101-004-1234567-001"),
)


def _format_checker() -> Any:
    from jsonschema import FormatChecker  # type: ignore[import-untyped]

    checker = FormatChecker(formats=())
    texts: set[str] = set()
    _collect_formats(load_spec(), texts)
    for text in texts:
        for words, check, meaning in _FORMATS:
            if words in text:
                checker.checks(text, raises=())(_string_check(check))
                _MEANING[text] = meaning
                break
    return checker


_MEANING: dict[str, str] = {}


def _string_check(check: Callable[[str], bool]) -> Callable[[object], bool]:
    return lambda value: not isinstance(value, str) or check(value)


def _collect_formats(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            out.add(node["format"])
        for value in node.values():
            _collect_formats(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect_formats(value, out)


@cache
def _validator(path: str, method: str, status: str) -> Any:
    """A draft-4 validator for one definition (``path`` "") or one documented answer."""
    from jsonschema import Draft4Validator  # type: ignore[import-untyped]

    spec = load_spec()
    if path:
        target = spec["paths"][path][method]["responses"][status]["schema"]
    else:
        target = {"$ref": f"#/definitions/{method}"}
    return Draft4Validator({**target, "definitions": spec["definitions"]}, format_checker=_format_checker())


_ALWAYS = re.compile(r'Always set to \\?"([A-Z_]+)\\?"')


def _type_constant(schema: Mapping[str, Any]) -> str | None:
    prop = schema.get("properties", {}).get("type", {})
    match = _ALWAYS.search(prop.get("description", ""))
    return match.group(1) if match else None


def _check(validator: Any, what: str, payload: Any, schema: Mapping[str, Any] | None) -> None:
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

    error = best_match(validator.iter_errors(payload))
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        message = error.message
        if error.validator == "format":
            meaning = _MEANING.get(str(error.validator_value), "the spec's format")
            message = f"{error.instance!r} is not {meaning}"
        raise SpecError(f"{what}{where}: {message}")
    if schema is not None and isinstance(payload, Mapping):
        expected = _type_constant(schema)
        if expected is not None and payload.get("type") != expected:
            raise SpecError(f"{what}.type: {payload.get('type')!r} should be {expected!r}")


def validate(definition_name: str, payload: Any) -> None:
    """Raise SpecError unless ``payload`` fits the spec's definition ``definition_name``."""
    definitions = load_spec()["definitions"]
    if definition_name not in definitions:
        raise SpecError(f"no definition {definition_name!r} in the v20 spec")
    _check(_validator("", definition_name, ""), definition_name, payload, definitions[definition_name])


def validate_model(model: Any) -> None:
    """Validate a :mod:`.models` object's ``to_json()`` against its own definition."""
    validate(model.spec_definition(), model.to_json())


def validate_response(path: str, method: str, status: int, payload: Any) -> None:
    """Raise SpecError unless ``payload`` fits the documented answer of ``method path`` with ``status``."""
    ops = load_spec()["paths"].get(path)
    if ops is None or method.lower() not in ops:
        raise SpecError(f"no operation {method.upper()} {path} in the v20 spec")
    responses = ops[method.lower()].get("responses", {})
    if str(status) not in responses:
        raise SpecError(f"{method.upper()} {path} documents no {status} answer (has {', '.join(responses)})")
    if "schema" in responses[str(status)]:
        validator = _validator(path, method.lower(), str(status))
        _check(validator, f"{method.upper()} {path} {status}", payload, None)


def operation(operation_id: str) -> tuple[str, str]:
    """(path, method) of an operationId; refuses an id the spec uses twice."""
    found = [(path, method) for path, ops in load_spec()["paths"].items() for method, op in ops.items()
             if isinstance(op, Mapping) and op.get("operationId") == operation_id]
    if not found:
        raise SpecError(f"no operationId {operation_id!r} in the v20 spec")
    if len(found) > 1:
        raise SpecError(f"operationId {operation_id!r} is ambiguous in the v20 spec: "
                        + ", ".join(f"{m.upper()} {p}" for p, m in found))
    return found[0]


def path_parameters(path: str) -> list[str]:
    """The parameters a path template uses (declared or not: the spec omits some declarations)."""
    return re.findall(r"{(\w+)}", path)
