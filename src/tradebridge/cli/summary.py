"""The numbers a backtest summary shows, from analyzers the run carried, and their table.

Shared by the CLI and ``examples/sma_cross.py``: ``add_summary_analyzers(cerebro)`` before
``run()``, then ``summarize(strategy)`` and ``format_summary(...)``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["SUMMARY_KEYS", "add_summary_analyzers", "format_summary", "summarize"]

_NAME = "_summary"
SUMMARY_KEYS = ("start", "end", "bars", "start_value", "final_value", "total_return_pct",
                "annual_return_pct", "sharpe", "max_drawdown_pct", "trades", "win_rate_pct")
_LABELS = {
    "start": "Start", "end": "End", "bars": "Bars", "start_value": "Start value",
    "final_value": "Final value", "total_return_pct": "Total return %",
    "annual_return_pct": "Annual return %", "sharpe": "Sharpe (daily, annualised)",
    "max_drawdown_pct": "Max drawdown %", "trades": "Closed trades", "win_rate_pct": "Win rate %",
}


def add_summary_analyzers(cerebro: Any) -> None:
    """Attach the analyzer ``summarize`` reads (``RunSummary``: the numbers of SharpeRatio,
    DrawDown, Returns and TradeAnalyzer at a fraction of their per-bar cost)."""
    from ..analyzers import RunSummary

    cerebro.addanalyzer(RunSummary, _name=_NAME)


def _number(x: Any) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def summarize(strategy: Any) -> dict[str, Any]:
    """Start/end, values, returns, Sharpe, max drawdown, trades and win rate of one run."""
    names = strategy.analyzers.getnames()
    if _NAME not in names:
        raise ValueError("summarize: call add_summary_analyzers(cerebro) before cerebro.run()")
    found = strategy.analyzers.getbyname(_NAME).get_analysis()
    out = {key: found.get(key) for key in SUMMARY_KEYS}
    for key in ("annual_return_pct", "sharpe", "max_drawdown_pct"):
        out[key] = _number(out[key])
    return out


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}" if key == "sharpe" else f"{value:,.2f}"
    return str(value)


def format_summary(summary: dict[str, Any], title: str = "") -> str:
    """The summary as an aligned two-column text table."""
    width = max(len(v) for v in _LABELS.values())
    lines = [title] if title else []
    lines += [f"{_LABELS[k]:<{width}}  {_fmt(k, summary.get(k))}" for k in SUMMARY_KEYS]
    return "\n".join(lines)
