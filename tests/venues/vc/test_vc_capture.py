"""The capture tool: a read-only session recorded on the fake, replayed into an identical trace."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
import threading

import pytest

from tradebridge.venues.vc.capture import capture, main
from tradebridge.venues.vc.fake import FakeSymbol, FakeVC, bar_record
from tradebridge.venues.vc.seam import VCUnavailableError
from tradebridge.venues.vc.trace import ReplayBackend, read_trace

NOW = dt.datetime(2026, 11, 24, 10, 0)
ES = "010001ES"


def _records(path) -> list[dict]:
    return [record for _, record in read_trace(path)]


class _MarketAfterFeed(FakeVC):
    """The fake, with a live bar arriving from another thread once the capture asked for the feed."""

    def _request_feed(self, symbol: str) -> None:
        super()._request_feed(symbol)
        self.timer = threading.Timer(0.05, self.push_bar, (ES, bar_record(NOW, 100.5, 102, 100, 101.5)))
        self.timer.start()


def test_capture_records_a_read_only_session_that_replays_into_the_same_trace(tmp_path) -> None:
    history = [bar_record(NOW - dt.timedelta(minutes=m), 100, 101, 99, 100.5) for m in (3, 2, 1)]
    fake = _MarketAfterFeed({ES: FakeSymbol.future("E-mini", history)}, accounts={"ACC-7731": 25_000.0})
    first = tmp_path / "first.vctrace"
    count = capture(fake, first, ["001ES"], seconds=0.5, secrets=["ACC-7731"], now=NOW)
    fake.timer.join()
    records = _records(first)
    assert count == 2  # the feed's description tick and the live bar
    assert [r["verb"] for r in records if r["kind"] == "call"] == [
        "accounts", "balance", "positions", "orders", "symbol_info", "open_serie", "serie_size",
        "serie_bars", "request_feed"]
    assert not any(r.get("verb") in ("send_order", "cancel_order", "modify_order") for r in records)
    assert "ACC-7731" not in first.read_text(encoding="utf-8")

    again = tmp_path / "again.vctrace"
    ticks = itertools.count()
    replay = ReplayBackend(first, secrets=["ACC-7731"])
    assert capture(replay, again, ["001ES"], seconds=3, secrets=["ACC-7731"], now=NOW,
                   clock=lambda: float(next(ticks))) == 2
    assert replay.finished and _records(again) == records
    assert json.loads(again.read_text().splitlines()[0])["backend"] == "ReplayBackend"


@pytest.mark.skipif(sys.platform == "win32", reason="the refusal is for systems without Visual Chart")
def test_the_capture_command_refuses_clearly_off_windows(tmp_path) -> None:
    with pytest.raises(VCUnavailableError, match="Visual Chart needs Windows with Visual Chart 6 installed"):
        main([str(tmp_path / "x.vctrace"), "001ES", "--seconds", "1"])
    assert not (tmp_path / "x.vctrace").exists()
