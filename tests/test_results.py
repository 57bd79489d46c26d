"""results_frame: trades, orders and equity of a finished run as DataFrames."""

from __future__ import annotations

import numpy as np
import pytest

import tradebridge as bt
from tradebridge.results import EQUITY_COLUMNS, ORDER_COLUMNS, TRADE_COLUMNS, results_frame


class _Flip(bt.Strategy):
    def next(self) -> None:
        if len(self) % 20 == 0:
            self.buy(size=5) if not self.position else self.close()


@pytest.fixture(scope="module")
def frames(bars_short):
    c = bt.Cerebro()
    c.adddata(bt.feeds.PandasData(dataname=bars_short))
    c.addstrategy(_Flip)
    strat = c.run()[0]
    return strat, results_frame(strat)


def test_frames_have_documented_columns(frames):
    _, r = frames
    assert tuple(r["trades"].columns) == TRADE_COLUMNS
    assert tuple(r["orders"].columns) == ORDER_COLUMNS
    assert tuple(r["equity"].columns) == EQUITY_COLUMNS


def test_one_trade_row_per_closed_trade_with_entry_size(frames):
    strat, r = frames
    closed = [t for ts in strat._tradebook.trades.values() for lst in ts.values() for t in lst
              if t.isclosed]
    assert len(r["trades"]) == len(closed) > 0
    assert (r["trades"]["size"] == 5).all()
    assert np.allclose(r["trades"]["pnl"], (r["trades"]["exit_price"] - r["trades"]["price"]) * 5)


def test_one_order_row_per_order_with_final_status(frames):
    _, r = frames
    orders = r["orders"]
    assert orders["ref"].is_unique
    assert set(orders["status"]) == {"Completed"}
    assert set(orders["side"]) == {"Buy", "Sell"}


def test_equity_has_a_row_per_bar_and_drawdown_from_peak(frames, bars_short):
    _, r = frames
    eq = r["equity"]
    assert len(eq) == len(bars_short)
    assert (eq.index == bars_short.index).all()
    peak = eq["value"].cummax()
    assert np.allclose(eq["drawdown"], 100 * (peak - eq["value"]) / peak)
