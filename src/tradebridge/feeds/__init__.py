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


# Venue names load on first use, so tradebridge works without the venue's dependency.
_LAZY = {"IBData": "tradebridge.venues.ib.feed", "VCData": "tradebridge.venues.vc.feed",
         "OandaData": "tradebridge.venues.oanda.feed"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
