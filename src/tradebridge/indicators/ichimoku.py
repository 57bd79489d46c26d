"""Ichimoku Kinko Hyo: conversion/base lines, the cloud pushed forward, the lagging close."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..lines.lineiterator import store
from .base import Indicator
from .basicops import Highest, Lowest

__all__ = ["Ichimoku"]


class Ichimoku(Indicator):
    """Midpoints of high/low ranges; the cloud is shifted ``senkou_lead`` bars forward and the
    chikou span is the close ``chikou`` bars ahead (it looks forward, as in backtrader)."""

    lines = ("tenkan_sen", "kijun_sen", "senkou_span_a", "senkou_span_b", "chikou_span")
    params = (("tenkan", 9), ("kijun", 26), ("senkou", 52), ("senkou_lead", 26), ("chikou", 26))
    plotinfo = dict(subplot=False)
    plotlines = dict(senkou_span_a=dict(_fill_gt=("senkou_span_b", "g"), _fill_lt=("senkou_span_b", "r")))

    def _midrange(self, period: int) -> Any:
        """(highest high + lowest low) / 2 over ``period`` bars."""
        hi = Highest(self.data.high, period=period)
        lo = Lowest(self.data.low, period=period)
        return (hi + lo) / 2.0

    def __init__(self) -> None:
        p = self.p
        tenkan = self._midrange(p.tenkan)
        kijun = self._midrange(p.kijun)
        self.lines.tenkan_sen = tenkan
        self.lines.kijun_sen = kijun
        self.lines.senkou_span_a = ((tenkan + kijun) / 2.0)(-p.senkou_lead)
        self.lines.senkou_span_b = self._midrange(p.senkou)(-p.senkou_lead)
        self.updateminperiod(p.chikou)

    # chikou_span[i] = close[i + chikou]: filled whole in runonce mode; bar by bar each close is
    # written ``chikou`` bars back once it is known (so [0] reads NaN), both as backtrader does
    def _compute_once(self) -> None:
        close = self._line_arr(self.data.close)
        ago, n = self.p.chikou, len(close)
        out = np.full(n, np.nan)
        if ago < n:
            out[: n - ago] = close[ago:]
            if ago > 0:
                out[-1] = close[ago - 1]  # backtrader's runonce writes this one at index -1
        store(self.lines.chikou_span, out, 1)

    def _lead_close(self) -> None:
        n, ago = len(self), self.p.chikou
        if n > ago:
            self.lines.chikou_span[-ago] = self.data.close[0]
        elif n == ago:  # backtrader writes index -1 of its growing buffer: this very bar
            self.lines.chikou_span[0] = self.data.close[0]

    prenext = next = _lead_close
