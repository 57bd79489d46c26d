"""Sweep results on disk and as a table: the append-only journal a sweep resumes from, the
final Parquet/CSV file, the DataFrame sorted by a metric, and the metric's name rules.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .worker import METRICS

__all__ = ["Journal", "LOWER_IS_BETTER", "read_output", "resolve_metric", "sort_by", "to_frame",
           "write_output"]

LOWER_IS_BETTER = frozenset({"max_drawdown_pct"})
_ALIASES = {"value": "final_value", "return": "total_return_pct", "drawdown": "max_drawdown_pct",
            "win_rate": "win_rate_pct", "winrate": "win_rate_pct"}
_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def output_format(path: str | os.PathLike[str]) -> str:
    """'parquet' or 'csv' from the file suffix."""
    fmt = _FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: results go to a .parquet or .csv file")
    return fmt


def resolve_metric(name: str, columns: Iterable[str] = ()) -> str:
    """The column a metric name means (``sharpe``, ``return``, ``drawdown``, or any column)."""
    name = _ALIASES.get(name, name)
    if name in METRICS or name in set(columns):
        return name
    raise ValueError(f"unknown metric {name!r} (use one of {', '.join(METRICS)}, "
                     f"{', '.join(_ALIASES)} or an analyzer column)")


def _json_default(obj: Any) -> Any:
    return obj.item() if hasattr(obj, "item") else str(obj)


class Journal:
    """One JSON line per finished combination, appended and synced as results arrive."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def read(self) -> list[dict[str, Any]]:
        """Every complete row written so far (a line cut short by a crash is ignored)."""
        if not self.path.exists():
            return []
        rows = []
        for line in self.path.read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict):
                rows.append(row)
        return rows

    def append(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write ``rows`` and make them durable before returning."""
        if not rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(r, default=_json_default) + "\n" for r in rows)
        with self.path.open("a") as fh:
            if fh.tell() and not self._ends_with_newline():
                fh.write("\n")  # a torn line from a crash stays its own (ignored) line
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def read_output(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The rows of a results file written by an earlier sweep (none when absent)."""
    if not Path(path).exists():
        return []
    df = pd.read_parquet(path) if output_format(path) == "parquet" else pd.read_csv(path)
    df = df.astype(object).where(df.notna(), None)
    return df.to_dict("records")


def to_frame(rows: Sequence[dict[str, Any]], params: Sequence[str], order: Mapping[str, int],
             key: Callable[[Mapping[str, Any]], str]) -> pd.DataFrame:
    """One row per combination: params, metrics, analyzer columns, error, seconds; in grid
    order (``order`` maps ``key(row)`` to its index; rows not in it go last)."""
    rows = sorted(rows, key=lambda r: order.get(key(r), len(order)))
    df = pd.DataFrame(list(rows))
    extra = [c for c in df.columns if c not in set(params) | set(METRICS) | {"error", "seconds"}]
    columns = [*params, *METRICS, *extra, "error", "seconds"]
    df = df.reindex(columns=columns)
    for col in METRICS:
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def sort_by(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Best first by ``metric`` (lowest drawdown, highest anything else); failed runs last; ties
    keep their order, so the result does not depend on which worker finished first."""
    df = df.sort_values(metric, ascending=metric in LOWER_IS_BETTER, na_position="last",
                        kind="mergesort")
    return df.reset_index(drop=True)


def write_output(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the table (Parquet or CSV by suffix) atomically: a reader never sees half a file."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    if output_format(out) == "parquet":
        df.to_parquet(tmp, index=False)
    else:
        df.to_csv(tmp, index=False)
    os.replace(tmp, out)
    return out
