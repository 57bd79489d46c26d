"""Data feeds: CSV files, pandas DataFrames, and the base class for custom feeds."""

from ..utils.lazy import lazy_getattr
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
__getattr__ = lazy_getattr(__name__, {
    "IBData": "tradebridge.venues.ib.feed",
    "VCData": "tradebridge.venues.vc.feed",
    "OandaData": "tradebridge.venues.oanda.feed",
})
