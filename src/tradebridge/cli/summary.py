"""The numbers a backtest summary shows, from analyzers the run carried, and their table.

Shared by the CLI and ``examples/sma_cross.py``: ``add_summary_analyzers(cerebro)`` before
``run()``, then ``summarize(strategy)`` and ``format_summary(...)``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["SUMMARY_KEYS", "add_summary_analyzers", "format_summary", "summarize"]

_PREFIX = "_summary_"
SUMMARY_KEYS = ("start", "end", "bars", "start_value", "final_value", "total_return_pct",
                "annual_return_pct", "sharpe", "max_drawdown_pct", "trades", "win_rate_pct")
_LABELS = {
    "start": "Start", "end": "End", "bars": "Bars", "start_value": "Start value",
    "final_value": "Final value", "total_return_pct": "Total return %",
    "annual_return_pct": "Annual return %", "sharpe": "Sharpe (daily, annualised)",
    "max_drawdown_pct": "Max drawdown %", "trades": "Closed trades", "win_rate_pct": "Win rate %",
}


def add_summary_analyzers(cerebro: Any) -> None:
    """Attach the analyzers ``summarize`` reads (Sharpe, DrawDown, Returns, TradeAnalyzer)."""
    from .. import analyzers
    from ..utils.timeframe import TimeFrame

    cerebro.addanalyzer(analyzers.SharpeRatio, _name=_PREFIX + "sharpe", timeframe=TimeFrame.Days,
                        annualize=True, riskfreerate=0.0)
    cerebro.addanalyzer(analyzers.DrawDown, _name=_PREFIX + "drawdown")
    cerebro.addanalyzer(analyzers.Returns, _name=_PREFIX + "returns")
    cerebro.addanalyzer(analyzers.TradeAnalyzer, _name=_PREFIX + "trades")


def _get(tree: Any, *path: str, default: Any = None) -> Any:
    """A nested analysis value (dicts or attribute dicts), or ``default`` when absent."""
    for key in path:
        try:
            tree = tree[key]
        except (KeyError, TypeError, IndexError):
            return default
    return tree


def _number(x: Any) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def summarize(strategy: Any) -> dict[str, Any]:
    """Start/end, values, returns, Sharpe, max drawdown, trades and win rate of one run."""
    from ..utils.dates import num2date

    found = {name: a.get_analysis() for name, a in zip(strategy.analyzers.getnames(),
                                                          strategy.analyzers)}
    need = [_PREFIX + k for k in ("sharpe", "drawdown", "returns", "trades")]
    missing = [n for n in need if n not in found]
    if missing:
        raise ValueError("summarize: call add_summary_analyzers(cerebro) before cerebro.run()")
    dts = strategy.lines.datetime._a
    broker = strategy.broker
    start_value = float(getattr(broker, "startingcash", broker.p.cash))
    final = float(broker.getvalue())
    closed = int(_get(found[_PREFIX + "trades"], "total", "closed", default=0) or 0)
    won = int(_get(found[_PREFIX + "trades"], "won", "total", default=0) or 0)
    rnorm = _number(_get(found[_PREFIX + "returns"], "rnorm100"))
    return {
        "start": num2date(dts[0]).isoformat(sep=" ") if dts else None,
        "end": num2date(dts[-1]).isoformat(sep=" ") if dts else None,
        "bars": len(dts),
        "start_value": start_value,
        "final_value": final,
        "total_return_pct": (final / start_value - 1.0) * 100.0 if start_value else None,
        "annual_return_pct": rnorm,
        "sharpe": _number(_get(found[_PREFIX + "sharpe"], "sharperatio")),
        "max_drawdown_pct": _number(_get(found[_PREFIX + "drawdown"], "max", "drawdown")),
        "trades": closed,
        "win_rate_pct": won / closed * 100.0 if closed else None,
    }


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
