"""examples/ibtest.py with backtrader's ibtest arguments, run as a user would: against the
in-process sandbox it backfills, goes live, buys and sells through IBBroker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ibtest.py"


def test_ibtest_example_trades_against_the_sandbox_by_default(tmp_path):
    env = {**os.environ, "TRADEBRIDGE_HOME": str(tmp_path)}
    args = ["--broker", "--trade", "--stopafter", "8", "--rtbar", "--sandbox-speed", "0.02", "--usestore"]
    done = subprocess.run([sys.executable, str(EXAMPLE), *args], env=env, capture_output=True, text=True,
                          timeout=60)
    out = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert "DATA NOTIF: AAPL-STK-SMART-USD: DELAYED" in out and "DATA NOTIF: AAPL-STK-SMART-USD: LIVE" in out
    assert "Buy Completed size 10" in out and "Sell Completed size -10.0" in out
    assert "TRADE 1 closed" in out
    assert list((tmp_path / "journals").glob("*.sqlite"))  # the journal went under TRADEBRIDGE_HOME


def test_ibtest_example_needs_a_dataname_for_a_real_tws(tmp_path):
    env = {**os.environ, "TRADEBRIDGE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, str(EXAMPLE), "--port", "4002"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "--data0 is required with --port" in done.stderr
