"""Seeded synthetic OHLCV bars: realistic enough to exercise strategies (drift,
volatility clustering, overnight gaps, intrabar ranges), reproducible bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["synthetic_ohlcv"]


def synthetic_ohlcv(n: int = 2000, seed: int = 42, start: str = "2000-01-03",
                    freq: str = "B", price: float = 100.0, drift: float = 0.0002) -> pd.DataFrame:
    """A DataFrame (DatetimeIndex; open, high, low, close, volume, openinterest).

    Log returns follow a GARCH(1,1)-like variance so calm and turbulent spells alternate;
    opens gap from the previous close; highs/lows bracket open and close. Prices are
    rounded to cents, like a real tape. ``drift`` is the mean log return a bar (use 0 for
    very long series, whose price would otherwise grow without bound).
    """
    rng = np.random.default_rng(seed)
    var = np.empty(n)
    ret = np.empty(n)
    omega, alpha, beta = 2e-6, 0.08, 0.9
    v = omega / (1 - alpha - beta)
    shocks = rng.standard_normal(n)
    for i in range(n):
        var[i] = v
        ret[i] = drift + np.sqrt(v) * shocks[i]
        v = omega + alpha * ret[i] ** 2 + beta * v
    close = price * np.exp(np.cumsum(ret))
    prev = np.concatenate([[price], close[:-1]])
    gap = rng.normal(0, 0.25, n) * np.sqrt(var)
    open_ = prev * np.exp(gap)
    span = np.abs(rng.normal(0, 1, n)) * np.sqrt(var) * prev
    high = np.maximum(open_, close) + span * rng.uniform(0.2, 1.0, n)
    low = np.minimum(open_, close) - span * rng.uniform(0.2, 1.0, n)
    low = np.maximum(low, 0.01)
    volume = np.round(rng.lognormal(11, 0.4, n) * (1 + 20 * np.abs(ret)))
    index = pd.date_range(start, periods=n, freq=freq, name="datetime")
    df = pd.DataFrame({
        "open": np.round(open_, 2), "high": np.round(high, 2), "low": np.round(low, 2),
        "close": np.round(close, 2), "volume": volume, "openinterest": 0.0,
    }, index=index)
    df["high"] = df[["open", "high", "close"]].max(axis=1)
    df["low"] = df[["open", "low", "close"]].min(axis=1)
    return df
