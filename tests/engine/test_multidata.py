"""Several datas of different lengths and calendars advance together by datetime, as
backtrader does: lengths, current bars, indicators and trades on each data match."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from _enginediff import compare, log_order, log_trade

from tradebridge.utils.synthetic import synthetic_ohlcv


def two_calendars() -> list[pd.DataFrame]:
    """data0: 400 business days; data1 starts 40 bars later, ends 30 earlier, skips days."""
    d0 = synthetic_ohlcv(400, seed=3)
    d1 = synthetic_ohlcv(400, seed=4)
    d1 = d1.iloc[40:370]
    d1 = d1[[i % 7 != 3 for i in range(len(d1))]]
    return [d0, d1]


def pair_trader(lib: Any) -> type:
    class PairTrader(lib.Strategy):
        def __init__(self) -> None:
            self.sma0 = lib.ind.SMA(self.data0, period=15)
            self.sma1 = lib.ind.SMA(self.data1, period=10)
            self.x1 = lib.ind.CrossOver(self.data1.close, self.sma1)
            self.log: list[tuple] = []

        def notify_order(self, order: Any) -> None:
            log_order(self, order)
            self.log.append(("odata", order.data._name))

        def notify_trade(self, trade: Any) -> None:
            log_trade(self, trade)

        def prenext(self) -> None:
            self.log.append(("prenext", len(self), len(self.data0), len(self.data1)))

        def next(self) -> None:
            d0, d1 = self.data0, self.data1
            self.log.append((
                "bar", len(self), len(d0), len(d1), d0.datetime[0], d1.datetime[0], d0.close[0],
                d1.close[0], self.sma0[0], self.sma1[0], self.x1[0],
                self.getposition(d1).size, self.broker.getvalue(),
            ))
            if self.x1[0] > 0 and not self.getposition(d1):
                self.buy(data=d1, size=5)
            elif self.x1[0] < 0 and self.getposition(d1):
                self.close(data=d1)
            if len(self) % 50 == 0:
                self.order_target_size(data=self.getdatabyname("d0"), target=(len(self) // 50) % 3)

    return PairTrader


@pytest.mark.parametrize("runonce", [True, False])
def test_two_calendars_align_and_trade_like_backtrader(runonce: bool) -> None:
    log = compare(pair_trader, two_calendars(), runonce=runonce)
    assert {e[1] for e in log if e[0] == "odata"} == {"d0", "d1"}


def test_datas_and_names_are_reachable_every_backtrader_way() -> None:
    import tradebridge as bt

    seen: dict[str, Any] = {}

    class Names(bt.Strategy):
        def next(self) -> None:
            if not seen:
                seen.update(
                    datas=len(self.datas), data_is_0=self.data is self.data0,
                    byname=self.getdatabyname("d1") is self.data1, dnames=sorted(self.dnames),
                    alias=self.data1_close is self.data1.close and self.data_close is self.data.close,
                    posname=self.getpositionbyname("d1").size,
                )

    cerebro = bt.Cerebro()
    for i, df in enumerate(two_calendars()):
        cerebro.adddata(bt.feeds.PandasData(dataname=df), name=f"d{i}")
    cerebro.addstrategy(Names)
    cerebro.run()
    assert seen == dict(datas=2, data_is_0=True, byname=True, dnames=["d0", "d1"], alias=True,
                        posname=0)
