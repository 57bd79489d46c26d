"""RunSummary: the headline numbers of a run (returns, Sharpe, drawdown, trades, win rate)
from one cheap record per step, computed once at the end.

It gives exactly what SharpeRatio(timeframe=Days, annualize=True, riskfreerate=0),
DrawDown, Returns and TradeAnalyzer report, at a fraction of their per-bar cost; the
command line and parameter sweeps use it.
"""

from __future__ import annotations

import math
from array import array
from typing import Any

import numpy as np

from ..lines.buffer import nan_array
from ..utils.dates import num2date
from ._stats import average, standarddev
from .base import Analyzer

__all__ = ["RunSummary"]

_DAYS_A_YEAR = 252.0


class RunSummary(Analyzer):
    """Start/end, values, total and annualised return, daily Sharpe (annualised), maximum
    drawdown, closed trades and win rate."""

    def start(self) -> None:
        self._getvalue = self.strategy.broker.getvalue
        self._start_value = self._getvalue()
        self._values = array("d")
        self._record = self._values.append
        self._closed = self._won = 0

    def next(self) -> None:
        self._record(self._getvalue())

    def _value_sink(self, broker: Any) -> bool:
        """Have ``broker`` write the value of every step into the record, not a call a step."""
        steps = len(self.strategy.lines.datetime._a)  # preallocated: one slot a step
        recorded = len(self._values)
        self._values.extend(nan_array(steps - recorded))
        broker.add_value_sink(None, self._values)
        self._getvalue, self._record = _no_value, _skip  # steps before the steady state too
        return True

    def notify_trade(self, trade: Any) -> None:
        if trade.isclosed:
            self._closed += 1
            self._won += trade.pnlcomm >= 0.0

    def stop(self) -> None:
        self._getvalue = self._record = None  # bound to the broker: the analysis must pickle
        del self._values[len(self.strategy):]  # a sink was preallocated for every step
        dts = np.asarray(self.strategy.lines.datetime.array[: len(self._values)])
        values = np.asarray(self._values)
        start, final = self._start_value, self.strategy.broker.getvalue()
        self.rets.update(
            start=num2date(dts[0]).isoformat(sep=" ") if len(dts) else None,
            end=num2date(dts[-1]).isoformat(sep=" ") if len(dts) else None,
            bars=len(dts), start_value=start, final_value=final,
            total_return_pct=(final / start - 1.0) * 100.0 if start else None,
            **self._period_stats(dts, values, start, final),
            max_drawdown_pct=_max_drawdown(values),
            trades=self._closed,
            win_rate_pct=self._won / self._closed * 100.0 if self._closed else None,
        )

    def _period_stats(self, dts: np.ndarray, values: np.ndarray, start: float,
                      final: float) -> dict[str, Any]:
        """Daily returns (value at each day's last step over the previous day's), their
        annualised Sharpe ratio and the annualised log return, as the analyzers do."""
        if not len(values):
            return {"annual_return_pct": None, "sharpe": None}
        day = _day_keys(dts, getattr(self.strategy.datetime, "_tz", None))
        last = np.append(day[1:] != day[:-1], True)
        ends = values[last]
        before = np.concatenate(([start], ends[:-1]))
        returns = ends / before - 1.0  # the same divisions, element by element
        sharpe = None
        mean = average(returns.tolist())
        try:
            sharpe = math.sqrt(_DAYS_A_YEAR) * (mean / standarddev(returns, avgx=mean))
        except ZeroDivisionError:
            pass
        ratio = final / start if start else 0.0
        rtot = math.log(ratio) if ratio > 0.0 else -math.inf
        ravg = rtot / len(ends)
        rnorm = math.expm1(ravg * _DAYS_A_YEAR) if ravg > -math.inf else ravg
        return {"annual_return_pct": rnorm * 100.0, "sharpe": sharpe}


def _skip(value: float) -> None:
    """The record of a step the broker writes itself."""


def _no_value() -> float:
    """The value of a step the broker writes itself: not read."""
    return math.nan


def _day_keys(dts: np.ndarray, tz: Any) -> np.ndarray:
    """The calendar day of each step (in ``tz`` when the strategy shows another zone)."""
    if tz is None:
        return np.floor(dts)
    return np.array([num2date(x, tz).toordinal() for x in dts.tolist()])


def _max_drawdown(values: np.ndarray) -> float:
    """Largest fall from the running peak, in percent of the peak."""
    if not len(values):
        return 0.0
    peak = np.maximum.accumulate(values)
    return float(max(0.0, np.max(100.0 * (peak - values) / peak)))
