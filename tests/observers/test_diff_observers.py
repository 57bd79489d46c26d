"""Observers' line values equal backtrader's at every bar after the same SMA-crossover run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tradebridge.utils.synthetic import synthetic_ohlcv
from tradebridge.utils.timeframe import TimeFrame as TF

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analyzers"))
from _andiff import DataRef, assert_same, both  # noqa: E402

DAILY = synthetic_ohlcv(700, seed=5)
OTHER = synthetic_ohlcv(700, seed=9)

OBSERVERS = [
    ("", "DrawDown", {}),
    ("", "DrawDownLength", {}),
    ("", "DrawDown_Old", {}),
    ("", "TimeReturn", {}),
    ("", "TimeReturn", dict(timeframe=TF.Weeks)),
    ("", "TimeReturn", dict(timeframe=TF.Months)),
    ("", "TimeReturn", dict(timeframe=TF.Years)),
    ("", "Benchmark", {}),
    ("", "Benchmark", dict(timeframe=TF.Weeks, data=DataRef(1))),
    ("", "Benchmark", dict(timeframe=TF.Months, _doprenext=True, firstopen=True)),
    ("", "LogReturns", {}),
    ("", "LogReturns", dict(timeframe=TF.Weeks, compression=2)),
    ("", "LogReturns2", dict(timeframe=TF.Months)),
    ("", "FundValue", {}),
    ("", "FundShares", {}),
]
WANTED = {clsname for _, clsname, _ in OBSERVERS} | {"Broker", "Trades"}


def _lines(strat: Any) -> list[tuple[str, dict[str, list[float]]]]:
    """Each wanted observer (in order) with its line values, one per strategy step
    (backtrader's buffers may hold unused slots past the last step)."""
    out = []
    n = len(strat)
    for obs in strat.observers:
        if isinstance(obs, list) or type(obs).__name__ not in WANTED:
            continue
        names = obs.lines.getlinealiases()
        out.append((type(obs).__name__, {k: list(getattr(obs.lines, k).array)[:n] for k in names}))
    return out


@pytest.mark.parametrize(("fundmode", "runonce"), [(False, True), (True, True), (False, False)])
def test_observer_lines_match_backtrader_at_every_bar(fundmode: bool, runonce: bool) -> None:
    ref, got = both([DAILY, OTHER], observers=OBSERVERS, fundmode=fundmode, runonce=runonce)
    ref_lines, got_lines = _lines(ref), _lines(got)
    assert [n for n, _ in ref_lines] == [n for n, _ in got_lines]
    assert len(ref_lines) == len(OBSERVERS) + 1  # + Broker (two datas: DataTrades, not Trades)
    for (name, ref_vals), (_, got_vals) in zip(ref_lines, got_lines):
        assert_same(ref_vals, got_vals, name)


def test_observer_analyzers_stay_out_of_strategy_analyzers() -> None:
    _, got = both([DAILY], observers=[("", "DrawDown", {}), ("", "TimeReturn", {})])
    assert len(list(got.analyzers)) == 0
