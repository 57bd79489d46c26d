"""Array kernels shared by the built-in indicators (numpy, no Python loop per bar
except for recursive filters, which run over plain lists)."""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "adaptive_filter", "recursive", "recursive_dynamic", "rolling_count_below", "rolling_fsum", "rolling_max",
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
    # long windows: sums of 2, 4, 8, ... values combined (about 2 log2(period) passes over
    # the data instead of period - 1); it needs more scratch arrays, which cost more than
    # they save on long series with short windows (measured crossovers)
    doubling = period >= 48 or (period >= 10 and n <= 50_000)
    with np.errstate(invalid="ignore", over="ignore"):
        s, c = (_doubling_sums if doubling else _sequential_sums)(x, period, m)
        bad = ~np.isfinite(s)  # the plain sum carries a NaN/inf, the compensation would not
        np.add(s, c, out=c)
        np.copyto(c, s, where=bad)
    out[period - 1 :] = c
    return out


def _add_compensated(a: np.ndarray, ac: np.ndarray | None, b: np.ndarray, bc: np.ndarray | None,
                     s: np.ndarray, c: np.ndarray, back: np.ndarray, lost: np.ndarray) -> None:
    """``(s, c) = (a, ac) + (b, bc)``: ``s`` the rounded sum of ``a`` and ``b``, ``c`` their
    compensations (None: zero) plus its exact rounding error. ``s`` must not alias an input
    (``c`` may be ``ac``); ``back`` and ``lost`` are scratch."""
    np.add(a, b, out=s)
    np.subtract(s, a, out=back)  # the part of b that made it into s
    np.subtract(s, back, out=lost)
    np.subtract(a, lost, out=lost)  # what of a was lost
    np.subtract(b, back, out=back)  # what of b was lost
    np.add(lost, back, out=lost)
    if ac is None and bc is None:
        np.add(lost, 0.0, out=c)
    elif ac is None or bc is None:
        np.add(bc if ac is None else ac, lost, out=c)
    else:
        np.add(ac, bc, out=c)
        np.add(c, lost, out=c)


def _sequential_sums(x: np.ndarray, period: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(sums, compensations) of the ``m`` windows, adding one value after another."""
    s = x[0:m].copy()
    c = np.zeros(m)
    t, back, lost = np.empty(m), np.empty(m), np.empty(m)  # reused: no array per step
    for k in range(1, period):
        _add_compensated(s, c, x[k : k + m], None, t, c, back, lost)
        s, t = t, s
    return s, c


def _doubling_sums(x: np.ndarray, period: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(sums, compensations) of the ``m`` windows from blocks of 1, 2, 4, ... values: the
    window is the blocks of ``period``'s binary digits, laid end to end."""
    n = len(x)
    back, lost = np.empty(n), np.empty(n)
    spare = [(np.empty(n), np.empty(n)), (np.empty(n), np.empty(n))]  # block levels
    accs = [(np.empty(m), np.empty(m)), (np.empty(m), np.empty(m))]  # the window so far
    level: tuple[np.ndarray, np.ndarray | None] = (x, None)  # blocks of one value
    acc: tuple[np.ndarray, np.ndarray] | None = None
    blen, done, left = 1, 0, period
    while True:
        if left & 1:  # this block size is in the window: add the block after those added
            bs = level[0][done : done + m]
            bc = None if level[1] is None else level[1][done : done + m]
            nxt = accs.pop()
            if acc is None:
                nxt[0][:] = bs
                nxt[1][:] = 0.0 if bc is None else bc
            else:
                _add_compensated(acc[0], acc[1], bs, bc, nxt[0], nxt[1], back[:m], lost[:m])
                accs.append(acc)
            acc = nxt
            done += blen
        left >>= 1
        if not left:
            break
        k = n - 2 * blen + 1  # blocks of 2 * blen values: two neighbouring blocks
        s, c = spare.pop()
        lc = level[1]
        _add_compensated(level[0][:k], None if lc is None else lc[:k],
                         level[0][blen : blen + k], None if lc is None else lc[blen : blen + k],
                         s[:k], c[:k], back[:k], lost[:k])
        if lc is not None:
            spare.append((level[0].base if level[0].base is not None else level[0],
                          lc.base if lc.base is not None else lc))
        level = (s[:k], c[:k])
        blen *= 2
    assert acc is not None
    return acc


def window_view(x: np.ndarray, period: int) -> np.ndarray:
    """Every full window of ``x``, one row each, oldest value first (a view, no copy)."""
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
    win = window_view(x, period)
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


def recursive_dynamic(x: np.ndarray, start: int, seed: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``recursive`` with per-bar coefficients: ``y[i] = y[i-1] * a[i] + x[i] * b[i]``."""
    src = np.asarray(x, dtype=np.float64).tolist()
    ca = np.asarray(a, dtype=np.float64).tolist()
    cb = np.asarray(b, dtype=np.float64).tolist()
    n = len(src)
    out = [math.nan] * n
    if start >= n:
        return np.asarray(out)
    prev = out[start] = seed
    for i in range(start + 1, n):
        prev = prev * ca[i] + src[i] * cb[i]
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
    prods = window_view(x, period) * np.asarray(weights, dtype=np.float64)
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
    win = window_view(x, period)
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
