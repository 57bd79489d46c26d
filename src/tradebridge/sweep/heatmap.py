"""A heatmap PNG of one metric over two swept parameters (matplotlib, no display needed)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .results import LOWER_IS_BETTER

__all__ = ["heatmap"]


def heatmap(df: pd.DataFrame, x: str, y: str, metric: str, path: str | os.PathLike[str]) -> Path:
    """Save ``metric`` over ``x`` (columns) and ``y`` (rows) as a PNG; with more parameters
    swept, each cell shows the best value over the others."""
    from matplotlib.figure import Figure

    for name in (x, y, metric):
        if name not in df.columns:
            raise ValueError(f"heatmap: no column {name!r}")
    best = "min" if metric in LOWER_IS_BETTER else "max"
    table = df.pivot_table(index=y, columns=x, values=metric, aggfunc=best, dropna=False)
    table = table.sort_index().sort_index(axis=1)
    fig = Figure(figsize=(1.2 + 0.6 * max(4, table.shape[1]), 1.2 + 0.45 * max(4, table.shape[0])))
    ax = fig.add_subplot()
    image = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto",
                      cmap="viridis_r" if best == "min" else "viridis")
    ax.set_xticks(range(table.shape[1]), [str(v) for v in table.columns], rotation=90)
    ax.set_yticks(range(table.shape[0]), [str(v) for v in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    several = bool(df.duplicated([x, y]).any())
    ax.set_title(f"{metric} ({best} over the other parameters)" if several else metric)
    fig.colorbar(image, ax=ax, label=metric)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    return out
