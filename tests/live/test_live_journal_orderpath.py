"""The journal's order path: one row per order before it leaves, the first status-log row written
with the next transaction (or rebuilt after a crash), and WAL checkpoints kept off that path."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

import tradebridge.live.journal as journal_mod
from tradebridge.live.journal import Journal


def traced(j: Journal) -> list[str]:
    """Every SQL statement the journal runs from now on."""
    statements: list[str] = []
    j._db.set_trace_callback(statements.append)
    return statements


def test_recording_an_order_writes_only_its_row_in_one_transaction(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        cid = j.next_client_id()
        sql = traced(j)
        j.record_order(cid, "AAPL", 10, details={"price": 99.5})
        assert [s.split()[0] for s in sql] == ["BEGIN", "INSERT", "COMMIT"]
        assert "INTO orders" in sql[1]
        row = j._db.execute("SELECT status, details FROM orders WHERE client_id=?", (cid,)).fetchone()
        assert row == ("Submitted", '{"price": 99.5}')


def test_the_first_status_row_is_read_before_and_written_by_the_next_transaction(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        a, b = j.next_client_id(), j.next_client_id()
        j.record_order(a, "AAPL", 10)
        j.record_order(b, "AAPL", 5)
        assert j._db.execute("SELECT count(*) FROM status_log").fetchone()[0] == 0
        assert j.status_history(a) == [("Submitted", "")]
        j.record_status(b, "Cancelled", "202: canceled")
        assert j.status_history(a) == [("Submitted", "")]
        assert j.status_history(b) == [("Submitted", ""), ("Cancelled", "202: canceled")]
        assert j._db.execute("SELECT count(*) FROM status_log").fetchone()[0] == 3


def test_a_failed_transaction_keeps_the_deferred_rows_for_the_next_one(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        a = j.next_client_id()
        j.record_order(a, "AAPL", 10)
        with pytest.raises(KeyError, match="tb-nope"):
            j.record_status("tb-nope", "Cancelled")
        assert j.status_history(a) == [("Submitted", "")]
        j.record_status(a, "Accepted")
        assert j.status_history(a) == [("Submitted", ""), ("Accepted", "")]


def test_closing_writes_the_deferred_status_rows(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        a = j.next_client_id()
        j.record_order(a, "AAPL", 10)
    with Journal(path) as j:
        assert j._db.execute("SELECT status FROM status_log WHERE client_id=?", (a,)).fetchall() == [
            ("Submitted",)]


def test_an_order_killed_before_its_status_row_gets_it_back_when_reopened(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    script = f"""
import os, signal
from tradebridge.live.journal import Journal
j = Journal({str(path)!r})
first, second = j.next_client_id(), j.next_client_id()
j.record_order(first, "AAPL", 10)
j.record_status(first, "Accepted")
j.record_order(second, "MSFT", -3)
print(first, second, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the second order's status row was never written
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    first, second = proc.stdout.split()
    with Journal(path) as j:
        assert j.registry.get(second).status == "Submitted"
        assert j.status_history(second) == [("Submitted", "")]
        assert j.status_history(first) == [("Submitted", ""), ("Accepted", "")]
    with Journal(path) as j:  # rebuilt once, not again
        assert j.status_history(second) == [("Submitted", "")]


def test_checkpoints_run_after_transactions_off_the_order_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_mod, "_CHECKPOINT_EVERY", 5)
    with Journal(tmp_path / "j.sqlite") as j:
        assert j._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        sql = traced(j)
        cids = [j.next_client_id() for _ in range(8)]
        for cid in cids:
            j.record_order(cid, "AAPL", 1)
        assert not [s for s in sql if "checkpoint" in s]  # 8 orders + open < 4 x 5: none on their path
        j.record_status(cids[0], "Cancelled")
        assert [s for s in sql if "checkpoint" in s] == ["PRAGMA wal_checkpoint(PASSIVE)"]


def test_orders_alone_still_checkpoint_at_four_times_the_interval(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_mod, "_CHECKPOINT_EVERY", 5)
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        sql = traced(j)
        for _ in range(60):
            j.record_order(j.next_client_id(), "AAPL", 1)
        assert len([s for s in sql if "checkpoint" in s]) == 3
        assert Path(f"{path}-wal").stat().st_size < 25 * 4 * 4096 * 2  # bounded: ~20 commits of frames
