"""Parameter sweeps: a strategy over a grid of parameters, serially, on local processes or on
a dask cluster; resumable; results as a DataFrame, Parquet/CSV and a heatmap.

    from tradebridge.sweep import sweep
    df = sweep(SmaCross, data, {"fast": range(5, 51, 5), "slow": range(20, 201, 10)}, workers=2)
"""

from .grid import combo_key, expand, parse_param, parse_values
from .heatmap import heatmap
from .results import resolve_metric
from .runner import journal_path, sweep
from .worker import METRICS

__all__ = ["METRICS", "combo_key", "expand", "heatmap", "journal_path", "parse_param",
           "parse_values", "resolve_metric", "sweep"]
