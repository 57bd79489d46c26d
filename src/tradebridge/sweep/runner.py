"""``sweep()``: run a strategy over a parameter grid and get one result row per combination.

Runs serially, on local worker processes or on a dask cluster; appends each finished batch
to a journal next to ``out`` so a sweep started again with the same ``out`` skips what is
done; writes the sorted table to Parquet or CSV at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..progress import Progress
from .backends import dask_batches, local_batches, serial_batches
from .grid import combo_key, expand
from .refs import ClassRef
from .results import Journal, read_output, resolve_metric, sort_by, to_frame, write_output
from .worker import METRICS, Job

__all__ = ["journal_path", "sweep"]

_RESERVED = frozenset({*METRICS, "error", "seconds"})
_BATCHES_PER_WORKER = 8


def journal_path(out: str | Path) -> Path:
    """Where a sweep writing ``out`` appends its rows until it finishes."""
    return Path(str(out) + ".partial.jsonl")


def _check_params(strategy: type, names: Iterable[str]) -> None:
    valid = strategy.params._getpairs()  # type: ignore[attr-defined]
    for name in names:
        if name in _RESERVED:
            raise ValueError(f"parameter {name!r} clashes with a result column")
        if name not in valid:
            raise ValueError(f"unknown param {name!r} for {strategy.__name__} "
                             f"(valid: {', '.join(valid) or 'none'})")


def _done_rows(out: str | Path | None, key: Callable[[Mapping[str, Any]], str]) -> dict[str, dict]:
    """Rows of an earlier run of the same sweep (its output, then its journal) by combination."""
    rows: dict[str, dict[str, Any]] = {}
    if out is not None:
        for row in [*read_output(out), *Journal(journal_path(out)).read()]:
            rows.setdefault(key(row), row)
    return rows


def _batches(combos: list[dict], workers: int, batch_size: int | None) -> list[list[dict]]:
    """``combos`` in batches of ``batch_size``; by default each batch is a share of what is
    left (a 1/(8 workers) part), so batches shrink to single combinations at the end and no
    worker waits long for another to finish a big last batch."""
    out, i, n = [], 0, len(combos)
    while i < n:
        size = batch_size or max(1, -(-(n - i) // (workers * _BATCHES_PER_WORKER)))
        out.append(combos[i:i + size])
        i += size
    return out


def sweep(strategy: type, data: Any, grid: Mapping[str, Iterable[Any]], *, metric: str = "sharpe",
          out: str | Path | None = None, workers: int = 1, client: Any = None,
          scheduler: str | None = None, cash: float = 10_000.0, commission: float = 0.0,
          analyzers: Sequence[tuple[type, Mapping[str, Any]]] = (), batch_size: int | None = None,
          progress: bool | None = None,
          on_rows: Callable[[list[dict[str, Any]]], None] | None = None) -> pd.DataFrame:
    """Backtest ``strategy`` on ``data`` (a feed or a list of feeds) for every combination of
    ``grid``; a DataFrame best-first by ``metric``.

    Where: ``client`` (a dask ``Client``) or ``scheduler`` (its address) for a cluster,
    else ``workers`` local processes (1: this process). ``analyzers``: extra
    ``(AnalyzerClass, kwargs)`` whose results become columns ``name.key``. ``on_rows`` is
    called with each batch of rows as it arrives.
    """
    params = list(grid)
    _check_params(strategy, params)
    if metric not in _RESERVED and not analyzers:
        metric = resolve_metric(metric)
    combos = expand(grid)
    order = {combo_key(c): i for i, c in enumerate(combos)}

    def key(row: Mapping[str, Any]) -> str:
        return combo_key({p: row.get(p) for p in params})

    done = _done_rows(out, key)
    todo = [c for c in combos if combo_key(c) not in done]
    datas = tuple(data) if isinstance(data, (list, tuple)) else (data,)
    job = Job(ClassRef.of(strategy), datas, cash, commission,
              tuple((ClassRef.of(cls), dict(kw)) for cls, kw in analyzers))
    journal = Journal(journal_path(out)) if out is not None else None
    rows = list(done.values())
    if todo:
        with Progress(len(todo), desc="sweep", every=1, enabled=progress) as bar:
            for batch_rows in _run(job, todo, workers, client, scheduler, batch_size):
                if journal is not None:
                    journal.append(batch_rows)
                rows.extend(batch_rows)
                bar.update(len(batch_rows))
                if on_rows is not None:
                    on_rows(batch_rows)
    df = to_frame(rows, params, order, key)
    df = sort_by(df, resolve_metric(metric, df.columns))
    if out is not None:
        write_output(df, out)
        journal.remove()  # type: ignore[union-attr]
    return df


def _run(job: Job, todo: list[dict], workers: int, client: Any, scheduler: str | None,
         batch_size: int | None) -> Iterator[list[dict[str, Any]]]:
    """Result batches from the chosen backend (a scheduler address opens a client for the run)."""
    if client is None and scheduler is not None:
        from distributed import Client

        with Client(scheduler) as own:
            yield from _run(job, todo, workers, own, None, batch_size)
        return
    if client is not None:
        nworkers = max(1, sum(client.nthreads().values()))
        yield from dask_batches(job, _batches(todo, nworkers, batch_size), client)
    elif workers > 1:
        yield from local_batches(job, _batches(todo, workers, batch_size), workers)
    else:
        yield from serial_batches(job, _batches(todo, 1, batch_size))
