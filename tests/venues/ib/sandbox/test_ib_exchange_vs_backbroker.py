"""Differential test: the sandbox exchange fills an IB order at the same prices and sizes as
tradebridge's BackBroker fills the equivalent backtrader order on the same bars."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ib_exchange_kit import AAPL, of, order

import tradebridge as tb
from tradebridge.brokers import BackBroker
from tradebridge.orders.fillers import FixedSize
from tradebridge.utils.synthetic import synthetic_ohlcv
from tradebridge.venues.ib.sandbox.events import Bar, ExecutionEvent
from tradebridge.venues.ib.sandbox.exchange import Exchange

NY = ZoneInfo("America/New_York")
KINDS = ["MKT", "MOC", "LMT", "STP", "STP LMT", "TRAIL", "TRAIL LIMIT"]


def _bars(seed: int, n: int = 40) -> pd.DataFrame:
    """Minute bars from 15:40 New York, so the 16:00 session end (MOC) falls inside."""
    return synthetic_ohlcv(n, seed=seed, start="2026-11-24 15:40", freq="min")


def _ib_request(kind: str, side: str, qty: int, close: float, ticks: int, trail: float):
    """An IB order ``ticks`` cents away from ``close`` (above for buy stops / sell limits)."""
    away = round(close + (ticks if (side == "BUY") == (kind.startswith("STP")) else -ticks) * 0.01, 2)
    fields: dict = {}
    if kind == "LMT":
        fields["lmt_price"] = away
    elif kind == "STP":
        fields["aux_price"] = away
    elif kind == "STP LMT":
        fields["aux_price"] = away
        fields["lmt_price"] = round(away + (0.05 if side == "BUY" else -0.05), 2)
    elif kind.startswith("TRAIL"):
        fields["aux_price"] = trail
        if kind == "TRAIL LIMIT":
            fields["lmt_price_offset"] = 0.05
    return order(side, qty, kind, tif="GTC", **fields)


def _bt_args(req, close: float) -> dict:
    """The backtrader order arguments that mean the same as IB request ``req``."""
    o = tb.Order
    kinds = {"MKT": o.Market, "MOC": o.Close, "LMT": o.Limit, "STP": o.Stop, "STP LMT": o.StopLimit,
             "TRAIL": o.StopTrail, "TRAIL LIMIT": o.StopTrailLimit}
    args = {"exectype": kinds[req.order_type], "size": req.total_quantity}
    if req.order_type == "LMT":
        args["price"] = req.lmt_price
    elif req.order_type in ("STP", "STP LMT"):
        args["price"] = req.aux_price
        if req.order_type == "STP LMT":
            args["plimit"] = req.lmt_price
    elif req.order_type.startswith("TRAIL"):
        args["trailamount"] = req.aux_price
        if req.order_type == "TRAIL LIMIT":
            args["price"] = close
            offset = req.lmt_price_offset
            args["plimit"] = close + offset if req.action == "BUY" else close - offset
    return args


def backbroker_fills(df: pd.DataFrame, req, filler=None) -> list[tuple[float, float]]:
    """(signed size, price) of every fill BackBroker makes for ``req`` placed after bar 0."""
    cerebro = tb.Cerebro(stdstats=False)
    cerebro.adddata(tb.feeds.PandasData(dataname=df, sessionend=dt.time(16, 0)))
    cerebro.broker = BackBroker(cash=1e9, filler=filler)
    fills: list[tuple[float, float]] = []

    class Once(tb.Strategy):
        def notify_order(self, o):
            fills.extend((bit.size, bit.price) for bit in o.executed.iterpending())

        def next(self):
            if len(self) == 1:
                side = self.buy if req.action == "BUY" else self.sell
                side(**_bt_args(req, self.data.close[0]))

    cerebro.addstrategy(Once)
    cerebro.run()
    return fills


def exchange_fills(df: pd.DataFrame, req, filler=None) -> list[tuple[float, float]]:
    """(signed size, price) of every execution the sandbox makes for ``req`` placed after bar 0."""
    ex = Exchange(cash=1e9, liquidity=filler)
    rows = list(df.itertuples())

    def push(row) -> list:
        when = row.Index.to_pydatetime().replace(tzinfo=NY)
        return ex.on_bar("AAPL", Bar(when, row.open, row.high, row.low, row.close, row.volume))

    push(rows[0])
    placed = ex.place(1, 1, AAPL, req)
    assert placed[-1].status == "Submitted", placed
    events = [e for row in rows[1:] for e in push(row)]
    sign = 1 if req.action == "BUY" else -1
    return [(sign * e.execution.shares, e.execution.price) for e in of(events, ExecutionEvent)]


def same(ours: list[tuple[float, float]], theirs: list[tuple[float, float]]) -> bool:
    """Equal fill lists (sizes exactly, prices to float precision)."""
    return len(ours) == len(theirs) and all(
        a[0] == b[0] and a[1] == pytest.approx(b[1]) for a, b in zip(ours, theirs, strict=True))


def _request(df: pd.DataFrame, kind: str, side: str, ticks: int, trail: float, qty: int = 500):
    return _ib_request(kind, side, qty, float(df["close"].iloc[0]), ticks, trail)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("side", ["BUY", "SELL"])
def test_every_order_type_fills_like_backbroker(kind, side):
    df = _bars(seed=3)
    req = _request(df, kind, side, ticks=15, trail=0.2)
    ours = exchange_fills(df, req)
    assert ours, f"{side} {kind} never filled on these bars: pick other bars"
    theirs = backbroker_fills(df, req)
    assert same(ours, theirs), (ours, theirs)


def test_partial_fills_match_backbroker_with_the_same_filler():
    df = _bars(seed=5)
    df["volume"] = 1000.0
    req = _request(df, "LMT", "BUY", ticks=5, trail=0.0, qty=2500)
    ours = exchange_fills(df, req, FixedSize(size=700))
    assert [size for size, _ in ours] == [700, 700, 700, 400]
    theirs = backbroker_fills(df, req, FixedSize(size=700))
    assert same(ours, theirs), (ours, theirs)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(KINDS), side=st.sampled_from(["BUY", "SELL"]),
       ticks=st.integers(0, 60), trail=st.sampled_from([0.05, 0.1, 0.25, 0.5]),
       chunk=st.sampled_from([None, 150, 400]))
def test_random_bars_and_orders_fill_like_backbroker(seed, kind, side, ticks, trail, chunk):
    df = _bars(seed=seed, n=25)
    req = _request(df, kind, side, ticks, trail)
    filler = (lambda: FixedSize(size=chunk)) if chunk else (lambda: None)
    ours, theirs = exchange_fills(df, req, filler()), backbroker_fills(df, req, filler())
    assert same(ours, theirs), (ours, theirs)
