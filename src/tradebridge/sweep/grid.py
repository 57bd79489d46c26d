"""Parameter grids: ``name=start:stop:step`` / ``name=a,b,c`` specs and their cartesian product.

Pure functions over strings and dicts; the CLI and the Python API share them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["combo_key", "expand", "parse_param", "parse_values"]


def _decimal(text: str, spec: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{spec!r}: {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{spec!r}: {text!r} is not a finite number")
    return value


def _range(spec: str, parts: list[str]) -> list[str]:
    """``start:stop:step`` with ``stop`` included, as exact decimal strings."""
    start, stop, step = (_decimal(p, spec) for p in parts)
    if step <= 0:
        raise ValueError(f"{spec!r}: step must be positive")
    if stop < start:
        raise ValueError(f"{spec!r}: stop is below start")
    count = int((stop - start) // step) + 1
    if count > 1_000_000:
        raise ValueError(f"{spec!r}: {count:,} values is too many for one parameter")
    return [_plain(start + i * step) for i in range(count)]


def _plain(value: Decimal) -> str:
    """``Decimal('10')`` -> '10', ``Decimal('0.50')`` -> '0.5' (no exponent)."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def parse_values(spec: str) -> list[str]:
    """The raw values of ``start:stop:step`` (stop included) or ``a,b,c`` (or one value)."""
    parts = spec.split(":")
    if len(parts) == 3:
        return _range(spec, parts)
    if len(parts) != 1:
        raise ValueError(f"{spec!r}: a range is start:stop:step")
    values = [v.strip() for v in spec.split(",")]
    if not all(values):
        raise ValueError(f"{spec!r}: empty value in list")
    return values


def parse_param(text: str) -> tuple[str, list[str]]:
    """``'fast=5:50:5'`` -> ``('fast', ['5', '10', ..., '50'])``; values stay strings."""
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not name or not spec.strip():
        raise ValueError(f"{text!r}: expected name=start:stop:step or name=a,b,c")
    return name, parse_values(spec.strip())


def expand(grid: Mapping[str, Iterable[Any]]) -> list[dict[str, Any]]:
    """Every combination of ``grid``'s values, first parameter slowest, in a stable order."""
    names = list(grid)
    values = [list(grid[n]) for n in names]
    for name, vals in zip(names, values):
        if not vals:
            raise ValueError(f"parameter {name!r} has no values")
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def combo_key(params: Mapping[str, Any]) -> str:
    """A stable text key of one combination (what a resumed sweep matches on).

    Values are compared as text, so a value read back from CSV or Parquet (numpy scalar,
    re-inferred type) matches the value the grid produced.
    """
    return json.dumps({k: str(v) for k, v in params.items()}, sort_keys=True)
