"""OandaBroker through Cerebro against the real v20 sandbox: market, limit, stop, stop-limit, a
bracket with TP/SL, cancels, rejections with OANDA's reason, cash/value from the account."""

from __future__ import annotations

import pytest
from oanda_live_kit import run_script, sandbox, venue_orders, venue_position, venue_summary

import tradebridge as bt


def test_market_buy_fills_as_the_sandbox_filled_it_and_cash_value_come_from_the_account(tmp_path):
    orders = {}

    def buy(s):
        orders["buy"] = s.buy(size=1000)

    with sandbox() as sb:
        strat, broker = run_script(sb, tmp_path / "j.sqlite", {1: buy}, stop_at=6)
        venue = venue_orders(sb)
        summary = venue_summary(sb)
        position = venue_position(sb)
    order = orders["buy"]
    assert strat.statuses(order) == ["Submitted", "Accepted", "Completed"]
    kind, state, fields, result = venue[order.info["client_id"]]
    assert (kind, state, fields["units"]) == ("MARKET", "FILLED", "1000")
    assert broker.getposition(strat.data).size == 1000 == position
    assert broker.getvalue() == pytest.approx(float(summary["NAV"]), abs=5)
    assert broker.account["balance"] == pytest.approx(float(summary["balance"]))
