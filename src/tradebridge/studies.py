"""backtrader's ``bt.studies`` namespace (studies that are not plain indicators)."""

from .indicators.candles import Fractal

__all__ = ["Fractal"]
