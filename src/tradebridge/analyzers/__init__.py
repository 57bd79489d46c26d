"""Analyzers: statistics computed over a run (``strategy.analyzers.<name>.get_analysis()``)."""

from .base import Analyzer

__all__ = ["Analyzer"]
