"""SessionFiller inserts exactly the bars backtrader inserts (gaps, session start and end)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import backtrader
import numpy as np
import pytest
from _resamplediff import intraday_bars

import tradebridge
import tradebridge.filters  # noqa: F401  (bt.filters)


def _filled(bt: Any, preload: bool, session: tuple[dt.time, dt.time], **kwargs: Any) -> list:
    rows: list[tuple] = []

    class Recorder(bt.Strategy):
        def next(self) -> None:
            rows.append((len(self.data), *(line[0] for line in self.data.lines)))

    data = bt.feeds.PandasData(dataname=intraday_bars(days=3, drop=0.2),
                               timeframe=bt.TimeFrame.Minutes, sessionstart=session[0],
                               sessionend=session[1])
    data.addfilter(bt.filters.SessionFiller, **kwargs)
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(data)
    cerebro.addstrategy(Recorder)
    cerebro.run(preload=preload)
    return rows


@pytest.mark.parametrize("preload", [True, False])
@pytest.mark.parametrize(("session", "kwargs"), [
    ((dt.time(9, 30), dt.time(16, 0)), {"fill_vol": 0.0}),
    ((dt.time(9, 0), dt.time(16, 30)), {}),
    ((dt.time(9, 0), dt.time(16, 30)), {"skip_first_fill": False, "fill_price": 1.0,
                                        "fill_oi": 0.0}),
    ((dt.time(10, 0), dt.time(15, 0)), {}),
])
def test_filled_bars_equal_backtrader(preload: bool, session: tuple, kwargs: dict) -> None:
    expected = _filled(backtrader, preload, session, **kwargs)
    got = _filled(tradebridge, preload, session, **kwargs)
    assert len(expected) > 700
    assert len(got) == len(expected)
    assert all(np.allclose(x, y, equal_nan=True) for x, y in zip(expected, got))


def test_session_filler_refuses_daily_data() -> None:
    data = tradebridge.feeds.PandasData(dataname=intraday_bars(days=1))
    with pytest.raises(ValueError, match="intraday data needed"):
        data.addfilter(tradebridge.filters.SessionFiller)
