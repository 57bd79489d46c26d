"""Analyzers: statistics computed over a run (``strategy.analyzers.<name>.get_analysis()``)."""

from .annualreturn import AnnualReturn
from .base import Analyzer
from .calmar import Calmar
from .drawdown import DrawDown, TimeDrawDown
from .leverage import GrossLeverage
from .periodstats import PeriodStats
from .positions import PositionsValue, Transactions
from .pyfolio import PyFolio
from .returns import VWR, Returns, VariabilityWeightedReturn
from .sharpe import SharpeRatio, SharpeRatio_A
from .sqn import SQN, SystemQualityNumber
from .summary import RunSummary
from .timeframe import TimeFrameAnalyzerBase
from .timereturn import LogReturnsRolling, TimeReturn
from .tradeanalyzer import TradeAnalyzer

__all__ = [
    "VWR", "SQN", "Analyzer", "AnnualReturn", "Calmar", "DrawDown", "GrossLeverage",
    "LogReturnsRolling", "PeriodStats", "PositionsValue", "PyFolio", "Returns", "RunSummary", "SharpeRatio",
    "SharpeRatio_A", "SystemQualityNumber", "TimeDrawDown", "TimeFrameAnalyzerBase",
    "TimeReturn", "TradeAnalyzer", "Transactions", "VariabilityWeightedReturn",
]
