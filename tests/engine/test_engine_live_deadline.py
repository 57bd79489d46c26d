"""The engine's wake-up deadline for a resampled live bar is exactly when the Resampler (driven
by the clock, shifted with the data's ``_timeoffset``) delivers that bar; and run(live=True)
over backtest datas gives the backtest's result."""

from __future__ import annotations

import datetime as _dt

import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tradebridge as bt
from tradebridge.engine.live import bar_deadline
from tradebridge.feeds.live import LiveDataBase
from tradebridge.live import Event, Inbox, Kind

UTC = _dt.UTC
DAY0 = _dt.datetime(2026, 3, 2, tzinfo=UTC).timestamp()


class _HandFed(LiveDataBase):
    """Events handed over by the test, on the engine thread."""


def _clock_at(data, epoch: float) -> None:
    """Make the data's clock (what the resampler's check reads) show ``epoch``."""
    data._timeoffset = lambda: _dt.timedelta(seconds=epoch - _dt.datetime.now(UTC).timestamp())


@settings(max_examples=80, deadline=None)
@given(st.floats(0, 80_000), st.sampled_from([bt.TimeFrame.Seconds, bt.TimeFrame.Minutes]),
       st.sampled_from([1, 2, 3, 5, 15, 30]))
def test_the_deadline_is_when_the_resampler_closes_the_bar_on_the_clock(offset, tf, comp):
    tick = round(DAY0 + offset, 3)
    assume(tick != int(tick))  # a tick exactly on a boundary closes its bar itself (right edge)
    data = _HandFed(timeframe=bt.TimeFrame.Ticks)
    data.resample(timeframe=tf, compression=comp)
    data._inbox = Inbox()
    data._start()
    data.on_event(Event(Kind.TICK, {"price": 1.5, "size": 2, "time": tick}, data))
    assert data.next() is None  # the tick went into the open bar
    deadline = bar_deadline(data, data._filters[0][0])
    unit = 60 if tf == bt.TimeFrame.Minutes else 1
    assert tick < deadline <= tick + comp * unit + 1e-6
    assert round(deadline - DAY0, 6) % (comp * unit) == 0  # on the grid of the bar size
    _clock_at(data, deadline - 0.002)
    data._check()
    assert data.next() is None  # not yet
    _clock_at(data, deadline + 0.002)
    data._check()
    assert data.next() is True  # closed on the clock, no tick needed
    assert abs(data.datetime.datetime(0).replace(tzinfo=UTC).timestamp() - deadline) < 1e-3
    assert (data.close[0], data.volume[0]) == (1.5, 2.0)


def test_run_live_true_over_backtest_datas_equals_the_backtest():
    idx = pd.date_range("2026-01-05", periods=50, freq="D")
    df = pd.DataFrame({"open": range(50), "high": range(1, 51), "low": range(50),
                       "close": [float(i) + 0.5 for i in range(50)], "volume": 1.0}, index=idx)

    class Buyer(bt.Strategy):
        def __init__(self):
            self.sma = bt.ind.SMA(period=5)
            self.seen = []

        def next(self):
            self.seen.append((len(self), self.sma[0]))
            if len(self) % 10 == 0:
                self.buy() if not self.position else self.close()

    def run(**kw):
        cerebro = bt.Cerebro()
        cerebro.adddata(bt.feeds.PandasData(dataname=df))
        cerebro.addstrategy(Buyer)
        strat = cerebro.run(**kw)[0]
        return strat.seen, cerebro.broker.getvalue(), cerebro.inbox

    seen, value, inbox = run()
    live_seen, live_value, live_inbox = run(live=True)
    assert (live_seen, live_value) == (seen, value)
    assert inbox is None and live_inbox is not None and live_inbox.closed
