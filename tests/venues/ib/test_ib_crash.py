"""A strategy process on IBStore/IBBroker is SIGKILLed mid-trading while the IB sandbox keeps filling
its orders, then started again on the same journal: no order reaches the sandbox twice, the fills
made while it was down are applied once, and the strategy goes on placing new orders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ib_broker_kit import venue_cash, venue_position
from ib_live_kit import sandbox

from tradebridge.live import Journal

RUNNER = Path(__file__).with_name("ib_crash_runner.py")
CLIENT_ID = 77


class Market:
    """Steps the sandbox every ``pause`` seconds from a thread, whoever is connected."""

    def __init__(self, sb: Any, pause: float = 0.02) -> None:
        self.sb, self.pause = sb, pause
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="crash-market")
        self._thread.start()

    def _run(self) -> None:
        while not self._halt.wait(self.pause):
            self.sb.step()

    def stop(self) -> None:
        self._halt.set()
        self._thread.join(5)


class Runner:
    """The strategy process and the JSON lines it printed (read on a thread)."""

    def __init__(self, port: int, journal: Path, bars: int, stderr: Path) -> None:
        cmd = [sys.executable, str(RUNNER), "--port", str(port), "--client-id", str(CLIENT_ID),
               "--journal", str(journal), "--bars", str(bars)]
        self.stderr = stderr
        with stderr.open("w") as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
        self.lines: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                if line.startswith("{"):
                    self.lines.append(json.loads(line))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [x for x in list(self.lines) if x["kind"] == kind]

    def wait(self, predicate: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.proc.poll() is not None and not predicate():
                raise AssertionError(f"runner exited ({self.proc.returncode}) before {what}: "
                                     f"{self.stderr.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; last lines {self.lines[-5:]}")
            time.sleep(0.01)

    def finish(self, timeout: float) -> dict[str, Any]:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"runner did not finish; last lines {self.lines[-5:]}") from None
        self._reader.join(5)
        assert self.proc.returncode == 0, self.stderr.read_text()[-3000:]
        (done,) = self.of("done")
        return done


def _venue_orders(sb: Any) -> list[Any]:
    return [w for (cid, _), w in list(sb.server.exchange.orders.items()) if cid == CLIENT_ID]


def _venue_execs(sb: Any) -> list[Any]:
    return [r for r in list(sb.server.exchange.executions) if r.execution.client_id == CLIENT_ID]


def test_a_sigkilled_strategy_restarts_on_its_journal_without_resending_and_applies_missed_fills_once(
        tmp_path):
    journal = tmp_path / "crash.sqlite"
    with sandbox(liquidity=10) as sb:
        market = Market(sb)
        try:
            first = Runner(sb.port, journal, bars=400, stderr=tmp_path / "first.err")
            # mid-trading: a big market order is partly filled and still working at the sandbox
            first.wait(lambda: len(first.of("placed")) >= 5 and any(
                0 < w.filled < w.req.total_quantity and w.alive for w in _venue_orders(sb)), 30,
                "a working, partly filled order")
            first.proc.send_signal(signal.SIGKILL)
            first.proc.wait(10)
            first._reader.join(5)
            sent_before = {x["ref"] for x in first.of("placed")}
            execs_at_kill = {r.execution.exec_id for r in _venue_execs(sb)}
            sb.call(sb.server.until(lambda: CLIENT_ID not in sb.server.sessions))
            time.sleep(0.3)  # the market goes on: the working order fills while nobody listens
            missed = {r.execution.exec_id for r in _venue_execs(sb)} - execs_at_kill
            assert missed, "no fill happened while the strategy was down"

            second = Runner(sb.port, journal, bars=12, stderr=tmp_path / "second.err")
            done = second.finish(60)
            at_end = {r.execution.exec_id for r in _venue_execs(sb)}
        finally:
            market.stop()
        orders = _venue_orders(sb)
        venue_execs = _venue_execs(sb)
        position, cash = venue_position(sb), venue_cash(sb)
    refs = Counter(w.req.order_ref for w in orders)
    assert refs and max(refs.values()) == 1, f"an order reached the sandbox twice: {refs.most_common(3)}"
    lost_in_kill = sent_before - set(refs)  # journaled, killed before it left: never sent
    assert len(lost_in_kill) <= 1, f"only the order in flight at the kill may be missing: {lost_in_kill}"
    new = set(done["placed"])
    assert new and not new & sent_before  # the strategy went on with new orders
    unsent = {x["ref"]: x["status"] for x in second.of("order") if x["ref"] in new - set(refs)}
    assert new <= set(refs), (f"orders of the second run that never reached the sandbox: {unsent}; "
                              f"its stderr: {(tmp_path / 'second.err').read_text()[-3000:]}")
    with Journal(journal) as j:
        fills = [f.exec_id for f in j.fills()]
        for ref in lost_in_kill:  # the restart found it never reached the venue
            assert j.status_history(ref)[-1][0] == "Rejected", j.status_history(ref)
        histories = {ref: j.status_history(ref) for ref in {w.req.order_ref for w in orders}}
        states = {k: (v.status, v.external, v.venue_ids) for k, v in j.registry.states().items()}
    refs_by_id = {w.order_id: w.req.order_ref for w in orders}
    unjournaled = [(r.execution.exec_id, refs_by_id.get(r.execution.order_id),
                    "after the end" if r.execution.exec_id not in at_end else "during the run")
                   for r in venue_execs if r.execution.exec_id not in set(fills)]
    assert len(fills) == len(set(fills)) and not unjournaled, (
        f"venue executions not journaled: {unjournaled}; done: {done}; sent before the kill: "
        f"{sorted(sent_before)}; statuses: {histories}; registry: {states}; "
        f"venue: {[(w.order_id, w.req.order_ref, w.alive, w.filled) for w in orders]}")
    assert sorted(fills) == sorted(r.execution.exec_id for r in venue_execs)
    assert missed <= set(fills)
    assert done["position"] == pytest.approx(position)
    assert done["cash"] == pytest.approx(cash)
    told = [x["text"] for x in second.of("store")]
    assert any(missed_id in text and "previous run" in text for text in told for missed_id in missed)
