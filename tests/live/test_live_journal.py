"""The journal: a real WAL SQLite file that is durable per write, restores the registry, dedups fills,
refuses corrupt or foreign files by name, and never stores secrets."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tradebridge.live.journal import Journal, JournalError
from tradebridge.live.reconcile import ApplyFill, MarkOrder, SetCursor, TrackExternal
from tradebridge.live.registry import DuplicateOrderError
from tradebridge.live.state import OrderState, VenueExecution, VenueOrder
from tradebridge.orders import AutoOrderedDict


class FakeOrder:
    def __init__(self, ref: int) -> None:
        self.ref = ref


def fill(exec_id: str, size: float, price: float = 100.0, inst: str = "AAPL", **kw: object) -> VenueExecution:
    return VenueExecution(exec_id, inst, size, price, **kw)  # type: ignore[arg-type]


def test_a_new_journal_is_a_wal_sqlite_file_with_a_session(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        assert j.path == path and len(j.session) == 8
        assert j._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert j.next_client_id() == f"tb-{j.session}-1"
        j.record_order(j.next_client_id(), "AAPL", 1)
        assert Path(f"{path}-wal").exists()


def test_reopening_restores_registry_venue_ids_statuses_fills_and_the_id_sequence(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        session = j.session
        a, b = j.next_client_id(), j.next_client_id()
        j.record_order(a, "AAPL", 10, order=FakeOrder(1))
        j.record_order(b, "MSFT", -3)
        j.link(a, {"orderId": 4, "permId": 777})
        j.record_status(a, "Accepted")
        assert j.record_fill(a, fill("x1", 4, commission=1.0))
        j.record_status(a, "Partial")
        j.record_status(b, "Rejected", "201: no margin")
        j.set_cursor("x1")
    with Journal(path) as j:
        assert j.session == session
        state = j.registry.get(a)
        assert (state.status, state.filled) == ("Partial", 4)
        assert dict(state.venue_ids) == {"orderId": "4", "permId": "777"}
        assert j.registry.find("permId", 777).client_id == a
        assert j.registry.get(b).reason == "201: no margin"
        assert j.registry.order(a) is None  # Order objects live in one process only
        assert j.next_client_id() == f"tb-{session}-3"
        assert j.cursor() == "x1" and j.positions() == {"AAPL": 4}
        assert j.fills(a)[0].commission == 1.0
        assert j.status_history(a) == [("Submitted", ""), ("Accepted", ""), ("Partial", "")]


def test_a_fill_id_already_journaled_is_a_duplicate_even_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        cid = j.next_client_id()
        j.record_order(cid, "AAPL", 10)
        assert j.record_fill(cid, fill("e1", 4)) is True
        assert j.record_fill(cid, fill("e1", 4)) is False
        assert j.has_fill("e1") and not j.has_fill("e2")
    with Journal(path) as j:
        assert j.record_fill(cid, fill("e1", 4)) is False
        assert j.registry.get(cid).filled == 4 and j.positions() == {"AAPL": 4}


def test_commissions_are_recorded_once_whether_with_the_fill_or_later(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        cid = j.next_client_id()
        j.record_order(cid, "AAPL", 10)
        j.record_fill(cid, fill("e1", 5))
        assert j.record_commission("e1", 1.25) and not j.record_commission("e1", 9.0)
        assert j.local_state().commissions == {"e1": 1.25}


def test_each_write_is_durable_when_it_returns_even_if_the_process_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    script = f"""
import os, signal
from tradebridge.live.journal import Journal
from tradebridge.live.state import VenueExecution
j = Journal({str(path)!r})
cid = j.next_client_id()
j.record_order(cid, "AAPL", 10)
j.record_fill(cid, VenueExecution("e1", "AAPL", 10, 101.5))
os.kill(os.getpid(), signal.SIGKILL)  # no close, no checkpoint: the WAL must hold it
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    with Journal(path) as j:
        assert j.positions() == {"AAPL": 10} and j.has_fill("e1")
        (state,) = j.registry
        assert state.filled == 10


def test_a_second_instance_cannot_open_a_journal_in_use_until_the_first_closes(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    first = Journal(path)
    first.record_order(first.next_client_id(), "AAPL", 1)
    with pytest.raises(JournalError, match=f"{path} is in use by another process"):
        Journal(path)
    script = f"from tradebridge.live.journal import Journal; Journal({str(path)!r})"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode != 0 and "is in use by another process" in proc.stderr
    first.close()
    with Journal(path) as again:
        assert len(again.registry) == 1


def test_no_secret_reaches_the_file_through_order_details_reasons_or_ids(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    token, password = "tok-9f8e7d6c5b4a", "s3cr3t-pw!"
    j = Journal(path, secrets=[token, password])
    cid = j.next_client_id()
    info = AutoOrderedDict()  # what order.info is: users may put anything in it
    info.token, info.api_key, info.Password = token, "k-12345678", password
    info.note, info.tradeid = f"Bearer {token}", 3
    info.venue.login.passwd = "pw-nested-42"
    info.legs = [{"secret": "leg-secret-7", "size": 1}]
    j.record_order(cid, "AAPL", 10, details=info)
    j.record_status(cid, "Rejected", f"error 321: bad token {token}")
    j.track_external(VenueOrder("AAPL", 1, client_id=f"manual {password}", venue_ids={"permId": 5}))
    raw_open = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    j.close()
    raw_closed = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for raw in (raw_open, raw_closed):
        for secret in (token, password, "k-12345678", "pw-nested-42", "leg-secret-7"):
            assert secret.encode() not in raw
    with Journal(path) as again:
        details = again._db.execute("SELECT details FROM orders WHERE client_id=?", (cid,)).fetchone()[0]
        assert '"note": "Bearer ***"' in details and '"tradeid": 3' in details
        assert '"legs": [{"size": 1}]' in details
        assert again.registry.get(cid).reason == "error 321: bad token ***"


def test_a_corrupt_file_gives_a_clear_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(JournalError, match=f"{path}.*corrupt, or not a SQLite file"):
        Journal(path)


def test_a_foreign_sqlite_file_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE things(x)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(JournalError, match=f"{path} is a SQLite database but not a tradebridge journal"):
        Journal(path)
    assert path.read_bytes() == before


def test_a_journal_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match=f"{path} is a journal of schema 99"):
        Journal(path)


def test_the_default_path_is_under_the_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEBRIDGE_HOME", str(tmp_path))
    with Journal(strategy="SmaCross") as j:
        assert j.path == tmp_path / "journals" / "SmaCross.sqlite" and j.path.exists()


def test_recording_the_same_client_id_twice_is_refused(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        cid = j.next_client_id()
        j.record_order(cid, "AAPL", 1)
        with pytest.raises(DuplicateOrderError):
            j.record_order(cid, "AAPL", 1)


def test_commit_writes_effects_once_and_reports_only_what_changed(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        cid = j.next_client_id()
        j.record_order(cid, "AAPL", 10)
        ext = OrderState("ext:permId=9", "MSFT", 2, external=True, venue_ids={"permId": "9"})
        actions = [ApplyFill(cid, fill("e1", 10)), MarkOrder(cid, "Completed"), TrackExternal(ext),
                   SetCursor("e1")]
        assert j.commit(actions) == actions
        assert j.commit(actions[:1] + actions[2:3]) == []
        assert j.registry.get(cid).status == "Completed" and j.cursor() == "e1"
        assert j.registry.find("permId", 9).external


def test_a_failing_commit_leaves_neither_file_nor_registry_half_written(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        cid = j.next_client_id()
        j.record_order(cid, "AAPL", 10)
        with pytest.raises(KeyError, match="'tb-nobody-1' is not in the journal"):
            j.commit([ApplyFill(cid, fill("e1", 10)), MarkOrder("tb-nobody-1", "Completed")])
        assert not j.has_fill("e1") and j.registry.get(cid).filled == 0
        assert j.commit([ApplyFill(cid, fill("e1", 10))])  # the journal is still usable


def test_external_orders_are_journaled_and_come_back_as_external(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        tracked = j.track_external(VenueOrder("EUR.USD", 1000, venue_ids={"permId": 31}))
        assert j.track_external(VenueOrder("EUR.USD", 1000, venue_ids={"permId": 31})) == tracked
        j.record_fill(tracked.client_id, fill("x9", 1000, inst="EUR.USD"), external=True)
    with Journal(path) as j:
        assert j.registry.externals()[0].client_id == "ext:permId=31"
        assert j.positions() == {} and j.positions(external=True) == {"EUR.USD": 1000}
        assert j.next_client_id().endswith("-1")  # externals never advance our id sequence


def test_writes_about_an_order_the_journal_never_recorded_are_refused_by_name(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        for write in (lambda: j.record_fill("tb-ghost000-1", fill("e1", 1)),
                      lambda: j.record_status("tb-ghost000-1", "Canceled"),
                      lambda: j.link("tb-ghost000-1", {"permId": 1})):
            with pytest.raises(KeyError, match="tb-ghost000-1"):
                write()
        assert j.fills() == [] and len(j.registry) == 0


def test_a_lost_order_of_this_session_keeps_its_number_used_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        first = j.next_client_id()
        j.record_order(first, "AAPL", 1)
        lost = j._ids.format(7)  # written to the venue, its record lost to a power cut
        state = j.track_external(VenueOrder("AAPL", 2, client_id=lost, venue_ids={"permId": 9}))
        assert state.external
        assert j.next_client_id() == j._ids.format(8)
    with Journal(path) as j:  # 8 was handed out but never recorded, so never sent: free again
        assert j.next_client_id() == j._ids.format(8)


def test_reconciliation_keeps_the_number_of_a_lost_order_of_this_session_used(tmp_path: Path) -> None:
    from tradebridge.live.reconcile import reconcile
    from tradebridge.live.state import VenueSnapshot

    with Journal(tmp_path / "j.sqlite") as j:
        lost = j._ids.format(4)
        snap = VenueSnapshot(open_orders=(VenueOrder("AAPL", 3, client_id=lost, venue_ids={"permId": 11}),))
        actions = reconcile(j.local_state(), snap)
        assert any(isinstance(a, TrackExternal) for a in j.commit(actions))
        assert j.next_client_id() == j._ids.format(5)
