"""The sandbox's payloads parse into tradebridge's own v20 models (part F's ``models``), with every
transaction type the sandbox writes mapped to its own class and decimals read exactly."""

from __future__ import annotations

from decimal import Decimal

from _oanda_sandbox_kit import Api, aio, client

from tradebridge.venues.oanda import models
from tradebridge.venues.oanda.sandbox import OandaSandbox


@aio
async def test_every_payload_of_a_trading_session_parses_into_the_models() -> None:
    async with OandaSandbox() as sb, client(sb) as c:
        api = Api(c, sb.account_id)
        opened = (
            await api.order(
                type="MARKET",
                instrument="EUR_USD",
                units="2000",
                takeProfitOnFill={"price": "1.30000"},
                trailingStopLossOnFill={"distance": "0.00100"},
            )
        ).json()
        await api.order(type="LIMIT", instrument="EUR_USD", units="1", price="0.5")
        await api.order(type="MARKET", instrument="EUR_USD", units="x")
        await api.put("/orders/@nobody/cancel")
        write = models.WriteResponse.from_json(opened)
        fill = write.transactions["orderFillTransaction"]
        assert isinstance(fill, models.OrderFillTransaction)
        assert fill.price == Decimal(opened["orderFillTransaction"]["price"])
        sb.step(20)
        await api.put("/positions/EUR_USD/close", {"longUnits": "ALL"})
        txns = models.TransactionsResponse.from_json(await api.get("/transactions/sinceid", id="0"))
        kinds = {t.type for t in txns.transactions}
        assert {
            "CREATE",
            "TRANSFER_FUNDS",
            "MARKET_ORDER",
            "ORDER_FILL",
            "TAKE_PROFIT_ORDER",
            "TRAILING_STOP_LOSS_ORDER",
            "LIMIT_ORDER",
            "MARKET_ORDER_REJECT",
            "ORDER_CANCEL_REJECT",
            "ORDER_CANCEL",
        } <= kinds
        for txn in txns.transactions:
            assert type(txn).__name__ == models.TRANSACTION_CLASSES.get(txn.type, models.Transaction).__name__
        account = models.Account.from_json((await api.get(""))["account"])
        assert account.balance == Decimal((await api.get("/summary"))["account"]["balance"])
        models.AccountChangesResponse.from_json(await api.get("/changes", sinceTransactionID="2"))
        models.CandlesResponse.from_json(
            (await c.get("/v3/instruments/GBP_USD/candles", params={"price": "MBA", "count": "5"})).json()
        )
        models.PricingResponse.from_json(await api.get("/pricing", instruments="USD_JPY"))
        trade = models.Trade.from_json((await api.get(f"/trades/{fill.trade_opened.trade_id}"))["trade"])
        assert trade.state == "CLOSED"
        position = models.Position.from_json((await api.get("/positions/EUR_USD"))["position"])
        assert position.long.units == 0
