"""Helpers for CSV feed tests: write bars as CSV text, load a feed in either framework."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def write_csv(path: Path, df: pd.DataFrame, *, dtfmt: str = "%Y-%m-%d", sep: str = ",",
              header: str | None = "Date,Open,High,Low,Close,Volume,OpenInterest",
              time_col: bool = False) -> Path:
    """The bars of ``df`` as a CSV file (optionally a separate time column)."""
    lines = [] if header is None else [header]
    for ts, r in df.iterrows():
        stamp = f"{ts:{dtfmt}}" + (f"{sep}{ts:%H:%M:%S}" if time_col else "")
        vals = [r.open, r.high, r.low, r.close, r.volume, r.openinterest]
        lines.append(sep.join([stamp, *(repr(float(v)) for v in vals)]))
    path.write_text("\n".join(lines) + "\n")
    return path


def run_bars(bt: Any, build: Any, *, preload: bool = True) -> list[tuple[float, ...]]:
    """Every bar a strategy sees from data 0 after ``build(cerebro, bt)`` added the datas."""
    out: list[tuple[float, ...]] = []

    class Recorder(bt.Strategy):
        def next(self) -> None:
            out.append(tuple(line[0] for line in self.data.lines))

    cerebro = bt.Cerebro(stdstats=False)
    build(cerebro, bt)
    cerebro.addstrategy(Recorder)
    cerebro.run(preload=preload)
    return out


def loaded_bars(bt: Any, feedcls: str, dataname: Any, *, preload: bool = True,
                **kwargs: Any) -> list[tuple[float, ...]]:
    """Every bar a strategy sees from the feed, all lines in line order."""
    return run_bars(bt, lambda c, b: c.adddata(getattr(b.feeds, feedcls)(dataname=dataname,
                                                                          **kwargs)),
                    preload=preload)


def same_bars(a: list[tuple[float, ...]], b: list[tuple[float, ...]]) -> bool:
    """Equal bit for bit, NaN equal to NaN."""
    if len(a) != len(b):
        return False
    return all(x == y or (x != x and y != y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
