"""``tradebridge optimize`` in a subprocess: local workers, CSV out, heatmap, resume, bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
from _helpers import STRATEGY_FILE


def _optimize(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tradebridge.cli.main", "optimize", *args],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, MPLBACKEND="Agg"))


@pytest.fixture(scope="module")
def csv(tmp_path_factory, bars_short):
    path = tmp_path_factory.mktemp("sweepcli") / "bars.csv"
    bars_short.to_csv(path, date_format="%Y-%m-%d")
    return path


def test_optimize_on_two_workers_writes_sorted_csv_and_heatmap(csv, tmp_path):
    out, png = tmp_path / "r.csv", tmp_path / "heat.png"
    args = [str(STRATEGY_FILE), "--data", str(csv), "--param", "fast=3:9:3", "--param",
            "slow=20,30", "--workers", "2", "--metric", "return", "--out", str(out),
            "--heatmap", "fast,slow", str(png), "--top", "3"]
    proc = _optimize(*args)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "6 combinations of Cross" and lines[1].split()[:3] == ["fast", "slow", "final_value"]
    assert len(lines) == 2 + 3 + 2
    df = pd.read_csv(out)
    assert len(df) == 6 and df["total_return_pct"].is_monotonic_decreasing
    assert png.read_bytes()[:4] == b"\x89PNG"
    again = _optimize(*args)  # same output: nothing left to run, same table
    assert again.returncode == 0 and again.stdout == proc.stdout
    pd.testing.assert_frame_equal(pd.read_csv(out), df)


@pytest.mark.parametrize("param, message", [
    ("fast=1:x:1", "is not a number"), ("nope=1,2", "unknown param 'nope'"),
    ("fast=1.5,2", "expected int"),
])
def test_bad_param_exits_2_with_the_reason(csv, param, message):
    proc = _optimize(str(STRATEGY_FILE), "--data", str(csv), "--param", param)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_heatmap_axes_must_be_swept_params(csv, tmp_path):
    proc = _optimize(str(STRATEGY_FILE), "--data", str(csv), "--param", "fast=3,5",
                     "--heatmap", "fast,slow", str(tmp_path / "h.png"))
    assert proc.returncode == 2 and "--heatmap fast,slow" in proc.stderr
