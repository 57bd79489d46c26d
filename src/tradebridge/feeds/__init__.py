"""Data feeds: CSV files, pandas DataFrames, and the base class for custom feeds."""

from .base import AbstractDataBase, DataBase, DataClone, FeedBase
from .pandafeed import PandasData, PandasDirectData

__all__ = ["AbstractDataBase", "DataBase", "DataClone", "FeedBase", "PandasData", "PandasDirectData"]
