"""The sweep runner without a cluster: rows equal single backtests, local workers equal a
serial run, failures are recorded rows, an interrupted sweep resumes without repeats."""

from __future__ import annotations

import pandas as pd
import pytest
from _helpers import GRID, classes, comparable, feed

from tradebridge.cli.main import run_backtest
from tradebridge.cli.summary import summarize
from tradebridge.sweep import METRICS, heatmap, journal_path, sweep


@pytest.fixture(scope="module")
def cls():
    return classes()


def test_each_row_equals_a_single_backtest_of_its_params(cls, bars):
    cross, exposure = cls
    df = sweep(cross, feed(bars), {"fast": [3, 8], "slow": [20, 40]},
               analyzers=[(exposure, {"_name": "exp"})])
    assert len(df) == 4 and df["error"].isna().all()
    for row in df.to_dict("records"):
        _, strat = run_backtest(cross, feed(bars), {"fast": row["fast"], "slow": row["slow"]})
        single = summarize(strat)
        for metric in METRICS:
            assert row[metric] == pytest.approx(single[metric], rel=1e-12, nan_ok=True)
        assert row["exp.bars.in"] + row["exp.bars.out"] == len(bars)  # flattened, every bar counted


def test_local_workers_give_the_serial_table_sorted_by_metric(cls, bars):
    cross, _ = cls
    serial = sweep(cross, feed(bars), GRID, metric="return")
    local = sweep(cross, feed(bars), GRID, metric="return", workers=2, batch_size=3)
    pd.testing.assert_frame_equal(comparable(serial), comparable(local))
    assert list(serial.columns[:2]) == ["fast", "slow"] and len(serial) == 16
    assert serial["total_return_pct"].is_monotonic_decreasing
    drawdown = sweep(cross, feed(bars), GRID, metric="drawdown")
    assert drawdown["max_drawdown_pct"].is_monotonic_increasing


def test_a_raising_combination_is_recorded_and_the_rest_run(cls, bars_short):
    cross, _ = cls
    df = sweep(cross, feed(bars_short), {"fast": [3, 5, 8], "slow": [20], "boom": [5]}, workers=2)
    failed = df[df["error"].notna()]
    assert list(failed["fast"]) == [5] and failed.index[0] == 2  # failures sort last
    assert failed["error"].iloc[0] == "RuntimeError: boom at fast=5"
    assert df["error"].isna().sum() == 2 and df["final_value"].notna().sum() == 2


class Interrupt(Exception):
    pass


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_interrupted_sweep_resumes_with_every_combination_once(cls, bars_short, tmp_path, suffix):
    cross, _ = cls
    out = tmp_path / f"results{suffix}"
    seen: list[dict] = []

    def stop_after_two_batches(rows):
        seen.extend(rows)
        if len(seen) >= 6:
            raise Interrupt

    with pytest.raises(Interrupt):
        sweep(cross, feed(bars_short), GRID, out=out, batch_size=3, on_rows=stop_after_two_batches)
    assert not out.exists() and len(journal_path(out).read_text().splitlines()) == 6
    rerun: list[dict] = []
    df = sweep(cross, feed(bars_short), GRID, out=out, workers=2, batch_size=3, on_rows=rerun.extend)
    assert len(rerun) == 10  # only what was not done
    assert len(df) == 16 and not df.duplicated(["fast", "slow"]).any()
    assert not journal_path(out).exists()
    stored = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert sorted(zip(stored["fast"], stored["slow"])) == sorted(
        (f, s) for f in GRID["fast"] for s in GRID["slow"])
    again: list[dict] = []
    assert len(sweep(cross, feed(bars_short), GRID, out=out, on_rows=again.extend)) == 16
    assert again == []  # a finished sweep runs nothing


def test_torn_journal_line_is_ignored_and_rerun(cls, bars_short, tmp_path):
    cross, _ = cls
    out = tmp_path / "r.csv"
    grid = {"fast": [3, 5], "slow": [20]}
    sweep(cross, feed(bars_short), grid, out=out)
    done = pd.read_csv(out).to_dict("records")
    out.unlink()
    journal_path(out).write_text(pd.Series(done[:1]).to_json(orient="records", lines=True) + '{"fast": 5,')
    ran: list[dict] = []
    df = sweep(cross, feed(bars_short), grid, out=out, on_rows=ran.extend)
    assert len(ran) == 1 and len(df) == 2


def test_unknown_or_reserved_params_and_metrics_raise(cls, bars_short):
    cross, _ = cls
    with pytest.raises(ValueError, match="unknown param 'nope'"):
        sweep(cross, feed(bars_short), {"nope": [1]})
    with pytest.raises(ValueError, match="unknown metric"):
        sweep(cross, feed(bars_short), {"fast": [3]}, metric="luck")


def test_heatmap_writes_a_png_of_two_params(cls, bars_short, tmp_path):
    cross, _ = cls
    df = sweep(cross, feed(bars_short), GRID)
    path = heatmap(df, "fast", "slow", "sharpe", tmp_path / "h" / "heat.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_class_defined_in_a_function_sweeps_here_and_on_forked_workers(bars_short):
    import tradebridge as bt

    class Local(bt.Strategy):
        params = (("period", 10),)

        def __init__(self):
            self.sma = bt.ind.SMA(period=self.p.period)

        def next(self):
            if not self.position and self.data.close[0] > self.sma[0]:
                self.buy()

    grid = {"period": [5, 10, 20]}
    serial = sweep(Local, feed(bars_short), grid)
    pd.testing.assert_frame_equal(comparable(serial),
                                  comparable(sweep(Local, feed(bars_short), grid, workers=2)))
    assert serial["error"].isna().all() and (serial["final_value"] != 10_000).any()


@pytest.mark.parametrize(("combos", "workers"), [(25, 2), (400, 2), (7, 4), (1, 1), (100_000, 8)])
def test_default_batches_shrink_to_single_combinations_and_keep_every_one_once(combos, workers):
    from tradebridge.sweep.runner import _batches

    batches = _batches(list(range(combos)), workers, None)
    sizes = [len(b) for b in batches]
    assert [c for b in batches for c in b] == list(range(combos))  # in order, each once
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1
    assert sizes[0] <= -(-combos // (8 * workers))  # the first no bigger than before
    assert [len(b) for b in _batches(list(range(10)), 2, 3)] == [3, 3, 3, 1]  # as asked
