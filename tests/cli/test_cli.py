"""The tradebridge command in a subprocess: summary, --json, --plot, and clean input errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STRATEGY = '''
import tradebridge as bt

class Cross(bt.Strategy):
    params = (("fast", 10), ("slow", 30), ("stake", 10))

    def __init__(self):
        self.x = bt.indicators.CrossOver(bt.indicators.SMA(period=self.p.fast),
                                         bt.indicators.SMA(period=self.p.slow))

    def next(self):
        if not self.position and self.x > 0:
            self.buy(size=self.p.stake)
        elif self.position and self.x < 0:
            self.close()
'''


def _run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "tradebridge.cli.main", *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def files(tmp_path_factory, bars_short):
    d = tmp_path_factory.mktemp("cli")
    (d / "strat.py").write_text(STRATEGY)
    bars_short.to_csv(d / "bars.csv", date_format="%Y-%m-%d")
    return d


def test_version_prints_package_version():
    out = _run("--version")
    assert out.returncode == 0 and out.stdout.startswith("tradebridge ")


def test_backtest_prints_summary_and_writes_json_and_png(files):
    out = _run("backtest", str(files / "strat.py"), "--data", str(files / "bars.csv"),
               "--param", "fast=5", "--json", str(files / "o.json"), "--plot", str(files / "o.png"))
    assert out.returncode == 0, out.stderr
    assert "Final value" in out.stdout and "Win rate %" in out.stdout
    record = json.loads((files / "o.json").read_text())
    assert record["params"] == {"fast": 5} and record["bars"] == 300
    assert (files / "o.png").read_bytes()[:4] == b"\x89PNG"


def test_unknown_param_exits_2_naming_it(files):
    out = _run("backtest", str(files / "strat.py"), "--data", str(files / "bars.csv"),
               "--param", "fsat=5")
    assert out.returncode == 2
    assert "unknown param 'fsat'" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_param_of_wrong_type_exits_2(files):
    out = _run("backtest", str(files / "strat.py"), "--data", str(files / "bars.csv"),
               "--param", "fast=five")
    assert out.returncode == 2 and "expected int" in out.stderr


def test_missing_data_file_exits_2(files):
    out = _run("backtest", str(files / "strat.py"), "--data", str(files / "nope.csv"))
    assert out.returncode == 2 and "data file not found" in out.stderr


def test_bad_csv_exits_2_naming_missing_column(files):
    bad = Path(files / "bad.csv")
    bad.write_text("date,open,high,low\n2020-01-01,1,2,0.5\n")
    out = _run("backtest", str(files / "strat.py"), "--data", str(bad))
    assert out.returncode == 2 and "missing column(s) close" in out.stderr


def test_missing_strategy_class_exits_2(files):
    out = _run("backtest", str(files / "strat.py") + ":Nope", "--data", str(files / "bars.csv"))
    assert out.returncode == 2 and "no Strategy class 'Nope'" in out.stderr
