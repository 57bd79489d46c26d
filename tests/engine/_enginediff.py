"""Whole-run differential helpers for engine tests: one strategy body for both
libraries, a log of every bar, order and trade, compared with ``brokers._brokerdiff.same``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import backtrader as bt
import pandas as pd

import tradebridge as tb
from brokers._brokerdiff import same

LIBS = (tb, bt)


def log_order(strat: Any, o: Any) -> None:
    """Append an order notification (status, dates, prices, sizes, commission)."""
    e = o.executed
    strat.log.append(("order", len(strat), o.getstatusname(), o.ordtypename(), o.created.dt,
                      o.created.size, o.created.price, e.dt, e.size, e.price, e.value, e.comm))


def log_trade(strat: Any, t: Any) -> None:
    strat.log.append(("trade", len(strat), t.status, t.size, t.price, t.value, t.commission,
                      t.pnl, t.pnlcomm, t.barlen, t.dtopen, t.dtclose))


def run_log(lib: Any, strategy: Callable[[Any], type], dfs: list[pd.DataFrame],
            adddata: Callable[[Any, Any, pd.DataFrame, int], None] | None = None,
            **cerebro_kw: Any) -> list[tuple]:
    """Run ``strategy(lib)`` on ``dfs``; return its ``log`` plus the final cash and value."""
    cerebro = lib.Cerebro(**cerebro_kw)
    for i, df in enumerate(dfs):
        if adddata is None:
            cerebro.adddata(lib.feeds.PandasData(dataname=df), name=f"d{i}")
        else:
            adddata(lib, cerebro, df, i)
    cerebro.addstrategy(strategy(lib))
    strat = cerebro.run()[0]
    return [*strat.log, ("final", cerebro.broker.getcash(), cerebro.broker.getvalue())]


def assert_same_logs(ours: list[tuple], ref: list[tuple]) -> None:
    for i, (x, y) in enumerate(zip(ours, ref)):
        assert same(x, y), f"event {i} differs:\n tradebridge {x}\n backtrader  {y}"
    assert len(ours) == len(ref), f"{len(ours)} events vs backtrader's {len(ref)}"


def compare(strategy: Callable[[Any], type], dfs: list[pd.DataFrame], **kw: Any) -> list[tuple]:
    """Run in both libraries with the same cerebro kwargs; assert equal logs."""
    ours = run_log(tb, strategy, dfs, **kw)
    ref = run_log(bt, strategy, dfs, **kw)
    assert_same_logs(ours, ref)
    return ours
