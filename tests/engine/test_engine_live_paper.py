"""Paper trading: live datas with the default BackBroker fill orders on live bars exactly as a
backtest on the same bars does (differential: same orders, fills, trades and final value)."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

import tradebridge as bt
from tradebridge.feeds.live import ReplayLiveData


def _walk(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(0, 1.0, n))
    opn = close + rng.normal(0, 0.4, n)
    high = np.maximum(opn, close) + rng.uniform(0, 1.0, n)
    low = np.minimum(opn, close) - rng.uniform(0, 1.0, n)
    idx = pd.date_range("2026-02-02 14:30", periods=n, freq="min")
    return pd.DataFrame({"open": opn, "high": high, "low": low, "close": close,
                         "volume": rng.integers(100, 1000, n).astype(float)}, index=idx)


class _Trader(bt.Strategy):
    """SMA cross with market entries, a limit add-on, a protective stop and a bracket."""

    def __init__(self) -> None:
        fast, slow = bt.ind.SMA(period=5), bt.ind.SMA(period=15)
        self.cross = bt.ind.CrossOver(fast, slow)
        self.events: list[tuple] = []
        self.seq: dict[int, int] = {}

    def _key(self, order) -> int:
        return self.seq.setdefault(order.ref, len(self.seq))

    def notify_order(self, order):
        self.events.append(("order", self._key(order), order.getstatusname(),
                            round(order.executed.size, 9), round(order.executed.price, 9),
                            round(order.executed.comm, 9), len(self.data)))

    def notify_trade(self, trade):
        self.events.append(("trade", trade.isclosed, round(trade.pnlcomm, 9), len(self.data)))

    def next(self):
        close = self.data.close[0]
        if self.cross > 0 and not self.position:
            self.buy(size=10)
            self.buy(size=5, exectype=bt.Order.Limit, price=close - 0.5,
                     valid=datetime.timedelta(minutes=3))
        elif self.cross < 0 and self.position:
            self.close()
        elif len(self.data) % 17 == 0 and not self.position:
            self.buy_bracket(size=3, price=close - 0.2, stopprice=close - 2, limitprice=close + 2)
        elif len(self.data) % 11 == 0 and self.position:
            self.sell(size=2, exectype=bt.Order.Stop, price=close - 1.0)


def _run(data, **kwargs):
    cerebro = bt.Cerebro(**kwargs)
    cerebro.broker.setcommission(commission=0.001)
    cerebro.adddata(data)
    cerebro.addstrategy(_Trader)
    strat = cerebro.run()[0]
    return strat.events, round(cerebro.broker.getvalue(), 9), round(cerebro.broker.getcash(), 9)


@pytest.mark.parametrize("seed", [3, 11])
def test_paper_trading_on_live_bars_equals_the_backtest_on_the_same_bars(seed):
    df = _walk(160, seed)
    want = _run(bt.feeds.PandasData(dataname=df))
    assert sum(1 for e in want[0] if e[0] == "order" and e[2] == "Completed") >= 6  # it trades
    assert want == _run(bt.feeds.PandasData(dataname=df), runonce=False, preload=False)
    # live: history first, then live bars arriving one by one (the engine idles between them)
    got = _run(ReplayLiveData(dataname=df, backfill_bars=40, pace=0.001))
    assert got == want
