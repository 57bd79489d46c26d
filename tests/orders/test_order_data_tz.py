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


def _cerebro(lib, tz):
    cerebro = lib.Cerebro(stdstats=False)
    kwargs = dict(dataname=BARS, timeframe=lib.TimeFrame.Minutes, compression=60,
                  sessionend=dt.time(16, 0))
    if tz:
        kwargs.update(tz=_Zone(tz), tzinput=_Zone("UTC"))
    cerebro.adddata(lib.feeds.PandasData(**kwargs))
    return cerebro


def _dteos(lib, tz):
    """dteos of Close orders made on bars 2..12, read on bar 18 (backtrader fixed each at
    creation; tradebridge works it out on that first read)."""
    cerebro = _cerebro(lib, tz)
    out = []

    class S(lib.Strategy):
        def __init__(self):
            self.made = []

        def next(self):
            if 2 <= len(self) <= 12:
                self.made.append(self.buy(size=1, exectype=lib.Order.Close))
            elif len(self) == 18:
                out.extend(o.dteos for o in self.made)

    cerebro.addstrategy(S)
    cerebro.run()
    return out


@pytest.mark.parametrize("tz", [None, "America/New_York"])
def test_dteos_read_late_equals_backtraders_at_creation(tz):
    ours, theirs = _dteos(tb, tz), _dteos(bt, tz)
    assert len(ours) == 11 and len(set(ours)) >= 2  # the orders straddle a session end
    assert ours == theirs


def _valids(lib, tz):
    """``valid`` of limit orders given as DAY, a timedelta and a naive datetime, on bar 3."""
    cerebro = _cerebro(lib, tz)
    out = []

    class S(lib.Strategy):
        def next(self):
            if len(self) == 3:
                for valid in (lib.Order.DAY, dt.timedelta(hours=3), dt.datetime(2026, 3, 3, 12)):
                    out.append(self.buy(size=1, exectype=lib.Order.Limit, price=1.0,
                                        valid=valid).valid)

    cerebro.addstrategy(S)
    cerebro.run()
    return out


@pytest.mark.parametrize("tz", [None, "America/New_York"])
def test_valid_times_are_read_in_the_data_zone_as_backtrader(tz):
    ours, theirs = _valids(tb, tz), _valids(bt, tz)
    assert len(ours) == 3
    assert ours == theirs


def test_dteos_of_a_simulated_order_is_zero():
    assert tb.BuyOrder(size=1, price=10.0, simulated=True).dteos == 0.0
