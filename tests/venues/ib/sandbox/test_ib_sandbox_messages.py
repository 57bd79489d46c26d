"""The sandbox's pure translations: placeOrder values to OrderRequest, exchange events to TWS
messages that the codec encodes and decodes back unchanged, TWS times and execution filters."""

from __future__ import annotations

import datetime as dt

import pytest

from tradebridge.venues.ib.protocol import UNSET_DOUBLE, decode_response, encode_response, split_fields
from tradebridge.venues.ib.sandbox.events import (
    AccountValue,
    CommissionEvent,
    CommissionReport,
    Contract,
    ErrorEvent,
    Execution,
    ExecutionEvent,
    OpenOrder,
    OrderRequest,
    OrderStatus,
    PortfolioValue,
    PositionUpdate,
)
from tradebridge.venues.ib.sandbox.instruments import default_instruments
from tradebridge.venues.ib.sandbox.messages import (
    contract_details,
    event_message,
    exec_filter,
    ib_time,
    order_request,
    parse_ib_time,
)

AAPL = default_instruments()[0].contract
WHEN = dt.datetime(2026, 11, 24, 15, 0, 5, tzinfo=dt.UTC)


def test_place_order_values_become_an_order_request_with_unset_prices_as_none():
    req = order_request({"action": "SELL", "totalQuantity": 7.0, "orderType": "TRAIL LIMIT",
                         "lmtPrice": None, "auxPrice": UNSET_DOUBLE, "trailingPercent": 1.5,
                         "lmtPriceOffset": 0.25, "tif": "GTC", "parentId": 3, "transmit": False,
                         "ocaGroup": "g", "ocaType": 1, "orderRef": "r", "outsideRth": True,
                         "symbol": "AAPL", "whatIf": False, "hidden": None})
    assert (req.action, req.total_quantity, req.order_type, req.tif) == ("SELL", 7.0, "TRAIL LIMIT", "GTC")
    assert (req.lmt_price, req.aux_price) == (None, None)
    assert (req.trailing_percent, req.lmt_price_offset) == (1.5, 0.25)
    assert (req.parent_id, req.transmit, req.oca_group, req.oca_type) == (3, False, "g", 1)
    assert req.order_ref == "r" and req.outside_rth is True
    assert req.extra == {"symbol": "AAPL", "whatIf": False}


def test_tws_times_with_a_zone_without_one_and_the_utc_dash_form():
    assert parse_ib_time("20261124 10:00:05 America/New_York") == WHEN
    assert parse_ib_time("20261124 15:00:05") == WHEN
    assert parse_ib_time("20261124-15:00:05") == WHEN
    assert ib_time(WHEN) == "20261124 15:00:05 UTC"
    assert ib_time(WHEN, "America/New_York") == "20261124 10:00:05 America/New_York"
    with pytest.raises(ValueError, match="time 'yesterday'"):
        parse_ib_time("yesterday")


def test_exec_filter_from_request_values():
    f = exec_filter({"clientId": 2, "acctCode": "DU1", "time": "20261124 15:00:05", "symbol": "AAPL",
                     "secType": "STK", "exchange": "", "side": "BUY"})
    assert (f.client_id, f.acct_code, f.time, f.symbol, f.sec_type, f.side) == (
        2, "DU1", WHEN, "AAPL", "STK", "BUY")
    assert exec_filter({}).time is None


def _events() -> list:
    req = OrderRequest("BUY", 10.0, "LMT", lmt_price=190.5, account="DU1", order_ref="x")
    execution = Execution("e1", WHEN, "DU1", "NASDAQ", "BOT", 10.0, 190.5, 77, 1, 4, 0, 10.0, 190.5, "x")
    return [
        OrderStatus(4, "Filled", 10.0, 0.0, 190.5, 77, 0, 190.5, 1),
        OpenOrder(4, 1, 77, AAPL, req, "Submitted", 0.0, 10.0),
        OpenOrder(4, 1, 77, AAPL, req, "Filled", 10.0, 0.0, completed=True, completed_time="t"),
        ExecutionEvent(AAPL, execution),
        CommissionEvent(CommissionReport("e1", 1.0, "USD")),
        ErrorEvent(4, 201, "Order rejected - reason:x"),
        AccountValue("NetLiquidation", "1000.00", "USD", "DU1"),
        PortfolioValue(AAPL, 10.0, 191.0, 1910.0, 190.6, 4.0, 0.0, "DU1"),
        PositionUpdate("DU1", AAPL, 10.0, 190.6),
    ]


@pytest.mark.parametrize("version", [176, 178])
@pytest.mark.parametrize("index", range(9))
def test_every_exchange_event_encodes_and_decodes_back(version, index):
    event = _events()[index]
    name, values = event_message(event)
    data = encode_response(name, values, version)
    got_name, got = decode_response(split_fields(data[4:]), version)
    assert got_name == name
    for key, value in values.items():
        if key in got and value is not None:
            assert got[key] == value, key


def test_event_message_refuses_what_it_does_not_know():
    with pytest.raises(TypeError, match="no TWS message for exchange event str"):
        event_message("nope")


def test_forex_contract_details_trade_around_the_clock_on_idealpro():
    eur = default_instruments()[1]
    values = contract_details(5, eur.contract, eur.min_tick, eur.tz, dt.date(2026, 11, 24))
    assert values["validExchanges"] == "IDEALPRO" and values["minTick"] == 5e-05
    assert values["tradingHours"].startswith("20261124:1715-20261125:1700")
    assert values["longName"] == "European Monetary Union Euro"
    stock = contract_details(5, Contract(1, "ZZZ"), 0.01, "America/New_York", dt.date(2026, 11, 24))
    assert stock["longName"] == "ZZZ" and stock["liquidHours"].startswith("20261124:0930-20261124:1600")
