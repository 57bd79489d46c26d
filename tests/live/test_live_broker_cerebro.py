"""A Strategy run by Cerebro on the loopback venue: orders, fills and trades through the live engine."""

from __future__ import annotations

import tradebridge as tb
from tradebridge.live.loopback import LoopbackBroker, LoopbackData, LoopbackVenue
from tradebridge.utils.synthetic import synthetic_ohlcv


class RoundTrip(tb.Strategy):
    """Buys on the 3rd bar, sells on the 10th; records what it is told."""

    def __init__(self):
        self.orders, self.trades = [], []

    def notify_order(self, order):
        self.orders.append((order.ref, order.getstatusname()))

    def notify_trade(self, trade):
        self.trades.append((trade.isclosed, trade.pnl, trade.pnlcomm))

    def next(self):
        if len(self) == 3:
            self.buy(size=10)
        elif len(self) == 10:
            self.sell(size=10)


def test_strategy_trades_through_cerebro_on_the_loopback_venue(tmp_path):
    frame = synthetic_ohlcv(40, seed=5)
    venue = LoopbackVenue({"AAA": frame}, cash=50_000.0, commission=0.001)
    try:
        cerebro = tb.Cerebro(stdstats=False)
        cerebro.addstrategy(RoundTrip)
        cerebro.adddata(LoopbackData(dataname=frame, name="AAA", venue=venue, pace=0.02))
        cerebro.broker = LoopbackBroker(venue=venue, journal=tmp_path / "run.sqlite", cash=50_000.0)
        strat = cerebro.run()[0]
    finally:
        venue.close()
    statuses = [s for _, s in strat.orders]
    assert statuses == ["Submitted", "Accepted", "Completed"] * 2
    closed = [t for t in strat.trades if t[0]]
    assert len(closed) == 1
    assert closed[0][2] < closed[0][1]  # the venue's commission is in pnlcomm
    assert venue.positions() == {"AAA": 0.0}
    assert abs(cerebro.broker.getcash() - venue.engine.getcash()) < 1e-6
    assert len(venue.executions) == 2
