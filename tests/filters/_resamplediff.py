"""Differential harness: the same resampled/replayed run in backtrader and tradebridge."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tradebridge.utils.synthetic import synthetic_ohlcv


def intraday_bars(days: int = 5, seed: int = 3, drop: float = 0.1) -> pd.DataFrame:
    """Minute bars 09:31-16:00 on business days, with a seeded fraction of minutes missing."""
    rng = np.random.default_rng(seed)
    df = synthetic_ohlcv(days * 390, seed=seed)
    stamps: list[pd.Timestamp] = []
    for day in pd.bdate_range("2021-03-01", periods=days):
        stamps.extend(pd.date_range(day + pd.Timedelta(hours=9, minutes=31), periods=390, freq="min"))
    df.index = pd.DatetimeIndex(stamps, name="datetime")
    return df[rng.uniform(size=len(df)) > drop]


def run_mode(bt: Any, df: pd.DataFrame, mode: str, *, srctf: int, both: bool = False,
             preload: bool = False, runonce: bool = False, feedkw: dict | None = None,
             **kwargs: Any) -> list[tuple]:
    """Every bar the strategy sees: per data (len, datetime, OHLCV), then an SMA(3) of the last."""
    rows: list[tuple] = []

    class Recorder(bt.Strategy):
        def __init__(self) -> None:
            self.sma = bt.indicators.SMA(self.datas[-1].close, period=3)

        def next(self) -> None:
            rec: list[Any] = []
            for d in self.datas:
                rec.extend((len(d), d.datetime[0], d.open[0], d.high[0], d.low[0], d.close[0],
                            d.volume[0]))
            rec.append(self.sma[0])
            rows.append(tuple(rec))

    cerebro = bt.Cerebro(stdstats=False)
    data = bt.feeds.PandasData(dataname=df, timeframe=srctf, **(feedkw or {}))
    if both:
        cerebro.adddata(data)
    getattr(cerebro, mode)(data, **kwargs)
    cerebro.addstrategy(Recorder)
    cerebro.run(preload=preload, runonce=runonce)
    return rows


def assert_same_rows(expected: list[tuple], got: list[tuple]) -> None:
    """Equal bar by bar (relative 1e-9, NaN equal NaN)."""
    assert len(got) == len(expected), f"{len(got)} bars delivered, backtrader {len(expected)}"
    for i, (x, y) in enumerate(zip(expected, got)):
        assert np.allclose(np.array(x, float), np.array(y, float), rtol=1e-9, equal_nan=True), \
            f"bar {i}: backtrader {x} != tradebridge {y}"
