"""Fault injection of the IB sandbox seen from real clients: dropped sockets at points of the
order flow, connectivity errors 1100/1101/1102, pacing error 162, delayed and reordered messages."""

from __future__ import annotations

import asyncio
import time

import pytest
from ib_async import IB, MarketOrder, Stock
from ib_sandbox_helpers import START, raw_client, run, settle

from tradebridge.orders.fillers import FixedSize
from tradebridge.venues.ib.protocol import decode_response, encode_request, frame, pack_fields
from tradebridge.venues.ib.sandbox.faults import CONNECTIVITY_TEXT, DropPoint, FaultPlan
from tradebridge.venues.ib.sandbox.server import SandboxServer

AAPL = Stock("AAPL", "SMART", "USD", conId=265598)


async def _client(srv: SandboxServer, client_id: int = 1) -> IB:
    ib = IB()
    await ib.connectAsync(srv.host, srv.port, clientId=client_id, timeout=5)
    return ib


async def _until_disconnected(ib: IB) -> None:
    for _ in range(200):
        if not ib.isConnected():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the client did not see the connection drop")


def test_dropping_a_socket_now_is_seen_by_that_client_only():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            one, two = await _client(srv, 1), await _client(srv, 2)
            lost = []
            one.disconnectedEvent += lambda: lost.append(True)
            srv.drop(1)
            await _until_disconnected(one)
            assert lost == [True] and two.isConnected()
            assert (await two.reqCurrentTimeAsync()) == START
            two.disconnect()
    run(go())


@pytest.mark.parametrize("code", [1100, 1101, 1102])
def test_connectivity_errors_arrive_with_tws_text(code):
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _client(srv)
            got = []
            ib.errorEvent += lambda req_id, err, text, contract: got.append((req_id, err, text))
            srv.send_error(code)
            await srv.flush()
            await settle()
            assert got == [(-1, code, CONNECTIVITY_TEXT[code])]
            ib.disconnect()
    run(go())


def test_pacing_error_162_on_the_next_history_request_only():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _client(srv)
            got = []
            ib.errorEvent += lambda req_id, err, text, contract: got.append((err, text))
            srv.pace_next_history()
            assert not list(await ib.reqHistoricalDataAsync(AAPL, "", "1 D", "1 hour", "TRADES", True))
            assert got[0][0] == 162 and "pacing violation" in got[0][1]
            assert list(await ib.reqHistoricalDataAsync(AAPL, "", "1 D", "1 hour", "TRADES", True))
            ib.disconnect()
    run(go())


def test_drop_before_the_ack_leaves_the_order_working_at_the_venue():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _client(srv)
            srv.drop_before_ack(1)
            trade = ib.placeOrder(AAPL, MarketOrder("BUY", 10, orderRef="lost-ack"))
            await _until_disconnected(ib)
            assert trade.orderStatus.status == "PendingSubmit"  # never acknowledged
            assert srv.exchange.orders[(1, trade.order.orderId)].status == "Submitted"
            await srv.step()
            back = await _client(srv)
            (fill,) = back.fills()
            assert fill.execution.orderRef == "lost-ack" and fill.commissionReport.commission > 0
            assert [(p.contract.conId, p.position) for p in back.positions()] == [(265598, 10.0)]
            back.disconnect()
    run(go())


def test_drop_between_an_execution_and_its_commission_report():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _client(srv)
            trade = ib.placeOrder(AAPL, MarketOrder("BUY", 10))
            await srv.until(lambda: srv.exchange.orders)
            srv.drop_before_commission(1)
            await srv.step()
            await _until_disconnected(ib)
            (fill,) = trade.fills
            assert fill.commissionReport.execId == ""  # the report never arrived
            back = await _client(srv)
            (again,) = back.fills()
            assert again.execution.execId == fill.execution.execId
            assert again.commissionReport.execId == fill.execution.execId
            back.disconnect()
    run(go())


def test_drop_mid_partial_fills_then_fills_continue_while_away():
    async def go():
        async with SandboxServer(port=0, start=START, liquidity=FixedSize(size=30)) as srv:
            ib = await _client(srv)
            trade = ib.placeOrder(AAPL, MarketOrder("BUY", 100))
            await srv.until(lambda: srv.exchange.orders)
            srv.drop_mid_partial(1)
            await srv.step()
            await _until_disconnected(ib)
            assert trade.orderStatus.filled == 30 and trade.orderStatus.status == "Submitted"
            await srv.step(3)  # the venue keeps filling while the client is away
            back = await _client(srv)
            fills = sorted(back.fills(), key=lambda f: f.execution.cumQty)
            assert [f.execution.shares for f in fills] == [30, 30, 30, 10]
            assert all(f.commissionReport.execId == f.execution.execId for f in fills)
            assert sum(f.commissionReport.commission for f in fills) == pytest.approx(1.0)
            back.disconnect()
    run(go())


def test_delayed_messages_arrive_late():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            ib = await _client(srv)
            srv.delay_messages(0.2, client_id=1)
            t = time.perf_counter()
            await ib.reqCurrentTimeAsync()
            assert time.perf_counter() - t >= 0.2
            srv.delay_messages(0)
            t = time.perf_counter()
            await ib.reqCurrentTimeAsync()
            assert time.perf_counter() - t < 0.2
            ib.disconnect()
    run(go())


def test_reordered_messages_arrive_reversed():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            writer, next_message = await raw_client(srv)
            srv.reorder_next(2, client_id=9)
            writer.write(encode_request("reqCurrentTime", {}, 178))
            writer.write(encode_request("reqIds", {"numIds": 1}, 178))
            first = decode_response(await next_message(), 178)
            second = decode_response(await next_message(), 178)
            assert (first[0], second[0]) == ("nextValidId", "currentTime")
            writer.close()
    run(go())


def test_a_malformed_request_gets_error_321_naming_the_field_and_the_connection_lives():
    async def go():
        async with SandboxServer(port=0, start=START) as srv:
            writer, next_message = await raw_client(srv)
            writer.write(frame(pack_fields(["9", "8", "7"])))  # reqContractDetails cut short
            name, values = decode_response(await next_message(), 178)
            assert (name, values["errorCode"]) == ("error", 321)
            assert "reqContractDetails: message ends before field conId" in values["errorString"]
            writer.write(encode_request("reqCurrentTime", {}, 178))
            assert decode_response(await next_message(), 178)[0] == "currentTime"
            writer.close()
    run(go())


def test_fault_plan_arms_and_consumes_one_shot_faults():
    plan = FaultPlan()
    plan.arm_drop(DropPoint.BEFORE_ACK, client_id=3)
    assert not plan.take_drop(DropPoint.BEFORE_ACK, 4)
    assert not plan.take_drop(DropPoint.MID_PARTIAL, 3)
    assert plan.take_drop(DropPoint.BEFORE_ACK, 3) and not plan.take_drop(DropPoint.BEFORE_ACK, 3)
    plan.arm_drop(DropPoint.MID_PARTIAL)
    assert plan.take_drop(DropPoint.MID_PARTIAL, 8)
    plan.arm_pacing(2)
    assert [plan.take_pacing() for _ in range(3)] == [True, True, False]
    plan.arm_reject("no")
    assert plan.take_reject() == "no" and plan.take_reject() is None
    plan.set_delay(0.5)
    plan.set_delay(0.1, client_id=2)
    assert (plan.delay_for(2), plan.delay_for(7)) == (0.1, 0.5)
    plan.set_delay(0)
    assert (plan.delay_for(2), plan.delay_for(7)) == (0.0, 0.0)
    plan.arm_reorder(3, client_id=1)
    assert (plan.take_reorder(2), plan.take_reorder(1), plan.take_reorder(1)) == (0, 3, 0)


@pytest.mark.parametrize(("call", "message"), [
    (lambda p: p.arm_drop("sometime"), "unknown drop point 'sometime'"),
    (lambda p: p.set_delay(-1), "delay must be >= 0"),
    (lambda p: p.arm_reorder(1), "at least 2 messages"),
    (lambda p: p.arm_reject(""), "needs a reason"),
])
def test_fault_plan_refuses_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call(FaultPlan())
