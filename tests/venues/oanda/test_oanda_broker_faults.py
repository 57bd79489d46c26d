"""OandaBroker under faults on the v20 sandbox: seeded scenarios of stream cuts, 429 storms, 503s and
a client restart (a new store and broker on the same journal) during order flow. Afterwards every
order's state equals the sandbox's, every fill is applied exactly once, positions and balance agree."""

from __future__ import annotations

import random

import pytest
from oanda_live_kit import our_fill_ids, run_script, sandbox, venue_position, venue_summary, venue_truth

import tradebridge as bt
from tradebridge.live import Journal


def _flow(rng: random.Random, orders: list) -> dict:
    """Strategy steps: random market and limit orders, some cancelled later."""

    def trade(s):
        close = s.data.close[0]
        size = rng.choice([1000, 2000, 3000])
        pick = rng.random()
        if pick < 0.4:
            orders.append(s.buy(size=size) if rng.random() < 0.5 else s.sell(size=size))
        elif pick < 0.8:
            side = rng.choice([1, -1])
            price = close * (1 - side * rng.uniform(0.00002, 0.0003))
            order = (s.buy if side > 0 else s.sell)(size=size, exectype=bt.Order.Limit, price=price)
            orders.append(order)
        else:
            alive = [o for o in orders if o.alive() and o.status != o.Created]
            if alive:
                s.cancel(rng.choice(alive))

    return {n: trade for n in range(1, 40, 2)}


def _faults(sb, rng: random.Random):
    """A sandbox fault at some steps: stream cuts, a 429 storm, 503s."""

    def on_step(n: int) -> None:
        if n % 6 != 3:
            return
        pick = rng.choice(["cut", "cut-prices", "429", "503", "503-orders"])
        if pick == "cut":
            sb.faults("cut_streams", "transactions")
        elif pick == "cut-prices":
            sb.faults("cut_streams", "pricing")
        elif pick == "429":
            sb.faults("throttle", count=rng.randint(2, 6), retry_after=0.02)
        elif pick == "503":
            sb.faults("fail", 503, count=rng.randint(1, 3), retry_after=0.02)
        else:
            sb.faults("fail", 503, count=rng.randint(1, 8), retry_after=0.02, path="/orders")

    return on_step


def _check(sb, journal_path, broker, strat, orders: list) -> None:
    truth = venue_truth(sb)
    for order in orders:
        cid = order.info.get("client_id")
        if cid is None:  # refused before leaving (risk): never at the venue
            assert order.getstatusname() in ("Margin", "Rejected")
            continue
        expected = truth.get(cid, "Rejected")  # a write refused by 503s never reached the venue
        assert order.getstatusname() in (expected, "Partial" if expected == "Accepted" else expected), (
            cid,
            order.getstatusname(),
            expected,
            order.info,
        )
    with Journal(journal_path) as journal:
        fills = [f.exec_id for f in journal.fills()]
        session = journal.session
        cursor = journal.cursor()
    assert cursor == sb.call(lambda: sb.state.account.last_id)  # every transaction was applied, in order
    venue_fills = our_fill_ids(sb, session)
    assert sorted(fills, key=int) == sorted(venue_fills, key=int)  # every fill, once
    assert len(set(fills)) == len(fills)
    assert broker.getposition(strat.data).size == venue_position(sb)
    summary = venue_summary(sb)
    assert broker.account["balance"] == pytest.approx(float(summary["balance"]))
    # the balance every applied transaction explains matched OANDA's at each summary: none lost or doubled
    assert [m for m in strat.messages if "cash mismatch" in m] == []


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_seeded_faults_during_order_flow_leave_orders_fills_position_and_balance_equal_to_the_sandbox(
    tmp_path, seed
):
    rng = random.Random(seed)
    orders: list = []
    journal = tmp_path / "j.sqlite"
    with sandbox(heartbeat=0.1) as sb:
        strat, broker = run_script(
            sb, journal, _flow(rng, orders), stop_at=60, on_step=_faults(sb, rng), retries=6
        )
        sb.faults("clear")
        _check(sb, journal, broker, strat, orders)
    assert orders


def test_a_restart_on_the_same_journal_applies_fills_made_while_down_once_and_resends_nothing(tmp_path):
    rng = random.Random(7)
    first: list = []
    journal = tmp_path / "j.sqlite"
    with sandbox(heartbeat=0.1) as sb:
        strat1, broker1 = run_script(sb, journal, _flow(rng, first), stop_at=20)
        pending = [o for o in first if o.alive()]
        sb.step(200)  # the market moves on while the client is down: resting limits fill
        with Journal(journal) as j:
            fills_before = len(j.fills())
        strat2, broker2 = run_script(sb, journal, {}, stop_at=5)
        truth = venue_truth(sb)
        with Journal(journal) as j:
            states = {s.client_id: s.status for s in j.local_state().orders.values()}
            fills = [f.exec_id for f in j.fills()]
            session = j.session
        venue_fills = our_fill_ids(sb, session)
        position = venue_position(sb)
        summary = venue_summary(sb)
    for order in first:
        cid = order.info.get("client_id")
        if cid is not None:
            assert states[cid] == truth.get(cid, "Rejected"), (cid, states[cid], truth.get(cid))
    assert sorted(fills, key=int) == sorted(venue_fills, key=int) and len(fills) == len(set(fills))
    assert len(fills) >= fills_before
    assert broker2.getposition(strat2.data).size == position
    assert broker2.account["balance"] == pytest.approx(float(summary["balance"]))
    assert sum(1 for m in strat2.messages if "sent by a previous run" in m) >= sum(
        1 for o in pending if truth.get(o.info["client_id"]) == "Completed"
    )


@pytest.mark.parametrize("seed", [11, 12])
def test_a_restart_while_writes_are_in_flight_ends_every_order_as_the_sandbox_has_it(tmp_path, seed):
    rng = random.Random(seed)
    first: list = []
    journal = tmp_path / "j.sqlite"

    def slow_writes(n):
        if n == 8:  # the last orders' answers are held back past the end of the run
            sb.faults("delay", 0.9, seconds=2.0, path="/orders$")

    with sandbox(heartbeat=0.1) as sb:
        steps = _flow(rng, first)
        steps.update({n: steps[1] for n in range(8, 11)})
        run_script(sb, journal, steps, stop_at=10, on_step=slow_writes, catch_up=False)
        in_flight = [o for o in first if o.getstatusname() == "Submitted"]
        sb.faults("clear")
        # restarted at once: OANDA is still working on the writes the stopped client never heard back
        # from; the new broker asks again after restart_grace instead of calling them never sent
        strat2, broker2 = run_script(sb, journal, {}, stop_at=5, restart_grace=1.5)
        truth = venue_truth(sb)
        with Journal(journal) as j:
            states = {s.client_id: s.status for s in j.local_state().orders.values()}
            fills = [f.exec_id for f in j.fills()]
            venue_fills = our_fill_ids(sb, j.session)
        position = venue_position(sb)
    for order in first:
        cid = order.info.get("client_id")
        if cid is not None:
            assert states[cid] == truth.get(cid, "Rejected"), (cid, states[cid], truth.get(cid))
    assert sorted(fills, key=int) == sorted(venue_fills, key=int) and len(fills) == len(set(fills))
    assert broker2.getposition(strat2.data).size == position
    assert in_flight  # the run ended with writes unanswered


def test_a_malformed_transaction_line_is_reported_and_the_transaction_it_hid_is_fetched_once(tmp_path):
    rng = random.Random(21)
    orders: list = []
    journal = tmp_path / "j.sqlite"

    def garble(n):
        if n in (2, 6, 10):
            sb.faults("malformed_line", "transactions", count=2)

    with sandbox(heartbeat=0.1) as sb:
        strat, broker = run_script(sb, journal, _flow(rng, orders), stop_at=20, on_step=garble)
        assert sb.call(lambda: sb.state.faults.injected["malformed"]) >= 1
        _check(sb, journal, broker, strat, orders)
    assert any("malformed transaction line skipped" in m for m in strat.messages)


def test_order_writes_whose_answers_are_lost_end_as_the_sandbox_has_them(tmp_path):
    rng = random.Random(31)
    orders: list = []
    journal = tmp_path / "j.sqlite"

    def lose_answers(n):
        if n in (1, 5, 9):
            sb.faults("drop", count=2, path="/orders")  # served, then the connection drops

    with sandbox(heartbeat=0.1) as sb:
        strat, broker = run_script(sb, journal, _flow(rng, orders), stop_at=24, on_step=lose_answers)
        assert sb.call(lambda: sb.state.faults.injected["drop"]) >= 1
        _check(sb, journal, broker, strat, orders)
    assert any("outcome unknown" in m for m in strat.messages)


@pytest.mark.parametrize("seed", [41, 42, 43])
def test_seeded_chaos_of_errors_delays_lost_answers_cuts_and_malformed_lines_leaves_no_difference(
        tmp_path, seed):
    rng = random.Random(seed)
    orders: list = []
    journal = tmp_path / "j.sqlite"

    def chaos(n):
        if n == 1:
            sb.faults("chaos", seed, errors=0.1, delays=0.05, drops=0.05, cuts=0.05, malformed=0.02)

    with sandbox(heartbeat=0.1) as sb:
        strat, broker = run_script(sb, journal, _flow(rng, orders), stop_at=40, on_step=chaos, retries=8)
        sb.faults("clear")
        _check(sb, journal, broker, strat, orders)


def test_a_transaction_stream_refused_more_often_than_rest_retries_is_reopened_and_misses_nothing(tmp_path):
    rng = random.Random(51)
    orders: list = []
    journal = tmp_path / "j.sqlite"

    def refuse_stream(n):
        if n == 4:  # far more refusals than a REST call's 1 retry: the stream must not give up
            sb.faults("fail", 503, count=12, retry_after=0.01, path="transactions/stream")
            sb.faults("cut_streams", "transactions")

    with sandbox(heartbeat=0.1) as sb:
        strat, broker = run_script(sb, journal, _flow(rng, orders), stop_at=30, on_step=refuse_stream,
                                   retries=1)
        assert sb.call(lambda: sb.state.faults.injected["error"]) >= 12
        sb.faults("clear")
        _check(sb, journal, broker, strat, orders)
    assert not [m for m in strat.messages if "given up" in m]
    assert any("the transaction stream was" in m for m in strat.messages)  # cut (or found dead)


def test_a_transaction_stream_given_up_is_told_to_the_strategy_as_orders_no_longer_followed(tmp_path):
    journal = tmp_path / "j.sqlite"

    def refuse_stream(n):
        if n == 2:
            sb.faults("fail", 503, seconds=60.0, retry_after=0.01, path="transactions/stream")
            sb.faults("cut_streams", "transactions")

    with sandbox(heartbeat=0.1) as sb:
        strat, broker = run_script(sb, journal, {}, stop_at=12, on_step=refuse_stream, catch_up=False,
                                   stream_retries=2)
        assert broker.connected is False
    given_up = [m for m in strat.messages if "transaction stream given up" in m]
    assert len(given_up) == 1, strat.messages
    assert "could not reopen the stream after 3 attempt(s)" in given_up[0]
    assert "orders and fills are no longer followed" in given_up[0]
    assert not [m for m in strat.messages if "store task failed" in m]


def test_stream_retries_below_minus_one_is_refused_at_construction_naming_the_param(tmp_path):
    with pytest.raises(ValueError, match=r"stream_retries must be -1 \(forever\) or a count >= 0, got -2"):
        bt.stores.OandaStore(token="t" * 20, account="101-001-0000001-001", base_url="http://127.0.0.1:9",
                             journal=tmp_path / "j.sqlite", stream_retries=-2)
