"""Differential helpers: run one SMA-crossover strategy in backtrader and in tradebridge
with the same analyzers/observers attached, and compare results value by value."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Mapping
from typing import Any

import backtrader as bt
import pandas as pd

import tradebridge as tb

REL = 1e-9
LIBS = (bt, tb)


def crossover_strategy(lib: Any) -> type:
    """SMA(10)/SMA(30) crossover with market orders, reversing between +10 and -10 units."""

    class SmaCross(lib.Strategy):
        params = (("fast", 10), ("slow", 30), ("stake", 10))

        def __init__(self) -> None:
            fast = lib.indicators.SMA(self.data.close, period=self.p.fast)
            slow = lib.indicators.SMA(self.data.close, period=self.p.slow)
            self.cross = lib.indicators.CrossOver(fast, slow)

        def next(self) -> None:
            if self.cross[0] > 0:
                self.order_target_size(target=self.p.stake)
            elif self.cross[0] < 0:
                self.order_target_size(target=-self.p.stake)

    return SmaCross


def pair_strategy(lib: Any) -> type:
    """The same crossover run on every data independently (several positions at once)."""

    class PairCross(lib.Strategy):
        def __init__(self) -> None:
            self.crosses = [lib.indicators.CrossOver(lib.indicators.SMA(d.close, period=8),
                                                     lib.indicators.SMA(d.close, period=21))
                            for d in self.datas]

        def next(self) -> None:
            for data, cross in zip(self.datas, self.crosses):
                if cross[0] > 0:
                    self.order_target_size(data=data, target=10)
                elif cross[0] < 0:
                    self.order_target_size(data=data, target=-5)

    return PairCross


Spec = tuple[str, str, dict[str, Any]]


class DataRef:
    """Placeholder for "the i-th data feed" in analyzer/observer kwargs (each library's own)."""

    def __init__(self, index: int) -> None:
        self.index = index


def _resolve(kwargs: dict[str, Any], datas: list[Any]) -> dict[str, Any]:
    return {k: datas[v.index] if isinstance(v, DataRef) else v for k, v in kwargs.items()}


def run(lib: Any, frames: list[pd.DataFrame], analyzers: list[Spec] = (),  # type: ignore[assignment]
        observers: list[Spec] = (), runonce: bool = True, fundmode: bool = False,  # type: ignore[assignment]
        setup: Callable[[Any, list[Any]], None] | None = None, stdstats: bool = True,
        feed: dict[str, Any] | None = None, strategy: Callable[[Any], type] = crossover_strategy,
        resample: dict[str, Any] | None = None) -> Any:
    """Run the crossover strategy in ``lib`` over ``frames``; the strategy instance."""
    cerebro = lib.Cerebro(runonce=runonce, stdstats=stdstats)
    datas = []
    for i, df in enumerate(frames):
        data = lib.feeds.PandasData(dataname=df, name=f"d{i}", **(feed or {}))
        if resample:
            data = cerebro.resampledata(data, name=f"d{i}", **resample)
        else:
            cerebro.adddata(data)
        datas.append(data)
    cerebro.addstrategy(strategy(lib))
    if fundmode:
        cerebro.broker.set_fundmode(True)
    for name, clsname, kwargs in analyzers:
        cerebro.addanalyzer(getattr(lib.analyzers, clsname), _name=name, **_resolve(kwargs, datas))
    for _name, clsname, kwargs in observers:
        cerebro.addobserver(getattr(lib.observers, clsname), **_resolve(kwargs, datas))
    if setup is not None:
        setup(cerebro, datas)
    return cerebro.run()[0]


def both(frames: list[pd.DataFrame], **kwargs: Any) -> tuple[Any, Any]:
    """(backtrader strategy, tradebridge strategy) after the same run."""
    return run(bt, frames, **kwargs), run(tb, frames, **kwargs)


def assert_same(ref: Any, got: Any, path: str = "") -> None:
    """Equal structure (keys, order, types of keys) and values within REL."""
    if isinstance(ref, Mapping):
        assert isinstance(got, Mapping), f"{path}: {type(got)} is not a mapping"
        assert list(ref.keys()) == list(got.keys()), f"{path}: keys {list(ref)} != {list(got)}"
        for key in ref:
            assert type(key) is type(got_key(got, key)), f"{path}[{key!r}]: key type"
            assert_same(ref[key], got[key], f"{path}[{key!r}]")
        return
    if isinstance(ref, (list, tuple)):
        assert isinstance(got, (list, tuple)), f"{path}: {type(got)} is not a sequence"
        assert len(ref) == len(got), f"{path}: length {len(got)} != {len(ref)}"
        for i, (a, b) in enumerate(zip(ref, got)):
            assert_same(a, b, f"{path}[{i}]")
        return
    if isinstance(ref, float) and isinstance(got, (int, float)):
        if math.isnan(ref):
            assert math.isnan(got), f"{path}: {got} != nan"
        else:
            assert math.isclose(ref, got, rel_tol=REL, abs_tol=1e-12), f"{path}: {got} != {ref}"
        return
    if isinstance(ref, (_dt.date, str, bool, type(None), int)):
        assert ref == got and type(ref) is type(got), f"{path}: {got!r} != {ref!r}"
        return
    assert ref == got, f"{path}: {got!r} != {ref!r}"


def got_key(mapping: Mapping[Any, Any], key: Any) -> Any:
    """The key object stored in ``mapping`` equal to ``key``."""
    return next(k for k in mapping if k == key)


def analyses(strat: Any, names: list[str]) -> dict[str, Any]:
    return {name: getattr(strat.analyzers, name).get_analysis() for name in names}
