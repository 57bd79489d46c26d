"""What runs on a worker: one sweep ``Job`` (strategy, datas, broker settings, analyzers) and
``run_batch`` over a list of parameter combinations, one result row per combination.

A worker process keeps one engine per job: the datas are loaded once and every combination
of a batch reuses them. A combination that raises gives a row with its error.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..cli.summary import add_summary_analyzers, summarize
from .refs import ClassRef

__all__ = ["METRICS", "Job", "Packed", "flatten", "run_batch", "run_packed"]

METRICS = ("final_value", "total_return_pct", "sharpe", "max_drawdown_pct", "trades", "win_rate_pct")


@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides the combinations; shipped once per worker."""

    strategy: ClassRef
    datas: tuple[Any, ...]
    cash: float = 10_000.0
    commission: float = 0.0
    analyzers: tuple[tuple[ClassRef, Mapping[str, Any]], ...] = ()
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


class _Engine:
    """A Cerebro set up for ``job`` whose datas stay loaded between combinations."""

    def __init__(self, job: Job) -> None:
        from ..engine.cerebro import Cerebro

        self.stratcls = job.strategy.resolve()
        self.names: list[str] = []
        cerebro = Cerebro(stdstats=False, optreturn=False, optdatas=True, maxcpus=1)
        for data in job.datas:
            cerebro.adddata(data)
        cerebro.broker.setcash(job.cash)
        if job.commission:
            cerebro.broker.setcommission(commission=job.commission)
        add_summary_analyzers(cerebro)
        for ref, kwargs in job.analyzers:
            kwargs = dict(kwargs)
            anacls = ref.resolve()
            name = kwargs.get("_name") or anacls.__name__.lower()
            kwargs["_name"] = name
            self.names.append(name)
            cerebro.addanalyzer(anacls, **kwargs)
        self.cerebro = cerebro

    def run(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """One backtest of ``params``: the summary metrics and the user's analyzers, flattened."""
        cerebro = self.cerebro
        cerebro.strats = []
        cerebro.optstrategy(self.stratcls, **{k: [v] for k, v in params.items()})
        strat = cerebro.run()[0][0]
        summary = summarize(strat)
        row: dict[str, Any] = {k: summary[k] for k in METRICS}
        for name in self.names:
            row.update(flatten(strat.analyzers.getbyname(name).get_analysis(), name))
        return row


def flatten(tree: Any, prefix: str) -> dict[str, Any]:
    """A nested analysis as ``{'prefix.key.sub': scalar}`` (other leaves as text)."""
    if isinstance(tree, Mapping):
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out.update(flatten(value, f"{prefix}.{key}"))
        return out
    if tree is None or isinstance(tree, (bool, int, str)):
        return {prefix: tree}
    if isinstance(tree, float):
        return {prefix: tree if math.isfinite(tree) else None}
    if hasattr(tree, "item") and getattr(tree, "ndim", 1) == 0:
        return flatten(tree.item(), prefix)
    return {prefix: str(tree)}


_ENGINES: dict[str, _Engine] = {}
_LOCK = threading.Lock()  # the engine's build/run stage flag is per process: one run at a time


def run_batch(job: Job, combos: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for ``combos``: the params, metrics, ``error`` (None when the run finished), ``seconds``."""
    rows = []
    with _LOCK:
        for params in combos:
            t0 = time.perf_counter()
            try:
                engine = _ENGINES.get(job.token)
                if engine is None:
                    _ENGINES.clear()
                    engine = _ENGINES[job.token] = _Engine(job)
                row = {**params, **engine.run(params), "error": None}
            except Exception as exc:  # the user's strategy: record it, keep sweeping
                _ENGINES.pop(job.token, None)  # rebuild: a failed run leaves the engine mid-step
                row = {**params, **dict.fromkeys(METRICS), "error": f"{type(exc).__name__}: {exc}"}
            row["seconds"] = time.perf_counter() - t0
            rows.append(row)
    return rows


@dataclass(frozen=True)
class Packed:
    """A ``Job`` pickled once by the caller (plain pickle: classes travel by name), unpickled
    once per worker process; what a cluster scatters to its workers."""

    token: str
    payload: bytes = field(repr=False)

    @classmethod
    def of(cls, job: Job) -> Packed:
        import pickle

        return cls(job.token, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))

    def load(self) -> Job:
        import pickle

        job = _JOBS.get(self.token)
        if job is None:
            keep_freed_memory()
            _JOBS.clear()
            job = _JOBS[self.token] = pickle.loads(self.payload)
        return job


_JOBS: dict[str, Job] = {}

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_KEEP = 64 << 20


def keep_freed_memory() -> bool:
    """Let this process keep freed blocks up to 64 MiB on its heap (glibc only; True if set).

    dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also pins glibc's
    mmap threshold at 128 KiB: every line array a backtest frees goes back to the OS and is
    page-faulted in again by the next combination (7x the page faults, a third slower).
    """
    import ctypes
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, _KEEP) and libc.mallopt(_M_TRIM_THRESHOLD, 2 * _KEEP))
    except (OSError, AttributeError):
        return False


def run_packed(packed: Packed, combos: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``run_batch`` on a packed job (the task a cluster runs)."""
    return run_batch(packed.load(), combos)
