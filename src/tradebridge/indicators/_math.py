"""Array kernels shared by the built-in indicators (numpy, no Python loop per bar
except for recursive filters, which run over plain lists)."""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "adaptive_filter", "recursive", "rolling_count_below", "rolling_fsum", "rolling_max",
    "rolling_min", "rolling_weighted", "seeded_smoothing",
]


def rolling_fsum(x: np.ndarray, period: int) -> np.ndarray:
    """Sum of each ``period``-window (NaN before the first full window).

    Compensated summation across the window (each addition's exact rounding error, by
    Knuth's branch-free TwoSum, is summed apart and added at the end), so each sum equals
    ``math.fsum`` of its window to the last bit in practice and equal windows give
    equal sums — what backtrader's per-bar ``math.fsum`` gives.
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    out = np.full(n, np.nan)
    m = n - period + 1
    if m <= 0 or period <= 0:
        return out
    s = x[0:m].copy()
    c = np.zeros(m)
    t, back, err = np.empty(m), np.empty(m), np.empty(m)  # reused: no array per step
    with np.errstate(invalid="ignore", over="ignore"):
        for k in range(1, period):
            v = x[k : k + m]
            np.add(s, v, out=t)
            np.subtract(t, s, out=back)  # the part of v that made it into t
            np.subtract(t, back, out=err)
            np.subtract(s, err, out=err)  # what of s was lost
            np.subtract(v, back, out=back)  # what of v was lost
            np.add(err, back, out=err)
            c += err
            s, t = t, s
        res = s + c
    # non-finite windows: the plain sum carries the NaN/inf, the compensation would not
    bad = ~np.isfinite(s)
    res[bad] = s[bad]
    out[period - 1 :] = res
    return out


def _window_view(x: np.ndarray, period: int) -> np.ndarray:
    return np.lib.stride_tricks.sliding_window_view(x, period)


def rolling_max(x: np.ndarray, period: int) -> np.ndarray:
    """Python ``max`` over each window (NaN before the first full window)."""
    return _rolling_pick(x, period, np.greater)


def rolling_min(x: np.ndarray, period: int) -> np.ndarray:
    """Python ``min`` over each window."""
    return _rolling_pick(x, period, np.less)


def _rolling_pick(x: np.ndarray, period: int, better: np.ufunc) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    out = np.full(n, np.nan)
    if n < period:
        return out
    win = _window_view(x, period)
    cur = win[:, 0].copy()
    for k in range(1, period):
        v = win[:, k]
        cur = np.where(better(v, cur), v, cur)
    out[period - 1 :] = cur
    return out


def recursive(x: np.ndarray, start: int, seed: float, a: float, b: float) -> np.ndarray:
    """``y[i] = y[i-1] * a + x[i] * b`` from ``start + 1`` on, ``y[start] = seed``."""
    src = np.asarray(x, dtype=np.float64).tolist()
    n = len(src)
    out = [math.nan] * n
    if start >= n:
        return np.asarray(out)
    prev = seed
    out[start] = prev
    for i in range(start + 1, n):
        prev = prev * a + src[i] * b
        out[i] = prev
    return np.asarray(out)


def seeded_smoothing(x: np.ndarray, period: int, alpha: float, offset: int = 0) -> np.ndarray:
    """Exponential smoothing seeded with the simple mean of the first window.

    ``offset`` is how many leading bars of ``x`` are not yet valid (NaN).
    """
    x = np.asarray(x, dtype=np.float64)
    start = offset + period - 1
    if start >= len(x):
        return np.full(len(x), np.nan)
    seed = math.fsum(x[start - period + 1 : start + 1].tolist()) / period
    return recursive(x, start, seed, 1.0 - alpha, alpha)


def rolling_weighted(x: np.ndarray, weights: list[float]) -> np.ndarray:
    """Weighted sum of each window (weights oldest first; NaN before the first full window)."""
    x = np.asarray(x, dtype=np.float64)
    period = len(weights)
    out = np.full(len(x), np.nan)
    if len(x) < period:
        return out
    prods = _window_view(x, period) * np.asarray(weights, dtype=np.float64)
    s = prods[:, 0].copy()
    c = np.zeros(len(s))
    with np.errstate(invalid="ignore", over="ignore"):
        for k in range(1, period):  # Neumaier summation: matches math.fsum of the products
            v = prods[:, k]
            t = s + v
            c += np.where(np.abs(s) >= np.abs(v), (s - t) + v, (v - t) + s)
            s = t
    out[period - 1 :] = np.where(np.isfinite(s), s + c, s)
    return out


def rolling_count_below(x: np.ndarray, period: int) -> np.ndarray:
    """How many values of each window are strictly below the window's last value."""
    x = np.asarray(x, dtype=np.float64)
    out = np.full(len(x), np.nan)
    if len(x) < period:
        return out
    win = _window_view(x, period)
    out[period - 1 :] = (win < win[:, -1:]).sum(axis=1)
    return out


def adaptive_filter(x: np.ndarray, sc: np.ndarray, start: int, seed: float) -> np.ndarray:
    """``y[i] = y[i-1] + sc[i] * (x[i] - y[i-1])`` from ``start + 1`` on, ``y[start] = seed``."""
    src = np.asarray(x, dtype=np.float64).tolist()
    coef = np.asarray(sc, dtype=np.float64).tolist()
    n = len(src)
    out = [math.nan] * n
    if start >= n:
        return np.asarray(out)
    prev = seed
    out[start] = prev
    for i in range(start + 1, n):
        prev = prev + coef[i] * (src[i] - prev)
        out[i] = prev
    return np.asarray(out)
