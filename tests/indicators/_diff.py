"""Differential helper: run indicators in backtrader and tradebridge on the same bars and
compare every line at every bar (relative tolerance, NaN equals NaN).

Usage::

    from _diff import compare_indicator, compare_same  # tests/indicators is on sys.path

    compare_indicator(lambda d: btmod.ind.SMA(d, period=5),
                      lambda d: tbmod.ind.SMA(d, period=5), bars, runonce=True)
    # or, when the call is spelled the same in both libraries:
    compare_same(lambda ind, d: ind.MACD(d, period_me1=5), bars, runonce=False)

A factory receives the strategy's first data feed and returns one indicator or a
sequence of them; every line of each one is recorded in ``prenext`` and ``next``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import backtrader
import pandas as pd

import tradebridge

__all__ = ["assert_names", "check_too_short", "compare_indicator", "compare_same", "record"]

Factory = Callable[[Any], Any]


def _as_list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def record(mod: Any, factory: Factory, df: pd.DataFrame, runonce: bool) -> list[list[float]]:
    """Run ``factory``'s indicators under library ``mod``; one row of line values per bar."""
    rows: list[list[float]] = []

    class _Rec(mod.Strategy):
        def __init__(self) -> None:
            self._inds = _as_list(factory(self.data))

        def _take(self) -> None:
            rows.append([float(ln[0]) for i in self._inds for ln in i.lines])

        def prenext(self) -> None:
            self._take()

        def next(self) -> None:
            self._take()

    cerebro = mod.Cerebro(stdstats=False, runonce=runonce, preload=True)
    cerebro.adddata(mod.feeds.PandasData(dataname=df))
    cerebro.addstrategy(_Rec)
    cerebro.run()
    return rows


def _same(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def compare_indicator(bt_factory: Factory, tb_factory: Factory, df: pd.DataFrame, runonce: bool,
                      rtol: float = 1e-9, atol: float = 0.0) -> int:
    """Assert both libraries give the same value on every line at every bar; returns bars seen."""
    want = record(backtrader, bt_factory, df, runonce)
    got = record(tradebridge, tb_factory, df, runonce)
    assert len(got) == len(want), f"bars: tradebridge {len(got)} != backtrader {len(want)}"
    for bar, (w, g) in enumerate(zip(want, got)):
        assert len(g) == len(w), f"bar {bar}: {len(g)} lines != backtrader's {len(w)}"
        for line, (a, b) in enumerate(zip(w, g)):
            assert _same(a, b, rtol, atol), (
                f"bar {bar} line {line} (runonce={runonce}): tradebridge {b!r} != backtrader {a!r}"
            )
    return len(want)


def compare_same(make: Callable[[Any, Any], Any], df: pd.DataFrame, runonce: bool,
                 rtol: float = 1e-9, atol: float = 0.0) -> int:
    """``compare_indicator`` for a call spelled alike: ``make(ind_namespace, data)``."""
    return compare_indicator(lambda d: make(backtrader.ind, d), lambda d: make(tradebridge.ind, d),
                             df, runonce, rtol, atol)


def assert_names(names: Sequence[str]) -> None:
    """Every name (class or alias) exists in both libraries' indicator namespaces."""
    missing = [n for n in names if not hasattr(tradebridge.ind, n) or not hasattr(backtrader.ind, n)]
    assert not missing, f"missing indicator names: {missing}"


def check_too_short(make: Callable[[Any, Any], Any], df: pd.DataFrame) -> None:
    """Data shorter than the period: every value NaN in both modes, no crash.

    Bar by bar the values equal backtrader's; in runonce mode backtrader itself raises
    IndexError there, so only tradebridge runs.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "next() will never be called"
        compare_same(make, df, runonce=False)
        rows = record(tradebridge, lambda d: make(tradebridge.ind, d), df, runonce=True)
    assert len(rows) == len(df)
    assert all(math.isnan(v) for row in rows for v in row)
