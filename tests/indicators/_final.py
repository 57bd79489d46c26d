"""Test helper: an indicator's whole lines read after the run, for indicators that write
values into past bars (Fractal, Ichimoku's chikou span)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["final_lines"]


def final_lines(mod: Any, make: Callable[[Any], Any], df: pd.DataFrame, runonce: bool) -> np.ndarray:
    """Every line of ``make(data)`` over the whole run (one row per line), under library ``mod``."""
    out: list[np.ndarray] = []

    class _Keep(mod.Strategy):
        def __init__(self) -> None:
            self.ind = make(self.data)

        def stop(self) -> None:
            out.extend(np.asarray(ln.array[: len(self.data)], dtype=float) for ln in self.ind.lines)

    cerebro = mod.Cerebro(stdstats=False, runonce=runonce)
    cerebro.adddata(mod.feeds.PandasData(dataname=df))
    cerebro.addstrategy(_Keep)
    cerebro.run()
    return np.array(out)
