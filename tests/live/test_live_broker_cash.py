"""The cash check after a (re)connect: a snapshot's cash is compared with the broker's own ledger
(the venue's cash at the last snapshot moved by the fills applied since), never with a venue figure
that already includes the snapshot's missed fills; a real difference is reported once."""

from __future__ import annotations

import pytest
from _livekit import Rig

from tradebridge.live import Event, Kind


def _mismatches(rig: Rig) -> list[str]:
    return [m for m in rig.broker.store_messages if m.startswith("cash mismatch")]


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path / "j.sqlite", account_updates=True)
    r.bar(2)
    yield r
    r.close()


def _fill_while_away(rig: Rig) -> None:
    """A market buy sent, the connection dropped, the venue fills it while nobody listens."""
    rig.broker.buy(None, rig.datas["AAA"], 10)
    rig.pump()
    rig.venue.drop()
    rig.pump()
    rig.bar()


def test_venue_cash_arriving_before_the_snapshot_with_the_missed_fill_is_no_mismatch(rig):
    _fill_while_away(rig)
    venue_cash = rig.venue.engine.getcash()
    # as IB's account stream does during the reconnect's sync: the new figure comes first
    rig.broker.on_event(Event(Kind.ACCOUNT, {"cash": venue_cash}))
    rig.reconnect()
    assert rig.broker.getposition(rig.datas["AAA"]).size == 10
    assert rig.broker.getcash() == pytest.approx(venue_cash)
    assert _mismatches(rig) == []


def test_a_clean_start_and_a_reconnect_with_fills_seen_live_give_no_mismatch(rig):
    rig.broker.buy(None, rig.datas["AAA"], 5)
    rig.bar(2)  # filled and reported live, account figures streaming
    rig.venue.drop()
    rig.pump()
    rig.reconnect()
    assert _mismatches(rig) == []
    assert rig.broker.getcash() == pytest.approx(rig.venue.engine.getcash())


def test_money_moved_at_the_venue_while_away_is_reported_once(rig):
    _fill_while_away(rig)
    rig.venue.engine.cash += 50.0  # no fill explains it
    venue_cash = rig.venue.engine.getcash()
    rig.reconnect()
    (message,) = _mismatches(rig)
    assert message == f"cash mismatch: venue {venue_cash:.2f}, local {venue_cash - 50.0:.2f}"
    assert rig.broker.getcash() == pytest.approx(venue_cash)
    rig.venue.drop()
    rig.pump()
    rig.reconnect()  # the venue's figure became the starting point: nothing new to report
    assert len(_mismatches(rig)) == 1


def test_the_first_snapshot_of_a_run_is_the_starting_point(tmp_path):
    rig = Rig(tmp_path / "j.sqlite", account_updates=True)
    try:
        rig.bar(1)
        rig.broker.buy(None, rig.datas["AAA"], 3)
        rig.pump()
        rig.broker.stop()
        rig.venue.drop()
        rig.bar(2)  # filled while the strategy is down
        rig.venue.engine.cash += 20.0
        rig.open_broker()  # restart on the journal: the missed fill is applied, nothing compared
        rig.reconnect()
        assert rig.broker.getposition(rig.datas["AAA"]).size == 3
        assert rig.broker.getcash() == pytest.approx(rig.venue.engine.getcash())
        assert _mismatches(rig) == []
    finally:
        rig.close()
