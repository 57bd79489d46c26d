"""Orders on the sandbox over real loopback HTTP: every order type, on-fill TP/SL/TSL, time in
force, client extensions, cancel/replace, rejects with OANDA's reasons; every answer spec-checked."""

from __future__ import annotations

import datetime
from typing import Any

from _oanda_sandbox_kit import Api, Checked, aio, client

from tradebridge.venues.oanda.sandbox import OandaSandbox

EUR = "EUR_USD"


async def _step_until(sb: OandaSandbox, api: Api, order_id: str, limit: int = 3000) -> dict[str, Any]:
    """Step bar by bar until ``order_id`` leaves PENDING; its final state and the bar it ended on."""
    for _ in range(limit):
        assert sb.step() == 1
        order = sb.state.account.orders[order_id]
        if order.state != "PENDING":
            return {
                "order": (await api.get(f"/orders/{order_id}"))["order"],
                "ask": sb.state.market.bar(EUR, 1),
                "bid": sb.state.market.bar(EUR, -1),
            }
    raise AssertionError(f"order {order_id} still pending after {limit} bars")


def _fill_of(sb: OandaSandbox, order: dict[str, Any]) -> dict[str, Any]:
    return sb.state.account.txns[int(order["fillingTransactionID"]) - 1]


@aio
async def test_market_order_buys_at_the_ask_and_sells_at_the_bid_with_half_spread_cost() -> None:
    checked = Checked()
    async with OandaSandbox() as sb, client(sb, checked=checked) as c:
        api = Api(c, sb.account_id)
        bid, ask = await api.quote(EUR)
        buy = await api.order(type="MARKET", instrument=EUR, units="10000")
        assert buy.status_code == 201
        fill = buy.json()["orderFillTransaction"]
        assert float(fill["price"]) == ask and fill["reason"] == "MARKET_ORDER"
        assert fill["tradeOpened"]["units"] == "10000"
        assert abs(float(fill["halfSpreadCost"]) - 10000 * (ask - bid) / 2) < 1e-3
        sell = (await api.order(type="MARKET", instrument=EUR, units="-4000")).json()["orderFillTransaction"]
        assert float(sell["price"]) == bid
        assert sell["tradeReduced"]["units"] == "-4000"
        assert abs(float(sell["pl"]) - 4000 * (bid - ask)) < 1e-3
        trades = (await api.get("/openTrades"))["trades"]
        assert [t["currentUnits"] for t in trades] == ["6000"]
        assert checked.count >= 4


@aio
async def test_limit_order_waits_and_fills_by_the_backtest_limit_rule() -> None:
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        _, ask = await api.quote(EUR)
        limit = round(ask - 0.0003, 5)
        r = await api.order(type="LIMIT", instrument=EUR, units="1000", price=f"{limit:.5f}")
        assert r.status_code == 201 and "orderFillTransaction" not in r.json()
        done = await _step_until(sb, api, r.json()["orderCreateTransaction"]["id"])
        price = float(_fill_of(sb, done["order"])["price"])
        opened, _, low, _ = done["ask"]
        # Matcher.limit: at the open when the bar opens through the limit, else at the limit
        assert price == (opened if opened <= limit else limit) and low <= limit


@aio
async def test_marketable_limit_fills_at_once_at_the_quote() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        bid, _ = await api.quote(EUR)
        r = (await api.order(type="LIMIT", instrument=EUR, units="-1000", price=f"{bid - 0.001:.5f}")).json()
        assert float(r["orderFillTransaction"]["price"]) == bid


@aio
async def test_stop_order_fills_when_the_bar_reaches_the_stop() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        bid, _ = await api.quote(EUR)
        stop = round(bid - 0.0003, 5)
        r = await api.order(type="STOP", instrument=EUR, units="-1000", price=f"{stop:.5f}")
        done = await _step_until(sb, api, r.json()["orderCreateTransaction"]["id"])
        price = float(_fill_of(sb, done["order"])["price"])
        opened, _, low, _ = done["bid"]
        assert price == (opened if opened <= stop else stop) and low <= stop
        assert done["order"]["state"] == "FILLED"


@aio
async def test_stop_with_price_bound_beyond_the_fill_is_cancelled_bounds_violation() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        _, ask = await api.quote(EUR)
        r = (
            await api.order(
                type="STOP",
                instrument=EUR,
                units="1000",
                price=f"{ask - 0.0005:.5f}",
                priceBound=f"{ask - 0.0004:.5f}",
            )
        ).json()
        assert r["orderCancelTransaction"]["reason"] == "BOUNDS_VIOLATION"
        assert "orderFillTransaction" not in r


@aio
async def test_market_if_touched_fills_once_touched() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        _, ask = await api.quote(EUR)
        r = await api.order(
            type="MARKET_IF_TOUCHED", instrument=EUR, units="1000", price=f"{ask - 0.0003:.5f}"
        )
        done = await _step_until(sb, api, r.json()["orderCreateTransaction"]["id"])
        assert _fill_of(sb, done["order"])["reason"] == "MARKET_IF_TOUCHED_ORDER"


@aio
async def test_take_profit_and_stop_loss_on_fill_create_trade_orders_and_one_closes_the_trade() -> None:
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        _, ask = await api.quote(EUR)
        r = (
            await api.order(
                type="MARKET",
                instrument=EUR,
                units="1000",
                takeProfitOnFill={"price": f"{ask + 0.0008:.5f}", "clientExtensions": {"id": "tp-1"}},
                stopLossOnFill={"price": f"{ask - 0.0008:.5f}"},
            )
        ).json()
        trade_id = r["orderFillTransaction"]["tradeOpened"]["tradeID"]
        trade = (await api.get(f"/trades/{trade_id}"))["trade"]
        tp, sl = trade["takeProfitOrder"], trade["stopLossOrder"]
        assert (
            tp["type"] == "TAKE_PROFIT"
            and tp["tradeID"] == trade_id
            and tp["clientExtensions"]["id"] == "tp-1"
        )
        assert sl["type"] == "STOP_LOSS" and sl["state"] == "PENDING"
        first = await _step_until(sb, api, tp["id"]) if True else None
        tp_now = (await api.get(f"/orders/{tp['id']}"))["order"]
        sl_now = (await api.get(f"/orders/{sl['id']}"))["order"]
        states = {tp_now["state"], sl_now["state"]}
        assert states == {"FILLED", "CANCELLED"}, first
        cancelled = tp_now if tp_now["state"] == "CANCELLED" else sl_now
        cancel_txn = sb.state.account.txns[int(cancelled["cancellingTransactionID"]) - 1]
        assert cancel_txn["reason"] == "LINKED_TRADE_CLOSED"
        closed = (await api.get(f"/trades/{trade_id}"))["trade"]
        assert closed["state"] == "CLOSED" and closed["currentUnits"] == "0"


@aio
async def test_trailing_stop_follows_the_bid_and_fills_below_its_high_water_mark() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        r = (
            await api.order(
                type="MARKET", instrument=EUR, units="1000", trailingStopLossOnFill={"distance": "0.00050"}
            )
        ).json()
        trade_id = r["orderFillTransaction"]["tradeOpened"]["tradeID"]
        order = (await api.get(f"/trades/{trade_id}"))["trade"]["trailingStopLossOrder"]
        best = sb.state.market.quote(EUR)[0]
        assert abs(float(order["trailingStopValue"]) - (best - 0.0005)) < 1e-9
        for _ in range(3000):
            sb.step()
            if sb.state.account.orders[order["id"]].state != "PENDING":
                break
            best = max(best, sb.state.market.bar(EUR, -1)[3])
            value = float((await api.get(f"/orders/{order['id']}"))["order"]["trailingStopValue"])
            assert abs(value - (best - 0.0005)) < 1e-9
        fill = _fill_of(sb, (await api.get(f"/orders/{order['id']}"))["order"])
        assert fill["reason"] == "TRAILING_STOP_LOSS_ORDER"
        assert float(fill["price"]) <= best - 0.0005 + 1e-9


@aio
async def test_trade_orders_endpoint_sets_replaces_and_cancels_tp_sl() -> None:
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        r = await api.order(
            type="MARKET", instrument=EUR, units="-1000", tradeClientExtensions={"id": "my-trade"}
        )
        bid = float(r.json()["orderFillTransaction"]["price"])
        set1 = await api.put(
            "/trades/@my-trade/orders",
            {"takeProfit": {"price": f"{bid - 0.002:.5f}"}, "stopLoss": {"distance": "0.00100"}},
        )
        assert set1.status_code == 200, set1.text
        tp_id = set1.json()["takeProfitOrderTransaction"]["id"]
        set2 = (
            await api.put(
                "/trades/@my-trade/orders", {"takeProfit": {"price": f"{bid - 0.003:.5f}"}, "stopLoss": None}
            )
        ).json()
        assert set2["takeProfitOrderCancelTransaction"]["orderID"] == tp_id
        assert set2["takeProfitOrderTransaction"]["replacesOrderID"] == tp_id
        assert set2["stopLossOrderCancelTransaction"]["reason"] == "CLIENT_REQUEST"
        trade = (await api.get("/trades/@my-trade"))["trade"]
        assert "stopLossOrder" not in trade and trade["takeProfitOrder"]["price"] == f"{bid - 0.003:.5f}"


@aio
async def test_time_in_force_fok_cancels_gtd_expires_gfd_kept_until_rollover() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        _, ask = await api.quote(EUR)
        far = f"{ask - 0.05:.5f}"
        fok = (
            await api.order(type="LIMIT", instrument=EUR, units="1000", price=far, timeInForce="FOK")
        ).json()
        assert fok["orderCancelTransaction"]["reason"] == "TIME_IN_FORCE_EXPIRED"
        gtd_time = sb.state.market.clock + 60
        gtd = (
            await api.order(
                type="LIMIT",
                instrument=EUR,
                units="1000",
                price=far,
                timeInForce="GTD",
                gtdTime=f"{gtd_time:.0f}",
            )
        ).json()["orderCreateTransaction"]
        gfd = (
            await api.order(type="LIMIT", instrument=EUR, units="1000", price=far, timeInForce="GFD")
        ).json()["orderCreateTransaction"]
        sb.step(12)
        assert (await api.get(f"/orders/{gtd['id']}"))["order"]["state"] == "CANCELLED"
        assert (await api.get(f"/orders/{gfd['id']}"))["order"]["state"] == "PENDING"
        market_gtc = await api.order(type="MARKET", instrument=EUR, units="1", timeInForce="GTC")
        assert market_gtc.status_code == 400 and market_gtc.json()["errorCode"] == "TIME_IN_FORCE_INVALID"


@aio
async def test_client_extensions_are_echoed_and_found_by_at_specifier_then_cancelled() -> None:
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        ext = {"id": "tb-abc-1", "tag": "strategy", "comment": "first"}
        r = (
            await api.order(type="LIMIT", instrument=EUR, units="1000", price="0.90000", clientExtensions=ext)
        ).json()
        assert r["orderCreateTransaction"]["clientExtensions"] == ext
        order = (await api.get("/orders/@tb-abc-1"))["order"]
        assert order["clientExtensions"] == ext and order["state"] == "PENDING"
        dup = await api.order(
            type="LIMIT", instrument=EUR, units="1", price="0.90000", clientExtensions={"id": ext["id"]}
        )
        assert dup.status_code == 400 and dup.json()["errorCode"] == "CLIENT_ORDER_ID_ALREADY_EXISTS"
        cancel = await api.put("/orders/@tb-abc-1/cancel")
        assert cancel.status_code == 200
        assert cancel.json()["orderCancelTransaction"]["clientOrderID"] == "tb-abc-1"
        again = await api.put("/orders/@tb-abc-1/cancel")
        assert again.status_code == 404 and again.json()["errorCode"] == "ORDER_DOESNT_EXIST"


@aio
async def test_replace_cancels_the_old_order_and_links_the_new_one() -> None:
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        old = (await api.order(type="LIMIT", instrument=EUR, units="1000", price="0.90000")).json()
        old_id = old["orderCreateTransaction"]["id"]
        r = await api.put(
            f"/orders/{old_id}",
            {"order": {"type": "LIMIT", "instrument": EUR, "units": "2000", "price": "0.91000"}},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        new_id = body["orderCreateTransaction"]["id"]
        assert body["orderCancelTransaction"]["replacedByOrderID"] == new_id
        assert body["orderCancelTransaction"]["reason"] == "CLIENT_REQUEST_REPLACED"
        assert (await api.get(f"/orders/{new_id}"))["order"]["replacesOrderID"] == old_id
        assert (await api.get(f"/orders/{old_id}"))["order"]["replacedByOrderID"] == new_id


@aio
async def test_rejects_carry_oanda_reason_error_code_and_a_reject_transaction() -> None:
    cases = [
        ({"type": "MARKET", "instrument": EUR, "units": "abc"}, "UNITS_INVALID", "MARKET_ORDER_REJECT"),
        ({"type": "MARKET", "instrument": EUR}, "UNITS_MISSING", "MARKET_ORDER_REJECT"),
        (
            {"type": "MARKET", "instrument": "XAU_XYZ", "units": "1"},
            "INSTRUMENT_UNKNOWN",
            "MARKET_ORDER_REJECT",
        ),
        ({"type": "LIMIT", "instrument": EUR, "units": "1"}, "PRICE_MISSING", "LIMIT_ORDER_REJECT"),
        (
            {"type": "LIMIT", "instrument": EUR, "units": "1", "price": "1.123456"},
            "PRICE_PRECISION_EXCEEDED",
            "LIMIT_ORDER_REJECT",
        ),
        (
            {"type": "STOP", "instrument": EUR, "units": "1.5", "price": "1.1"},
            "UNITS_PRECISION_EXCEEDED",
            "STOP_ORDER_REJECT",
        ),
        (
            {"type": "TAKE_PROFIT", "tradeID": "999", "price": "1.1"},
            "TRADE_DOESNT_EXIST",
            "TAKE_PROFIT_ORDER_REJECT",
        ),
        (
            {"type": "MARKET", "instrument": EUR, "units": "1", "stopLossOnFill": {}},
            "STOP_LOSS_ON_FILL_PRICE_MISSING",
            "MARKET_ORDER_REJECT",
        ),
    ]
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        for order, reason, kind in cases:
            r = await api.order(**order)
            body = r.json()
            assert r.status_code == 400, (order, body)
            assert body["errorCode"] == reason and body["errorMessage"], (order, body)
            txn = body["orderRejectTransaction"]
            assert txn["type"] == kind and txn["rejectReason"] == reason
            assert body["lastTransactionID"] == txn["id"]
        assert not sb.state.account.pending() and not sb.state.account.open_trades()


@aio
async def test_order_too_large_for_the_margin_is_cancelled_insufficient_margin() -> None:
    async with OandaSandbox(balance=1000.0) as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        r = (await api.order(type="MARKET", instrument=EUR, units="10000000")).json()
        assert r["orderCancelTransaction"]["reason"] == "INSUFFICIENT_MARGIN"
        summary = (await api.get("/summary"))["account"]
        assert summary["openTradeCount"] == 0 and summary["balance"] == "1000.0000"


@aio
async def test_close_trade_partially_then_position_closes_the_rest_with_pl_in_the_balance() -> None:
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        r = (await api.order(type="MARKET", instrument="USD_JPY", units="3000")).json()
        trade_id = r["orderFillTransaction"]["tradeOpened"]["tradeID"]
        sb.step(50)
        part = await api.put(f"/trades/{trade_id}/close", {"units": "1000"})
        assert part.status_code == 200, part.text
        fill = part.json()["orderFillTransaction"]
        assert fill["reason"] == "MARKET_ORDER_TRADE_CLOSE" and fill["tradeReduced"]["units"] == "-1000"
        too_many = await api.put(f"/trades/{trade_id}/close", {"units": "5000"})
        assert (
            too_many.status_code == 400
            and too_many.json()["errorCode"] == "CLOSE_TRADE_UNITS_EXCEED_TRADE_SIZE"
        )
        pos = await api.put("/positions/USD_JPY/close", {"longUnits": "ALL"})
        assert pos.status_code == 200, pos.text
        long_fill = pos.json()["longOrderFillTransaction"]
        assert long_fill["reason"] == "MARKET_ORDER_POSITION_CLOSEOUT"
        position = (await api.get("/positions/USD_JPY"))["position"]
        assert position["long"]["units"] == "0"
        total = float(fill["pl"]) + float(long_fill["pl"])
        assert abs(float(position["pl"]) - total) < 1e-3
        summary = (await api.get("/summary"))["account"]
        assert abs(float(summary["balance"]) - (100_000 + total)) < 1e-3
        missing = await api.put("/positions/USD_JPY/close", {"shortUnits": "ALL"})
        assert missing.status_code == 400 and missing.json()["errorCode"] == "CLOSEOUT_POSITION_DOESNT_EXIST"


@aio
async def test_daily_financing_is_charged_at_the_new_york_rollover() -> None:
    minute_before = datetime.datetime(2026, 11, 24, 21, 59, tzinfo=datetime.UTC).timestamp()  # 16:59 New York
    async with OandaSandbox(start=minute_before) as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        await api.order(type="MARKET", instrument=EUR, units="100000")
        before = sb.state.account.balance
        seconds = sb.state.account._rollover - sb.state.market.clock
        assert seconds <= 60
        sb.step(int(seconds // 5) + 1)
        rows = (await api.get("/transactions/sinceid", id="4"))["transactions"]
        financing = [t for t in rows if t["type"] == "DAILY_FINANCING"]
        assert len(financing) == 1
        assert float(financing[0]["financing"]) < 0  # longs pay the bundled long rate
        assert abs(sb.state.account.balance - (before + float(financing[0]["financing"]))) < 1e-3


@aio
async def test_client_extensions_of_orders_and_trades_can_be_modified() -> None:
    async with OandaSandbox() as sb, client(sb, checked=Checked()) as c:
        api = Api(c, sb.account_id)
        order = (await api.order(type="LIMIT", instrument=EUR, units="10", price="0.90000")).json()
        oid = order["orderCreateTransaction"]["id"]
        r = await api.put(
            f"/orders/{oid}/clientExtensions", {"clientExtensions": {"id": "tagged", "tag": "x"}}
        )
        assert r.status_code == 200, r.text
        assert r.json()["orderClientExtensionsModifyTransaction"]["clientExtensionsModify"]["id"] == "tagged"
        assert (await api.get("/orders/@tagged"))["order"]["id"] == oid
        fill = (await api.order(type="MARKET", instrument=EUR, units="10")).json()["orderFillTransaction"]
        r = await api.put(
            f"/trades/{fill['tradeOpened']['tradeID']}/clientExtensions",
            {"clientExtensions": {"id": "t-1", "comment": "mine"}},
        )
        assert r.status_code == 200, r.text
        assert (await api.get("/trades/@t-1"))["trade"]["clientExtensions"] == {
            "id": "t-1",
            "comment": "mine",
        }
        missing = await api.put("/orders/999/clientExtensions", {"clientExtensions": {"id": "z"}})
        assert missing.status_code == 404 and missing.json()["errorCode"] == "ORDER_DOESNT_EXIST"
        empty = await api.put("/trades/@t-1/clientExtensions", {})
        assert empty.status_code == 400 and empty.json()["errorCode"] == "CLIENT_EXTENSIONS_DATA_MISSING"
