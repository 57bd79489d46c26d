"""What the CLI loads: a strategy class from a file, typed ``--param`` values, a CSV feed.

Every problem is a ``UsageError`` whose message names the cause in one line.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from typing import Any

__all__ = ["FORMATS", "UsageError", "cast_params", "load_data", "load_strategy"]

FORMATS = ("generic", "yahoo", "btcsv")
_FEED_CLASSES = {"yahoo": "YahooFinanceCSVData", "btcsv": "BacktraderCSVData"}
_COLUMNS = ("open", "high", "low", "close")


class UsageError(Exception):
    """A user input the CLI cannot use (exit code 2)."""


def load_strategy(spec: str) -> type:
    """``path.py`` (its first Strategy subclass) or ``path.py:ClassName``."""
    from ..engine.strategy import Strategy

    path_s, _, name = spec.partition(":") if not Path(spec).exists() else (spec, "", "")
    path = Path(path_s)
    if not path.is_file():
        raise UsageError(f"strategy file not found: {path}")
    modname = f"_tradebridge_user_{abs(hash(str(path.resolve())))}"
    loader_spec = importlib.util.spec_from_file_location(modname, path)
    if loader_spec is None or loader_spec.loader is None:
        raise UsageError(f"cannot import {path} (not a Python file?)")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[modname] = module
    try:
        loader_spec.loader.exec_module(module)
    except Exception as exc:  # the user's file: report, do not crash with a traceback
        raise UsageError(f"importing {path} failed: {type(exc).__name__}: {exc}") from exc
    found = [obj for _, obj in inspect.getmembers(module, inspect.isclass)
             if issubclass(obj, Strategy) and obj is not Strategy and obj.__module__ == modname]
    if name:
        cls = getattr(module, name, None)
        if not (inspect.isclass(cls) and issubclass(cls, Strategy)):
            names = ", ".join(c.__name__ for c in found) or "none"
            raise UsageError(f"{path}: no Strategy class {name!r} (found: {names})")
        return cls
    if not found:
        raise UsageError(f"{path}: no Strategy subclass defined in the file")
    found.sort(key=lambda c: inspect.getsourcelines(c)[1])
    return found[0]


def _cast(raw: str, default: Any, name: str) -> Any:
    """``raw`` converted to the type of the param's default (bool: true/false/1/0/yes/no)."""
    if isinstance(default, bool):
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise UsageError(f"--param {name}={raw}: expected true/false")
    if default is None or isinstance(default, str):
        return raw
    try:
        return type(default)(raw)
    except (TypeError, ValueError):
        raise UsageError(
            f"--param {name}={raw}: expected {type(default).__name__} like its default "
            f"{default!r}") from None


def cast_params(stratcls: type, pairs: list[str]) -> dict[str, Any]:
    """``['fast=5', ...]`` -> ``{'fast': 5}``, typed like each param's default."""
    defaults = stratcls.params._getpairs()
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--param {pair!r}: expected name=value")
        if name not in defaults:
            valid = ", ".join(defaults) or "none"
            raise UsageError(f"unknown param {name!r} for {stratcls.__name__} (valid: {valid})")
        out[name] = _cast(raw, defaults[name], name)
    return out


def _generic(path: Path) -> Any:
    """A header CSV (datetime or date first, then open, high, low, close, volume[, oi])."""
    import pandas as pd

    from ..feeds.pandafeed import PandasData

    try:
        df = pd.read_csv(path)
    except Exception as exc:
        raise UsageError(f"{path}: not a readable CSV ({type(exc).__name__}: {exc})") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    dtcol = next((c for c in ("datetime", "date") if c in df.columns), None)
    missing = [c for c in _COLUMNS if c not in df.columns]
    if dtcol is None or missing:
        need = (["datetime or date"] if dtcol is None else []) + missing
        raise UsageError(f"{path}: missing column(s) {', '.join(need)} in header "
                         f"{','.join(df.columns)}")
    try:
        index = pd.to_datetime(df.pop(dtcol), format="mixed")
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{path}: bad {dtcol} value ({exc})") from exc
    df.index = pd.DatetimeIndex(index, name="datetime")
    for col in df.columns:
        if df[col].dtype.kind not in "fiu":
            bad = pd.to_numeric(df[col], errors="coerce").isna() & df[col].notna()
            row = int(bad.values.argmax()) + 2 if bad.any() else 0
            raise UsageError(f"{path}: column {col!r} is not numeric (line {row})")
    try:
        return PandasData(dataname=df.astype(float), name=path.stem)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from exc


def load_data(path_s: str, fmt: str = "generic") -> Any:
    """A data feed for the CSV at ``path_s`` in format ``fmt``."""
    path = Path(path_s)
    if not path.is_file():
        raise UsageError(f"data file not found: {path}")
    if fmt == "generic":
        return _generic(path)
    from .. import feeds

    cls = getattr(feeds, _FEED_CLASSES.get(fmt, ""), None)
    if cls is None:
        raise UsageError(f"--format {fmt}: feed {_FEED_CLASSES.get(fmt, fmt)} is not available")
    return cls(dataname=str(path), name=path.stem)
