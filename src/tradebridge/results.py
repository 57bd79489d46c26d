"""A finished strategy's trades, orders and equity curve as pandas DataFrames.

Built only from what the run recorded: the order notifications (``strategy._orders``), the
trade book (``strategy._tradebook``) and the Broker/Cash/Value observers (one value per step).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TRADE_COLUMNS", "ORDER_COLUMNS", "EQUITY_COLUMNS", "nums_to_datetimes", "results_frame"]

TRADE_COLUMNS = ("ref", "data", "tradeid", "direction", "open_datetime", "close_datetime", "size",
                 "price", "exit_price", "pnl", "pnlcomm", "commission", "barlen")
ORDER_COLUMNS = ("ref", "data", "created_datetime", "executed_datetime", "type", "side", "status",
                 "size", "price", "executed_size", "executed_price", "comm")
EQUITY_COLUMNS = ("cash", "value", "drawdown")

_EPOCH_ORDINAL = 719163  # date number of 1970-01-01


def nums_to_datetimes(nums: Any) -> pd.DatetimeIndex:
    """Date numbers (backtrader's float days) to naive datetimes, to the microsecond."""
    arr = np.asarray(nums, dtype=np.float64)
    micros = np.round((arr - _EPOCH_ORDINAL) * 86_400_000_000.0)
    out = pd.to_datetime(np.where(np.isfinite(micros), micros, np.nan), unit="us")
    return pd.DatetimeIndex(out, name="datetime")


def results_frame(strategy: Any) -> dict[str, pd.DataFrame]:
    """``{'trades', 'orders', 'equity'}`` DataFrames for one finished strategy."""
    orders = _final_orders(strategy)
    return {
        "trades": trades_frame(strategy, orders),
        "orders": orders_frame(orders),
        "equity": equity_frame(strategy),
    }


def _final_orders(strategy: Any) -> list[Any]:
    """The last notified state of each order, in the order they were first notified."""
    last: dict[int, Any] = {}
    for order in getattr(strategy, "_orders", []):
        last[order.ref] = order
    return list(last.values())


def _dataname(data: Any) -> str:
    return getattr(data, "_name", "") or ""


def _when(num: float | None) -> pd.Timestamp:
    if num is None or not math.isfinite(num) or num <= 0:
        return pd.NaT
    return nums_to_datetimes([num])[0]


def orders_frame(orders: list[Any]) -> pd.DataFrame:
    """One row per order with its final status and execution (from its last notification)."""
    rows = []
    for o in orders:
        ex = o.executed
        rows.append({
            "ref": o.ref, "data": _dataname(o.data), "created_datetime": _when(o.created.dt),
            "executed_datetime": _when(ex.dt) if ex.size else pd.NaT,
            "type": o.getordername(), "side": o.ordtypename(), "status": o.getstatusname(),
            "size": o.created.size, "price": o.created.price, "executed_size": ex.size,
            "executed_price": ex.price if ex.size else math.nan, "comm": ex.comm,
        })
    return pd.DataFrame(rows, columns=list(ORDER_COLUMNS))


def _fills(orders: list[Any]) -> dict[tuple[int, int], list[Any]]:
    """Execution bits per (data id, tradeid), in execution order."""
    out: dict[tuple[int, int], list[tuple[float, int, Any]]] = defaultdict(list)
    for seq, o in enumerate(orders):
        data = getattr(o.data, "_compensate", None) or o.data
        for bit in getattr(o.executed, "exbits", []):
            out[(id(data), o.tradeid)].append((bit.dt, seq, bit))
    return {k: [b for _, _, b in sorted(v, key=lambda t: (t[0], t[1]))] for k, v in out.items()}


def _entries(bits: list[Any]) -> list[tuple[float, float]]:
    """Per closed trade, in order: (signed size opened, average exit price)."""
    out = []
    pos = opened = exit_value = exit_size = 0.0
    for bit in bits:
        if bit.closed:
            pos += bit.closed
            exit_value += abs(bit.closed) * bit.price
            exit_size += abs(bit.closed)
            if not pos:
                out.append((opened, exit_value / exit_size if exit_size else math.nan))
                opened = exit_value = exit_size = 0.0
        if bit.opened:
            pos += bit.opened
            opened += bit.opened
    return out


def trades_frame(strategy: Any, orders: list[Any] | None = None) -> pd.DataFrame:
    """One row per closed trade: when, how big, entry/exit price, profit and commission."""
    fills = _fills(_final_orders(strategy) if orders is None else orders)
    rows = []
    for data, byid in strategy._tradebook.trades.items():
        for tradeid, trades in byid.items():
            entries = _entries(fills.get((id(data), tradeid), []))
            closed = [t for t in trades if t.isclosed]
            for i, t in enumerate(closed):
                size, exit_price = entries[i] if i < len(entries) else (math.nan, math.nan)
                rows.append({
                    "ref": t.ref, "data": _dataname(data), "tradeid": tradeid,
                    "direction": "long" if getattr(t, "long", size > 0) else "short",
                    "open_datetime": _when(t.dtopen), "close_datetime": _when(t.dtclose),
                    "size": size, "price": t.price, "exit_price": exit_price, "pnl": t.pnl,
                    "pnlcomm": t.pnlcomm, "commission": t.commission, "barlen": t.barlen,
                })
    frame = pd.DataFrame(rows, columns=list(TRADE_COLUMNS))
    return frame.sort_values(["close_datetime", "ref"], kind="stable").reset_index(drop=True)


def _observer_line(strategy: Any, name: str) -> np.ndarray | None:
    """The first observer line called ``name`` (Broker, Cash, Value observers), as an array."""
    for obs in getattr(strategy, "_observers", []):
        if name in type(obs)._line_names:
            return np.asarray(getattr(obs.lines, name)._a, dtype=np.float64)
    return None


def drawdown_pct(value: np.ndarray) -> np.ndarray:
    """Percent below the running peak of ``value`` at each step (0 at a new high)."""
    value = np.asarray(value, dtype=np.float64)
    if not len(value):
        return value
    peak = np.fmax.accumulate(value)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * (peak - value) / peak


def equity_frame(strategy: Any) -> pd.DataFrame:
    """Cash, value and drawdown (percent) per step; empty without a Broker/Cash/Value observer."""
    index = nums_to_datetimes(strategy.lines.datetime._a)
    value = _observer_line(strategy, "value")
    cash = _observer_line(strategy, "cash")
    if value is None and cash is None:
        return pd.DataFrame(columns=list(EQUITY_COLUMNS), index=index[:0])
    nan = np.full(len(index), np.nan)
    value = nan if value is None else value
    return pd.DataFrame({
        "cash": nan if cash is None else cash, "value": value, "drawdown": drawdown_pct(value),
    }, index=index)
