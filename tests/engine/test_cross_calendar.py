"""Line expressions over two datas of different calendars are aligned by datetime in
both drive modes (backtrader's runonce pairs bars by position instead; see docs/compat.md)."""

from __future__ import annotations

import pytest

import tradebridge as bt
from tradebridge.utils.synthetic import synthetic_ohlcv


@pytest.mark.parametrize("runonce", [True, False])
def test_expression_over_two_calendars_uses_each_datas_current_bar(runonce: bool) -> None:
    d0 = synthetic_ohlcv(120, seed=1)
    d1 = synthetic_ohlcv(120, seed=2).iloc[::2]  # every other day
    rows: list[tuple[float, float]] = []

    class S(bt.Strategy):
        def __init__(self) -> None:
            self.spread = self.data0.close - self.data1.close
            self.ratio_sma = bt.ind.SMA(self.data0.close / self.data1.close, period=3)

        def next(self) -> None:
            rows.append((self.spread[0], self.data0.close[0] - self.data1.close[0]))

    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=d0))
    cerebro.adddata(bt.feeds.PandasData(dataname=d1))
    cerebro.addstrategy(S)
    cerebro.run(runonce=runonce)
    assert len(rows) == 118  # SMA(3) holds next() back two bars
    assert all(a == b for a, b in rows)
