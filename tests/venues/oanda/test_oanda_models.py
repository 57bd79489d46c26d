"""OANDA v20 models: exact decimals, round trips, unknown keys kept, clear errors, type dispatch."""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oanda_strategies import models

from tradebridge.venues.oanda import models as m
from tradebridge.venues.oanda.codec import Model, camel

ALL_MODELS = [
    obj
    for obj in vars(m).values()
    if isinstance(obj, type)
    and issubclass(obj, Model)
    and obj is not Model
    and not obj.__name__.startswith("_")
]


def test_every_public_model_is_listed_in_all():
    assert {cls.__name__ for cls in ALL_MODELS} <= set(m.__all__) | {"AccountProperties"}


@pytest.mark.parametrize(
    "attr,key",
    [
        ("id", "id"),
        ("last_transaction_id", "lastTransactionID"),
        ("trade_ids", "tradeIDs"),
        ("nav", "NAV"),
        ("margin_closeout_nav", "marginCloseoutNAV"),
        ("pl", "pl"),
        ("unrealized_pl", "unrealizedPL"),
        ("resettable_pl_time", "resettablePLTime"),
        ("full_vwap", "fullVWAP"),
        ("mt4_account_id", "mt4AccountID"),
        ("take_profit_on_fill", "takeProfitOnFill"),
    ],
)
def test_snake_case_attributes_map_to_v20_keys(attr, key):
    assert camel(attr) == key


@settings(max_examples=25, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("cls", ALL_MODELS, ids=lambda c: c.__name__)
def test_model_survives_json_round_trip(cls, data):
    obj = data.draw(models(cls))
    payload = obj.to_json()
    again = type(obj).parse(payload)
    assert again == obj
    assert again.to_json() == payload


def test_decimal_strings_keep_their_digits_and_unknown_keys_survive():
    payload = {
        "type": "PRICE",
        "instrument": "EUR_USD",
        "time": "2026-11-24T10:00:00.123456789Z",
        "status": "tradeable",
        "tradeable": True,
        "bids": [{"price": "1.10000", "liquidity": 1000000}],
        "asks": [{"price": "1.10020", "liquidity": 1000000}],
        "closeoutBid": "1.09990",
        "closeoutAsk": "1.10030",
        "unitsAvailable": {"default": {"long": "2000", "short": "2000"}},  # deprecated: not modelled, kept
    }
    price = m.ClientPrice.from_json(payload)
    assert price.bids[0].price == Decimal("1.10000") and str(price.bids[0].price) == "1.10000"
    assert price.extra == {"unitsAvailable": {"default": {"long": "2000", "short": "2000"}}}
    assert price.to_json() == payload


@pytest.mark.parametrize(
    "cls,payload,message",
    [
        (
            m.Candlestick,
            {"time": "t", "mid": {"o": "1", "h": 1.5, "l": "1", "c": "1"}},
            "Candlestick.mid.h: expected a decimal string, got 1.5 (float)",
        ),
        (m.Candlestick, {"mid": {"o": "1", "h": "1", "l": "1", "c": "1"}}, "Candlestick.time: missing"),
        (
            m.Candlestick,
            {"time": "t", "volume": "12"},
            "Candlestick.volume: expected an integer, got '12' (str)",
        ),
        (m.Candlestick, {"time": "t", "complete": "true"}, "Candlestick.complete: expected true or false"),
        (
            m.CandlestickData,
            {"o": "NaN", "h": "1", "l": "1", "c": "1"},
            "CandlestickData.o: expected a finite",
        ),
        (
            m.CandlestickData,
            {"o": "1,5", "h": "1", "l": "1", "c": "1"},
            "CandlestickData.o: expected a decimal",
        ),
        (
            m.CandlesResponse,
            {"candles": [{"time": "t"}, {"time": 5}]},
            "CandlesResponse.candles[1].time: expected a string",
        ),
        (
            m.AccountChanges,
            {"transactions": [{"id": "1", "type": "ORDER_FILL", "units": "x"}]},
            "AccountChanges.transactions[0].units: expected a decimal string, got 'x' (str)",
        ),
        (
            m.AccountChanges,
            {"transactions": [{"id": "1"}]},
            "AccountChanges.transactions[0].type: missing or not",
        ),
        (m.Account, {"id": "1", "trades": {"id": "2"}}, "Account.trades: expected a list"),
        (m.ClientPrice, ["not", "an", "object"], "ClientPrice: expected an object"),
        (
            m.WriteResponse,
            {"orderFillTransaction": {"id": "3", "type": "ORDER_FILL", "price": 1.1}},
            "WriteResponse.orderFillTransaction.price: expected a decimal string",
        ),
    ],
)
def test_malformed_payload_names_model_and_field(cls, payload, message):
    with pytest.raises(m.ModelError) as info:
        cls.parse(payload)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    "kind,cls",
    [
        ("ORDER_FILL", m.OrderFillTransaction),
        ("ORDER_CANCEL", m.OrderCancelTransaction),
        ("ORDER_CANCEL_REJECT", m.OrderCancelRejectTransaction),
        ("DAILY_FINANCING", m.DailyFinancingTransaction),
        ("MARKET_ORDER", m.OrderTransaction),
        ("LIMIT_ORDER_REJECT", m.OrderTransaction),
        ("TRAILING_STOP_LOSS_ORDER", m.OrderTransaction),
        ("TAKE_PROFIT_ORDER", m.OrderTransaction),
        ("TRANSFER_FUNDS", m.Transaction),
        ("SOMETHING_NEW", m.Transaction),
    ],
)
def test_transaction_class_follows_its_type(kind, cls):
    tx = m.transaction_from_json({"id": "7", "type": kind, "amount": "100"})
    assert type(tx) is cls
    assert tx.to_json()["type"] == kind


def test_unmodelled_transaction_keeps_its_fields():
    payload = {"id": "7", "type": "TRANSFER_FUNDS", "amount": "100.00", "fundingReason": "CLIENT_FUNDING"}
    tx = m.transaction_from_json(payload)
    assert tx.extra == {"amount": "100.00", "fundingReason": "CLIENT_FUNDING"}
    assert tx.to_json() == payload


def test_stream_lines_are_told_apart():
    assert type(m.stream_line_from_json({"type": "HEARTBEAT", "time": "1"})) is m.PricingHeartbeat
    assert (
        type(m.stream_line_from_json({"type": "HEARTBEAT", "time": "1", "lastTransactionID": "4"}))
        is m.TransactionHeartbeat
    )
    assert type(m.stream_line_from_json({"type": "PRICE", "instrument": "EUR_USD"})) is m.ClientPrice
    assert type(m.stream_line_from_json({"type": "ORDER_FILL", "id": "5"})) is m.OrderFillTransaction


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (
            {"type": "LIMIT", "instrument": "EUR_USD", "units": Decimal(1)},
            "OrderRequest.price: required for a LIMIT",
        ),
        ({"type": "MARKET", "units": Decimal(1)}, "OrderRequest.instrument: required for a MARKET"),
        ({"type": "TRAILING_STOP_LOSS", "trade_id": "3"}, "OrderRequest.distance: required"),
        ({"type": "STOP_LOSS", "trade_id": "3"}, "OrderRequest.price: a STOP_LOSS order needs exactly one"),
        (
            {"type": "STOP_LOSS", "trade_id": "3", "price": Decimal(1), "distance": Decimal(1)},
            "OrderRequest.price",
        ),
        ({"type": "FOO", "instrument": "EUR_USD"}, "OrderRequest.type: unknown order type 'FOO'"),
    ],
)
def test_order_request_refuses_what_its_type_cannot_send(kwargs, message):
    with pytest.raises(m.ModelError, match=message.replace(".", r"\.").replace("(", r"\(")):
        m.OrderRequest(**kwargs)


def test_order_request_from_json_reports_missing_price_as_model_error():
    with pytest.raises(m.ModelError, match=r"OrderRequest\.price: required for a STOP order"):
        m.OrderRequest.from_json({"type": "STOP", "instrument": "EUR_USD", "units": "10"})


def test_order_request_writes_v20_body():
    order = m.OrderRequest(
        type="LIMIT",
        instrument="EUR_USD",
        units=Decimal("-1000"),
        price=Decimal("1.10500"),
        time_in_force="GTC",
        client_extensions=m.ClientExtensions(id="tb-abc-1"),
        stop_loss_on_fill=m.StopLossDetails(distance=Decimal("0.00500")),
    )
    assert order.to_json() == {
        "type": "LIMIT",
        "instrument": "EUR_USD",
        "units": "-1000",
        "price": "1.10500",
        "timeInForce": "GTC",
        "clientExtensions": {"id": "tb-abc-1"},
        "stopLossOnFill": {"distance": "0.00500"},
    }
    assert order.spec_definition() == "LimitOrderRequest"


def test_floats_given_in_code_are_written_as_plain_decimal_strings():
    assert m.PriceBucket(price=0.00001, liquidity=1).to_json()["price"] == "0.00001"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2016-06-22T18:41:29.285982286Z", datetime(2016, 6, 22, 18, 41, 29, 285982, tzinfo=UTC)),
        ("2016-06-22T18:41:29Z", datetime(2016, 6, 22, 18, 41, 29, tzinfo=UTC)),
        ("2016-06-22T20:41:29.5+02:00", datetime(2016, 6, 22, 18, 41, 29, 500000, tzinfo=UTC)),
        ("1466620889.285982000", datetime(2016, 6, 22, 18, 41, 29, 285982, tzinfo=UTC)),
    ],
)
def test_parse_time_reads_rfc3339_nanoseconds_and_unix(text, expected):
    assert m.parse_time(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "NaN", "2016-06-22 18:41:29"])
def test_parse_time_refuses_other_text(text):
    with pytest.raises(ValueError, match="not a v20 time"):
        m.parse_time(text)


def test_error_response_exposes_code_message_and_reject_reason():
    err = m.ErrorResponse.from_json(
        {
            "errorCode": "INSUFFICIENT_MARGIN",
            "errorMessage": "Insufficient margin",
            "orderRejectTransaction": {
                "id": "9",
                "type": "MARKET_ORDER_REJECT",
                "rejectReason": "INSUFFICIENT_MARGIN",
            },
            "lastTransactionID": "9",
            "relatedTransactionIDs": ["9"],
        }
    )
    assert (err.error_code, err.error_message, err.reject_reason) == (
        "INSUFFICIENT_MARGIN",
        "Insufficient margin",
        "INSUFFICIENT_MARGIN",
    )
    assert isinstance(err.reject_transaction, m.OrderTransaction)
    assert m.ErrorResponse.from_json({"errorMessage": "Invalid value"}).reject_reason is None


def test_write_response_maps_roles_to_transactions():
    answer = m.WriteResponse.from_json(
        {
            "orderCreateTransaction": {
                "id": "4",
                "type": "MARKET_ORDER",
                "instrument": "EUR_USD",
                "units": "10",
            },
            "orderFillTransaction": {"id": "5", "type": "ORDER_FILL", "units": "10", "price": "1.1"},
            "relatedTransactionIDs": ["4", "5"],
            "lastTransactionID": "5",
        }
    )
    assert set(answer.transactions) == {"orderCreateTransaction", "orderFillTransaction"}
    assert [f.id for f in answer.fills()] == ["5"]
    assert answer.related_transaction_ids == ("4", "5")


def test_position_net_units_adds_both_sides():
    pos = m.Position.from_json({"instrument": "EUR_USD", "long": {"units": "100"}, "short": {"units": "-30"}})
    assert pos.net_units == Decimal(70)


def test_models_are_hashable_values():
    price = m.ClientPrice.from_json(
        {"instrument": "EUR_USD", "bids": [{"price": "1.1"}], "unitsAvailable": {}})
    assert hash(price) == hash(m.ClientPrice.from_json(price.to_json()))
    assert len({price, m.ClientPrice.from_json(price.to_json())}) == 1


def test_models_are_frozen():
    bucket = m.PriceBucket(price=Decimal(1))
    with pytest.raises(AttributeError):
        bucket.price = Decimal(2)  # type: ignore[misc]
    assert typing.get_type_hints(m.PriceBucket)["price"] is Decimal
