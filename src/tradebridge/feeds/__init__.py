"""Data feeds: CSV files, pandas DataFrames, and the base class for custom feeds."""

from .base import AbstractDataBase, DataBase, DataClone, FeedBase
from .chainer import Chainer
from .csvbase import CSVDataBase, CSVFormatError
from .csvgeneric import BacktraderCSVData, GenericCSVData
from .pandafeed import PandasData, PandasDirectData
from .yahoo import YahooFinanceCSVData, YahooLegacyCSV

__all__ = [
    "AbstractDataBase", "BacktraderCSVData", "CSVDataBase", "CSVFormatError", "Chainer",
    "DataBase", "DataClone", "FeedBase", "GenericCSVData", "PandasData", "PandasDirectData",
    "YahooFinanceCSVData", "YahooLegacyCSV",
]
