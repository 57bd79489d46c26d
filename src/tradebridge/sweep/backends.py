"""Where batches run: in this process, on local worker processes, or on a dask cluster.

Each backend is a generator of result-row lists, yielded as batches finish (any order).
The job reaches each worker once: forked processes inherit it, a dask cluster gets it
scattered to every worker; a batch task carries only its combinations.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .worker import Job, Packed, run_batch, run_packed

__all__ = ["dask_batches", "local_batches", "serial_batches"]

Rows = list[dict[str, Any]]


def serial_batches(job: Job, batches: list[list[dict]]) -> Iterator[Rows]:
    """Every batch in this process, in order."""
    for batch in batches:
        yield run_batch(job, batch)


_INSTALLED: Job | None = None


def _install(job: Job) -> None:
    global _INSTALLED
    _INSTALLED = job


def _run_installed(batch: list[dict]) -> Rows:
    assert _INSTALLED is not None
    return run_batch(_INSTALLED, batch)


def local_batches(job: Job, batches: list[list[dict]], workers: int,
                  restarts: int = 3) -> Iterator[Rows]:
    """Batches on ``workers`` forked processes; if one dies the pool is rebuilt and the
    unfinished batches run again (up to ``restarts`` times)."""
    pending = dict(enumerate(batches))
    ctx = multiprocessing.get_context("fork")
    for attempt in range(restarts + 1):
        pool = ProcessPoolExecutor(min(workers, len(pending)), mp_context=ctx,
                                   initializer=_install, initargs=(job,))
        try:
            futures = {pool.submit(_run_installed, b): i for i, b in pending.items()}
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    rows = future.result()
                    del pending[futures.pop(future)]
                    yield rows
            return
        except BrokenProcessPool:
            if attempt == restarts:
                raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def dask_batches(job: Job, batches: list[list[dict]], client: Any) -> Iterator[Rows]:
    """Batches on a dask cluster: the job scattered to every worker once, one task per batch;
    dask reruns the tasks of a worker that dies."""
    from distributed import as_completed

    shipped = client.scatter(Packed.of(job), broadcast=True, hash=False)
    futures = [client.submit(run_packed, shipped, b, pure=False) for b in batches]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.cancel([*futures, shipped])
