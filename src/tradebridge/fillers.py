"""backtrader's ``bt.fillers`` module: volume fillers for partial fills."""

from .orders.fillers import BarPointPerc, FixedBarPerc, FixedSize

__all__ = ["BarPointPerc", "FixedBarPerc", "FixedSize"]
