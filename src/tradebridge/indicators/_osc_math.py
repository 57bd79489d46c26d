"""Array kernels private to the oscillators: where a window's extreme last occurred."""

from __future__ import annotations

import numpy as np

__all__ = ["extreme_ago"]


def extreme_ago(x: np.ndarray, period: int, highest: bool) -> np.ndarray:
    """Bars back to the most recent max (or min) of each ``period`` window; NaN before the first."""
    x = np.asarray(x, dtype=np.float64)
    out = np.full(len(x), np.nan)
    if len(x) < period:
        return out
    win = np.lib.stride_tricks.sliding_window_view(x, period)[:, ::-1]  # newest first
    out[period - 1 :] = win.argmax(axis=1) if highest else win.argmin(axis=1)
    return out
