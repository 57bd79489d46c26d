"""Differential-test helpers: run one plan in backtrader and in tradebridge, compare all.

A *plan* is ``plan(strategy, O)`` called in ``next`` (``O`` is the library's Order class);
an optional ``open_plan`` runs in ``next_open`` (cheat-on-open). The record holds every
order notification (with its pending fills), every trade notification and cash/value at
every bar; order and trade refs are renumbered by first appearance so the two libraries'
global counters do not matter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import backtrader as bt
import pandas as pd

import tradebridge as tb
from tradebridge.orders import Order as TBOrder

Plan = Callable[[Any, Any], None]


def _order_class(lib: Any) -> Any:
    return bt.Order if lib is bt else TBOrder


def lib_of(broker: Any) -> Any:
    """``backtrader`` or ``tradebridge.orders``-like namespace matching ``broker``."""
    if isinstance(broker, bt.BrokerBase):
        return bt
    return TB


class TB:
    """tradebridge names under backtrader's spellings (fillers, comminfo, Order)."""

    from tradebridge.orders import comminfo as _ci
    from tradebridge.orders import fillers

    Order = TBOrder
    CommInfoBase = _ci.CommInfoBase
    CommissionInfo = _ci.CommissionInfo
    commissions = _ci


def gapless(df: pd.DataFrame) -> pd.DataFrame:
    """Same bars with every open equal to the previous close (no overnight gaps)."""
    out = df.copy()
    out["open"] = out["close"].shift(1).fillna(out["open"])
    out["high"] = out[["open", "high", "close"]].max(axis=1)
    out["low"] = out[["open", "low", "close"]].min(axis=1)
    return out


def gappy(df: pd.DataFrame, size: float = 0.03) -> pd.DataFrame:
    """Same bars with large alternating overnight gaps (opens 3% away from the close)."""
    out = df.copy()
    sign = pd.Series([1 if i % 2 else -1 for i in range(len(out))], index=out.index)
    out["open"] = (out["close"].shift(1).fillna(out["open"]) * (1 + size * sign)).round(2)
    out["high"] = out[["open", "high", "close"]].max(axis=1)
    out["low"] = out[["open", "low", "close"]].min(axis=1)
    return out


def _bits(order: Any) -> list[tuple]:
    return [
        (b.dt, b.size, b.price, b.closed, b.opened, b.closedvalue, b.openedvalue,
         b.closedcomm, b.openedcomm, b.pnl, b.psize, b.pprice)
        for b in order.executed.iterpending()
    ]


class _Refs:
    """Renumber refs by first appearance."""

    def __init__(self) -> None:
        self.map: dict[int, int] = {}

    def __call__(self, ref: int) -> int:
        return self.map.setdefault(ref, len(self.map) + 1)


def _strategy(lib: Any, plan: Plan, open_plan: Plan | None) -> type:
    O = _order_class(lib)

    class Recorder(lib.Strategy):
        def __init__(self) -> None:
            self.log: list[tuple] = []
            self.mem: dict[str, Any] = {}
            self._orefs, self._trefs = _Refs(), _Refs()

        def notify_order(self, o: Any) -> None:
            c, e = o.created, o.executed
            self.log.append((
                "order", len(self), self._orefs(o.ref), o.getstatusname(), o.ordtypename(),
                o.getordername(), c.dt, c.size, c.price, c.pricelimit, e.dt, e.size, e.price,
                e.value, e.comm, e.pnl, e.remsize, e.psize, e.pprice, _bits(o),
            ))

        def notify_trade(self, t: Any) -> None:
            self.log.append((
                "trade", len(self), self._trefs(t.ref), t.status, t.tradeid, t.size, t.price,
                t.value, t.commission, t.pnl, t.pnlcomm, t.barlen, t.justopened, t.isopen,
                t.isclosed, t.dtopen, t.dtclose, t.baropen, t.barclose,
            ))

        def next_open(self) -> None:
            if open_plan is not None:
                open_plan(self, O)

        def next(self) -> None:
            b = self.broker
            self.log.append(("bar", len(self), b.getcash(), b.getvalue(), b.fundvalue,
                             b.fundshares, self.position.size, self.position.price))
            plan(self, O)

    return Recorder


def run(lib: Any, dfs: pd.DataFrame | list[pd.DataFrame], plan: Plan, *,
        open_plan: Plan | None = None, setup: Callable[[Any], None] | None = None,
        **cerebro_kw: Any) -> list[tuple]:
    """Run ``plan`` on ``dfs`` with ``lib`` (backtrader or tradebridge); return the log."""
    cerebro = lib.Cerebro(stdstats=False, **cerebro_kw)
    for i, df in enumerate(dfs if isinstance(dfs, list) else [dfs]):
        cerebro.adddata(lib.feeds.PandasData(dataname=df), name=f"d{i}")
    cerebro.addstrategy(_strategy(lib, plan, open_plan))
    if setup is not None:
        setup(cerebro.broker)
    return cerebro.run()[0].log


def same(a: Any, b: Any) -> bool:
    """Deep equality; floats equal within 1e-9 relative (NaN equals NaN)."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, bool) or isinstance(b, bool):
            return a == b
        try:
            fa, fb = float(a), float(b)
        except (TypeError, ValueError):
            return False
        if math.isnan(fa) and math.isnan(fb):
            return True
        return math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def compare(plan: Plan, dfs: Any, **kw: Any) -> tuple[list[tuple], list[tuple]]:
    """Run both libraries and assert identical logs; return (tradebridge, backtrader) logs."""
    ours = run(tb, dfs, plan, **kw)
    ref = run(bt, dfs, plan, **kw)
    for i, (x, y) in enumerate(zip(ours, ref)):
        assert same(x, y), f"event {i} differs:\n tradebridge {x}\n backtrader  {y}"
    assert len(ours) == len(ref), f"{len(ours)} events vs backtrader's {len(ref)}"
    return ours, ref


def events(log: list[tuple], kind: str) -> list[tuple]:
    """The log entries of one kind ('order', 'trade', 'bar')."""
    return [e for e in log if e[0] == kind]
