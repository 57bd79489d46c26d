"""Hurst exponent over a rolling window, from how the spread of lagged differences grows."""

from __future__ import annotations

import numpy as np

from .base import Indicator

__all__ = ["HurstExponent"]


class HurstExponent(Indicator):
    """2 * slope of log10(sqrt(std of lag-differences)) against log10(lag), per ``period`` window.

    Lags run from ``lag_start`` (default 2) up to, not including, ``lag_end`` (default period // 2).
    """

    alias = ("Hurst",)
    lines = ("hurst",)
    params = (("period", 40), ("lag_start", None), ("lag_end", None))

    def __init__(self) -> None:
        self.addminperiod(self.p.period)
        self._lag_start = self.p.lag_start or 2
        self._lag_end = self.p.lag_end or (self.p.period // 2)
        self.lags = np.arange(self._lag_start, self._lag_end)
        self.log10lags = np.log10(self.lags)

    def _vec(self) -> np.ndarray:
        x, period = self._arr(), self.p.period
        out = np.full(len(x), np.nan)
        nwin = len(x) - period + 1
        if nwin <= 0:
            return out
        tau = np.empty((nwin, len(self.lags)))
        for k, lag in enumerate(self.lags.tolist()):
            diffs = x[lag:] - x[:-lag]
            win = np.lib.stride_tricks.sliding_window_view(diffs, period - lag)[:nwin]
            tau[:, k] = np.sqrt(win.std(axis=1))
        xc = self.log10lags - self.log10lags.mean()
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.log10(tau) @ xc / (xc @ xc)
        out[period - 1 :] = slope * 2.0
        return out

    def next(self) -> None:
        ts = np.asarray(self.data.get(size=self.p.period))
        tau = [np.sqrt(np.std(ts[lag:] - ts[:-lag])) for lag in self.lags]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.lines.hurst[0] = float(np.polyfit(self.log10lags, np.log10(tau), 1)[0]) * 2.0
