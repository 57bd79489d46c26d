"""Order times on a data with a time zone: the end of session (``dteos``, worked out when first
read) and ``valid`` expiries are read in the data's zone, as backtrader reads them."""

import datetime as dt
import zoneinfo

import backtrader as bt
import pandas as pd
import pytest

import tradebridge as tb

# hourly bars around New York's session end (16:00), stored in UTC
BARS = pd.DataFrame(
    {"open": 100.0, "high": 101.0, "low": 99.0, "close": 100.5, "volume": 10.0},
    index=pd.date_range("2026-03-02 14:00", periods=30, freq="h"))


class _Zone(zoneinfo.ZoneInfo):
    """A zone that takes attributes: backtrader patches ``localize`` onto tz objects."""


def _collect(lib, tz, step):
    """Run ``step(strategy, out)`` on every bar of BARS (in ``tz``); return ``out``."""
    cerebro = lib.Cerebro(stdstats=False)
    kwargs = dict(dataname=BARS, timeframe=lib.TimeFrame.Minutes, compression=60,
                  sessionend=dt.time(16, 0))
    if tz:
        kwargs.update(tz=_Zone(tz), tzinput=_Zone("UTC"))
    cerebro.adddata(lib.feeds.PandasData(**kwargs))
    out = []

    class S(lib.Strategy):
        def __init__(self):
            self.made = []

        def next(self):
            step(self, out)

    cerebro.addstrategy(S)
    cerebro.run()
    return out


def _late_dteos(s, out):
    """Close orders made on bars 2..12, their dteos read on bar 18 (backtrader fixed each at
    creation; tradebridge works it out on that first read)."""
    if 2 <= len(s) <= 12:
        s.made.append(s.buy(size=1, exectype=_order(s).Close))
    elif len(s) == 18:
        out.extend(o.dteos for o in s.made)


def _valids(s, out):
    """``valid`` of limit orders given as DAY, a timedelta and a naive datetime, on bar 3."""
    if len(s) == 3:
        order = _order(s)
        for valid in (order.DAY, dt.timedelta(hours=3), dt.datetime(2026, 3, 3, 12)):
            out.append(s.buy(size=1, exectype=order.Limit, price=1.0, valid=valid).valid)


def _order(strategy):
    """The Order class of the strategy's library."""
    return tb.Order if isinstance(strategy, tb.Strategy) else bt.Order


@pytest.mark.parametrize("tz", [None, "America/New_York"])
@pytest.mark.parametrize("step, count", [(_late_dteos, 11), (_valids, 3)])
def test_order_times_are_read_in_the_data_zone_as_backtrader(step, count, tz):
    ours, theirs = _collect(tb, tz, step), _collect(bt, tz, step)
    assert len(ours) == count and len(set(ours)) >= 2  # distinct: the dteos straddle a session end
    assert ours == theirs


def test_dteos_of_a_simulated_order_is_zero():
    assert tb.BuyOrder(size=1, price=10.0, simulated=True).dteos == 0.0
