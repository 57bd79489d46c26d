"""A real dask LocalCluster (scheduler and 2 worker processes on loopback): a 4x4 grid equals
the serial run, a worker killed mid-sweep loses nothing and repeats nothing, the CLI reaches
the scheduler, and ``cerebro.run(executor=client.get_executor())`` equals a serial run."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import pandas as pd
import pytest
from _helpers import GRID, STRATEGY_FILE, classes, comparable, feed

import tradebridge as bt
from tradebridge.sweep import sweep

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=":0",
                                       silence_logs=logging.CRITICAL)
    with cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def cls():
    return classes()


def test_4x4_grid_on_the_cluster_equals_the_serial_run(client, cls, bars):
    cross, exposure = cls
    analyzers = [(exposure, {"_name": "exp"})]
    serial = sweep(cross, feed(bars), GRID, analyzers=analyzers)
    on_dask = sweep(cross, feed(bars), GRID, analyzers=analyzers, client=client, batch_size=2)
    pd.testing.assert_frame_equal(comparable(serial), comparable(on_dask))
    assert len(on_dask) == 16 and on_dask["error"].isna().all()


def test_worker_killed_mid_sweep_every_combination_once(client, cls, bars_short):
    cross, _ = cls
    grid = {**GRID, "pause": [0.15]}  # each run ~0.15 s: the killed worker is busy
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_one_worker(rows):
        if not killed:
            killed.append(next(iter(pids.values())))
            os.kill(killed[0], signal.SIGKILL)

    arrived: list[dict] = []
    df = sweep(cross, feed(bars_short), grid, client=client, batch_size=2,
               on_rows=lambda rows: (arrived.extend(rows), kill_one_worker(rows)))
    assert killed and killed[0] not in client.run(os.getpid).values()
    assert len(arrived) == 16 and len(df) == 16
    assert not df.duplicated(["fast", "slow"]).any() and df["error"].isna().all()
    serial = sweep(cross, feed(bars_short), GRID)
    pd.testing.assert_frame_equal(comparable(serial), comparable(df.drop(columns="pause")))


def test_cli_sweeps_on_the_scheduler(client, bars_short, tmp_path):
    bars_short.to_csv(tmp_path / "bars.csv", date_format="%Y-%m-%d")
    out = tmp_path / "r.parquet"
    proc = subprocess.run(
        [sys.executable, "-m", "tradebridge.cli.main", "optimize", f"{STRATEGY_FILE}:Cross",
         "--data", str(tmp_path / "bars.csv"), "--param", "fast=3:13:5", "--param", "slow=20,30",
         "--scheduler", client.scheduler.address, "--out", str(out)],
        capture_output=True, text=True, timeout=120, env=dict(os.environ, MPLBACKEND="Agg"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("6 combinations of Cross")
    assert sorted(zip(*pd.read_parquet(out)[["fast", "slow"]].to_numpy().T)) == [
        (f, s) for f in (3, 8, 13) for s in (20, 30)]


class FinalValue(bt.Analyzer):
    def stop(self):
        self.rets["value"] = self.strategy.broker.getvalue()


class Cross(bt.Strategy):  # importable by name: cerebro ships it pickled by reference
    params = (("fast", 5), ("slow", 20))

    def __init__(self):
        self.x = bt.ind.CrossOver(bt.ind.SMA(period=self.p.fast), bt.ind.SMA(period=self.p.slow))

    def next(self):
        if self.x > 0:
            self.buy()
        elif self.x < 0 and self.position:
            self.close()


def _optimize(df, **run_kwargs):
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(feed(df))
    cerebro.optstrategy(Cross, fast=[3, 5, 8], slow=[20, 30])
    cerebro.addanalyzer(FinalValue, _name="fv")
    called: list = []
    cerebro.optcallback(called.append)
    runs = cerebro.run(**run_kwargs)
    return [(r[0].p.fast, r[0].p.slow, r[0].analyzers.fv.get_analysis()["value"]) for r in runs], called


def test_cerebro_run_takes_a_dask_executor(client, bars_short):
    serial, _ = _optimize(bars_short, maxcpus=1)
    with client.get_executor() as executor:
        on_dask, called = _optimize(bars_short, executor=executor, maxcpus=2)
    assert on_dask == serial and len(called) == 6


def test_class_defined_in_a_function_is_refused_for_the_cluster(client, bars_short):
    class Local(bt.Strategy):
        pass

    with pytest.raises(ValueError, match="define the class at module level"):
        sweep(Local, feed(bars_short), {}, client=client)
