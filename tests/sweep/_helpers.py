"""Shared pieces of the sweep tests: the strategy file's classes and a small feed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import tradebridge as bt
from tradebridge.cli.loader import load_strategy

STRATEGY_FILE = Path(__file__).with_name("strategies.py")
GRID = {"fast": [3, 5, 8, 13], "slow": [15, 20, 30, 40]}


def classes() -> tuple[type, type]:
    """(Cross, Exposure) loaded from the strategy file like the CLI loads a user's file."""
    cross = load_strategy(f"{STRATEGY_FILE}:Cross")
    return cross, sys.modules[cross.__module__].Exposure


def feed(df: Any) -> Any:
    return bt.feeds.PandasData(dataname=df)


def comparable(df: Any) -> Any:
    """A result table without the timing column (the only part allowed to differ)."""
    return df.drop(columns="seconds").reset_index(drop=True)
