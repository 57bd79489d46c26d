"""Optimization runs in parallel: a fork pool over data loaded once, or any
``concurrent.futures`` executor; callbacks run in the caller as results arrive."""

from __future__ import annotations

import itertools
import multiprocessing
from typing import Any

__all__ = ["run_parallel"]

_FORKED: Any = None


def run_parallel(cerebro: Any, iterstrats: list[Any], maxcpus: int, executor: Any = None) -> list[Any]:
    """Run the combinations of an optimization on a fork pool or on ``executor``."""
    if cerebro.p.optdatas and cerebro._dopreload:
        for data in cerebro.datas:
            data._start()
            data.preload()
    if executor is not None:
        return _run_on_executor(cerebro, len(iterstrats), executor, maxcpus)
    global _FORKED
    _FORKED = cerebro
    ctx = multiprocessing.get_context("fork")
    out = []
    try:
        with ctx.Pool(min(maxcpus, len(iterstrats))) as pool:
            for result in pool.imap(_run_one, range(len(iterstrats)), chunksize=1):
                out.append(result)
                for cb in cerebro.optcbs:  # in this process, as results arrive (backtrader)
                    cb(result)
    finally:
        _FORKED = None
    return out


def _run_on_executor(cerebro: Any, n: int, executor: Any, maxcpus: int) -> list[Any]:
    """Run combinations 0..n-1 on ``executor``: the engine pickled once, shipped per chunk of
    combinations (about 4 chunks per cpu), optimization callbacks called here as results come."""
    import pickle

    cbs, cerebro.optcbs = cerebro.optcbs, []
    try:
        payload = pickle.dumps(cerebro, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise TypeError(
            f"cerebro.run(executor=...) ships the engine to the executor's workers with pickle, "
            f"which failed: {exc}. Strategies, analyzers, observers, sizers and their params must "
            "be picklable: define classes at module level in an importable module") from exc
    finally:
        cerebro.optcbs = cbs
    size = max(1, -(-n // (maxcpus * 4)))
    futures = [executor.submit(_run_chunk, payload, range(i, min(i + size, n)))
               for i in range(0, n, size)]
    out = []
    for future in futures:
        for result in future.result():
            out.append(result)
            for cb in cbs:
                cb(result)
    return out


def _run_chunk(payload: bytes, indices: range) -> list[list[Any]]:
    """Worker side of ``_run_on_executor``: unpickle the engine, run the given combinations."""
    import pickle

    cerebro = pickle.loads(payload)
    iterstrats = list(itertools.product(*cerebro.strats))
    return [cerebro.runstrategies(iterstrats[i]) for i in indices]


def _run_one(i: int) -> list[Any]:
    cerebro = _FORKED
    assert cerebro is not None
    iterstrat = list(itertools.product(*cerebro.strats))[i]
    return cerebro.runstrategies(iterstrat)

