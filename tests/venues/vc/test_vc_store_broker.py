"""VCBroker through Cerebro on VCStore and the fake Visual Chart: every supported order type,
partial fills, cancel, rejections, several accounts, commission, server shutdown and return,
restart from the journal; each run checked against the fake venue's own state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import vc_kit as kit
from vc_kit import ES_SERIE, Script

import tradebridge as bt
from tradebridge.live import Journal
from tradebridge.orders.comminfo import CommInfoBase
from tradebridge.venues.vc.seam import VCError

BARS = kit.live_bars(3, [103, 104, 105, 106])


def _ref(strat: Script, k: int) -> int:
    """The ref of the k-th order (1-based) the strategy heard of."""
    return list(dict.fromkeys(r for r, _, _, _ in strat.orders))[k - 1]


def _order(strat: Script, k: int):
    return strat.order_objs[_ref(strat, k)]


def _statuses(strat: Script, k: int) -> list[str]:
    ref = _ref(strat, k)
    return [status for r, status, _, _ in strat.orders if r == ref]


def _last(strat: Script, k: int) -> tuple[str, float, float]:
    ref = _ref(strat, k)
    _, status, size, price = [o for o in strat.orders if o[0] == ref][-1]
    return status, size, price


def _sent(fake) -> list[dict]:
    return [o.record for o in fake.venue.orders.values()]


def _journal_fills(path: Path) -> list:
    with Journal(path) as journal:
        return journal.fills()


def test_a_plain_buy_fills_at_the_next_open_and_cash_and_position_match_the_venue(tmp_path: Path) -> None:
    fake = kit.fake()
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=BARS, steps={0: lambda s: s.buy()})
    assert _statuses(strat, 1) == ["Submitted", "Accepted", "Completed"]
    assert _last(strat, 1) == ("Completed", 1.0, 103.0)
    assert broker.getposition(strat.data).size == kit.venue_position(fake) == 1.0
    assert broker.getcash() == fake.venue.cash["A1"] == 100_000.0 - 103.0
    (record,) = _sent(fake)
    assert (record["OrderType"], record["OrderSide"], record["TimeRestriction"]) == (
        "OT_Market", "OS_Buy", "TR_NoRestriction")
    assert record["ExtendedInfo"] == _order(strat, 1).info["client_id"]


# exec type, price, plimit, expected Visual Chart order type/time restriction, fill price on the bars
_TYPES = [
    (bt.Order.Market, None, None, "OT_Market", "TR_NoRestriction", 103.0),  # next open
    (bt.Order.Close, None, None, "OT_Market", "TR_CloseAuction", 103.5),  # next close
    (bt.Order.Limit, 102.5, None, "OT_Limit", "TR_NoRestriction", 102.5),  # bar 103 trades down to 102
    (bt.Order.Stop, 104.5, None, "OT_StopMarket", "TR_NoRestriction", 104.5),  # bar 104 reaches 105
    (bt.Order.StopLimit, 104.5, 104.6, "OT_StopLimit", "TR_NoRestriction", 104.5),  # at its trigger
]


@pytest.mark.parametrize(("exectype", "price", "plimit", "vc_type", "restriction", "fill"), _TYPES,
                         ids=[bt.Order.ExecTypes[t[0]] for t in _TYPES])
def test_every_supported_order_type_fills_where_the_venue_fills_it(tmp_path: Path, exectype, price, plimit,
                                                                   vc_type, restriction, fill) -> None:
    fake = kit.fake()
    step = {0: lambda s: s.buy(size=2, exectype=exectype, price=price, plimit=plimit)}
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=BARS, steps=step)
    (record,) = _sent(fake)
    assert (record["OrderType"], record["TimeRestriction"]) == (vc_type, restriction)
    assert _last(strat, 1) == ("Completed", 2.0, fill)
    assert broker.getposition(strat.data).size == kit.venue_position(fake) == 2.0
    assert broker.getcash() == pytest.approx(fake.venue.cash["A1"]) == 100_000.0 - 2 * fill
    assert [f.size for f in _journal_fills(tmp_path / "j.sqlite")] == [2.0]


def test_valid_becomes_a_session_or_date_time_restriction(tmp_path: Path) -> None:
    fake = kit.fake()
    steps = {0: lambda s: (s.buy(exectype=bt.Order.Limit, price=50.0, valid=bt.Order.DAY),
                           s.buy(exectype=bt.Order.Limit, price=50.0, valid=dt.date(2026, 12, 31)))}
    kit.run(fake, tmp_path / "j.sqlite", bars=BARS[:1], steps=steps)
    day, date = _sent(fake)
    assert (day["TimeRestriction"], day["ValidDate"]) == ("TR_Session", None)
    assert (date["TimeRestriction"], date["ValidDate"]) == ("TR_Date", dt.datetime(2026, 12, 31))


def test_partial_fills_arrive_as_partial_then_completed_each_fill_once(tmp_path: Path) -> None:
    fake = kit.fake(liquidity=1)
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=BARS, steps={0: lambda s: s.buy(size=3)})
    assert _statuses(strat, 1) == ["Submitted", "Accepted", "Partial", "Partial", "Completed"]
    assert [size for r, _, size, _ in strat.orders if r == _ref(strat, 1)][2:] == [1.0, 2.0, 3.0]
    assert _order(strat, 1).executed.price == pytest.approx((103 + 104 + 105) / 3)
    fills = _journal_fills(tmp_path / "j.sqlite")
    assert [(f.size, f.price) for f in fills] == [(1.0, 103.0), (1.0, 104.0), (1.0, 105.0)]
    assert len({f.exec_id for f in fills}) == 3
    assert broker.getposition(strat.data).size == kit.venue_position(fake) == 3.0


def test_cancel_takes_a_resting_order_off_the_venue(tmp_path: Path) -> None:
    fake = kit.fake()
    steps = {0: lambda s: setattr(s, "lim", s.buy(exectype=bt.Order.Limit, price=90.0)),
             2: lambda s: s.cancel(s.lim)}
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=BARS, steps=steps)
    assert _statuses(strat, 1) == ["Submitted", "Accepted", "Canceled"]
    assert [o.status for o in fake.venue.orders.values()] == ["Canceled"]
    assert broker.getposition(strat.data).size == kit.venue_position(fake) == 0.0


def test_an_order_type_visual_chart_lacks_is_rejected_with_the_reason_and_never_sent(tmp_path: Path) -> None:
    fake = kit.fake()
    steps = {0: lambda s: s.buy(exectype=bt.Order.StopTrail, trailamount=1.0)}
    strat, _ = kit.run(fake, tmp_path / "j.sqlite", bars=BARS[:1], steps=steps)
    assert _statuses(strat, 1) == ["Submitted", "Rejected"]
    assert "Visual Chart has no StopTrail orders" in _order(strat, 1).info["venue_text"]
    assert _sent(fake) == []


def test_an_order_visual_chart_refuses_is_rejected_with_its_text(tmp_path: Path) -> None:
    fake = kit.fake()
    real_place = fake.venue.place

    def refuse(record):
        from tradebridge.venues.vc.seam import ComCallError
        raise ComCallError("SendOrder refused: market closed")
    fake.venue.place = refuse
    strat, _ = kit.run(fake, tmp_path / "j.sqlite", bars=BARS[:1], steps={0: lambda s: s.buy()})
    fake.venue.place = real_place
    assert _statuses(strat, 1) == ["Submitted", "Rejected"]
    assert "market closed" in _order(strat, 1).info["venue_text"]


def test_the_chosen_account_trades_and_other_accounts_orders_are_not_this_strategys(tmp_path: Path) -> None:
    fake = kit.fake(accounts={"A1": 50_000.0, "B2": 80_000.0})

    def someone_else(s: Script) -> None:  # an order on A1 placed outside this strategy
        record = {**_sent(fake)[0], "Account": "A1", "ExtendedInfo": "by-hand"}
        s.market(lambda: fake.call("trader", "send_order", order=record))
    steps = {0: lambda s: s.buy(size=2), 1: someone_else}
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=BARS, steps=steps, broker={"account": "B2"})
    assert [r["Account"] for r in _sent(fake)] == ["B2", "A1"]
    assert _last(strat, 1) == ("Completed", 2.0, 103.0)
    assert broker.getposition(strat.data).size == kit.venue_position(fake, "B2") == 2.0
    assert kit.venue_position(fake, "A1") == 2.0  # filled at the venue, never this strategy's
    assert broker.getcash() == fake.venue.cash["B2"] == 80_000.0 - 206.0
    assert not any("external" in str(m) for m in strat.stores)


def test_an_account_visual_chart_does_not_have_fails_at_start_naming_the_ones_it_has(tmp_path: Path) -> None:
    fake = kit.fake(accounts={"A1": 1.0, "B2": 2.0})
    with pytest.raises(VCError, match=r"account 'ZZ' is not among Visual Chart's accounts \(A1, B2\)"):
        kit.run(fake, tmp_path / "j.sqlite", broker={"account": "ZZ"})


def test_a_custom_commission_is_charged_on_the_trades(tmp_path: Path) -> None:
    fake = kit.fake()
    fixed = CommInfoBase(commission=2.5, commtype=CommInfoBase.COMM_FIXED, stocklike=True)
    steps = {0: lambda s: s.buy(size=2), 2: lambda s: s.sell(size=2)}
    strat, _ = kit.run(fake, tmp_path / "j.sqlite", bars=BARS, steps=steps, broker={"commission": fixed})
    ((pnl, pnlcomm),) = strat.trades
    assert pnl == 2 * (105.0 - 103.0)
    assert pnlcomm == pytest.approx(pnl - 2 * 2 * 2.5)
    assert _order(strat, 1).executed.comm == pytest.approx(5.0)


def test_a_server_shutdown_and_return_loses_and_doubles_nothing(tmp_path: Path) -> None:
    fake = kit.fake(liquidity=1)
    bars = kit.live_bars(3, [103, 104, 105, 106, 107, 108])
    def orders(s: Script) -> None:
        s.buy(size=3)
        s.lim = s.buy(size=1, exectype=bt.Order.Limit, price=90.0)
    steps = {0: orders,
             1: lambda s: s.outage(bars=2),  # two of the three partial fills happen while away
             5: lambda s: s.cancel(s.lim)}  # the resting order is still alive and cancellable after
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=bars, steps=steps)
    assert _statuses(strat, 1) == ["Submitted", "Accepted", "Partial", "Partial", "Completed"]
    assert _statuses(strat, 2) == ["Submitted", "Accepted", "Canceled"]
    fills = _journal_fills(tmp_path / "j.sqlite")
    assert sorted(f.price for f in fills) == [103.0, 104.0, 105.0]
    assert {f.client_id for f in fills} == {_order(strat, 1).info["client_id"]}
    assert kit.venue_filled(fake) == {_order(strat, 1).info["client_id"]: 3.0}
    assert broker.getposition(strat.data).size == kit.venue_position(fake) == 3.0
    assert broker.getcash() == fake.venue.cash["A1"]
    assert "Visual Chart's server shut down" in strat.stores
    assert not any("mismatch" in str(m) or "Unknown" in str(m) for m in strat.stores)


def test_order_events_lost_in_an_outage_are_reported_by_reconciliation(tmp_path: Path) -> None:
    fake = kit.fake(liquidity=1, missed="drop")
    bars = kit.live_bars(3, [103, 104, 105, 106])
    steps = {0: lambda s: s.buy(size=3), 1: lambda s: s.outage(bars=2)}
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=bars, steps=steps)
    assert _statuses(strat, 1)[-1] == "Canceled"  # Unknown: closed locally, said so
    messages = " | ".join(map(str, strat.stores))
    assert "Unknown" in messages and "filled 1 of 3" in messages
    assert "position mismatch on 010001ES: venue 3, this strategy 1" in messages
    assert [f.size for f in _journal_fills(tmp_path / "j.sqlite")] == [1.0]  # never invented


def test_a_restart_on_the_same_journal_sends_nothing_again_and_gets_the_old_order_fill(tmp_path) -> None:
    fake = kit.fake()
    path = tmp_path / "j.sqlite"
    steps = {0: lambda s: s.buy(size=2, exectype=bt.Order.Limit, price=99.0)}
    first, _ = kit.run(fake, path, bars=BARS[:2], steps=steps)
    assert _statuses(first, 1) == ["Submitted", "Accepted"]
    history = len(fake.symbols[ES_SERIE].bars)
    second, broker = kit.run(fake, path, bars=kit.live_bars(history, [100.0, 98.0]), history=history)
    assert len(_sent(fake)) == 1  # the order from the first run was not sent again
    assert broker.getposition(second.data).size == kit.venue_position(fake) == 2.0
    assert any("sent by a previous run" in str(m) for m in second.stores)
    assert [f.size for f in _journal_fills(path)] == [2.0]


def test_a_data_with_a_tradename_sends_its_orders_to_that_symbol(tmp_path: Path) -> None:
    from tradebridge.venues.vc.fake import FakeSymbol

    fake = kit.fake()
    fake.symbols["001ESZ26"] = FakeSymbol.future("E-mini S&P Dec 26", [kit.bar(2, 102.0)])
    fake.venue.mark("001ESZ26", kit.bar(2, 102.0))

    def buy_and_trade(s: Script) -> None:
        s.buy(size=1)
        s.market(fake.push_bar, "001ESZ26", kit.bar(3, 110.0))  # the real future trades apart
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=BARS[:2], steps={0: buy_and_trade},
                            tradename="001ESZ26")
    (record,) = _sent(fake)
    assert record["SymbolCode"] == "001ESZ26"
    assert _last(strat, 1) == ("Completed", 1.0, 110.0)
    assert broker.getposition(strat.data).size == kit.venue_position(fake, symbol="001ESZ26") == 1.0


def test_the_stores_secrets_never_reach_the_journal(tmp_path: Path) -> None:
    from tradebridge.venues.vc.seam import ComCallError
    from tradebridge.venues.vc.store import VCStore

    fake = kit.fake(accounts={"MY-ACC-77": 10_000.0})

    def refuse(record):
        raise ComCallError(f"SendOrder refused: account {record['Account']} is blocked")
    fake.venue.place = refuse
    store = VCStore(backend=fake, secrets=("MY-ACC-77",))
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(store.getdata(dataname=kit.ES, timeframe=bt.TimeFrame.Minutes, usetimezones=False))
    cerebro.setbroker(store.getbroker(journal=str(tmp_path / "j.sqlite")))
    cerebro.addstrategy(Script, fake=fake, bars=BARS[:1], steps={0: lambda s: s.buy()})
    strat = cerebro.run()[0]
    assert _statuses(strat, 1)[-1] == "Rejected"
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("j.sqlite*"))
    assert b"MY-ACC-77" not in blob and b"is blocked" in blob


def test_an_order_modified_in_visual_chart_stays_accepted_and_fills_at_its_new_limit(tmp_path: Path) -> None:
    fake = kit.fake()

    def move_the_limit(s: Script) -> None:  # what a user does in Visual Chart's order window
        (order_id,) = fake.venue.orders
        s.market(lambda: fake.call("trader", "modify_order", order_id=order_id, price=104.5))

    steps = {0: lambda s: s.buy(exectype=bt.Order.Limit, price=90.0), 1: move_the_limit}
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=BARS, steps=steps)
    assert _statuses(strat, 1) == ["Submitted", "Accepted", "Completed"]  # OnModifiedOrder: still Accepted
    (venue,) = fake.venue.orders.values()
    assert venue.record["Price"] == 104.5
    assert _last(strat, 1) == ("Completed", 1.0, 104.0)  # the next open, under the new limit (at 90: none)
    assert broker.getposition(strat.data).size == kit.venue_position(fake) == 1.0


def test_open_position_events_keep_the_venues_positions_including_a_closed_one(tmp_path: Path) -> None:
    fake = kit.fake()
    seen: list[dict] = []
    steps = {0: lambda s: s.buy(size=2), 2: lambda s: seen.append(dict(s.broker.venue_positions)),
             3: lambda s: s.sell(size=2)}
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=[*BARS, *kit.live_bars(7, [107])], steps=steps)
    assert seen == [{ES_SERIE: 2.0}]  # OnChangedOpenPositions after the buy filled
    assert broker.venue_positions == {ES_SERIE: 0.0}  # Visual Chart stops listing a flat position
    assert broker.getposition(strat.data).size == kit.venue_position(fake) == 0.0


def test_money_moved_while_the_server_was_away_is_reported_once_as_a_cash_mismatch(tmp_path: Path) -> None:
    fake = kit.fake()

    def away_and_credited(s: Script) -> None:
        def play() -> None:
            fake.shutdown()
            fake.venue.cash["A1"] += 25.0  # no fill explains it
            fake.restore()
        s.market(play)

    steps = {0: lambda s: s.buy(size=1), 2: away_and_credited}
    strat, broker = kit.run(fake, tmp_path / "j.sqlite", bars=BARS, steps=steps)
    (message,) = [str(m) for m in strat.stores if "cash mismatch" in str(m)]
    venue = fake.venue.cash["A1"]
    assert message == f"cash mismatch: venue {venue:.2f}, local {venue - 25.0:.2f}"
    assert broker.getcash() == venue
