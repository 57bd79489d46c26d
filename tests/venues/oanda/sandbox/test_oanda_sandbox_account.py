"""The account's order math, sans-IO: random order flows keep positions, trades, balance and the
transaction log consistent (hypothesis); request validation never fails other than by Reject."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tradebridge.venues.oanda.sandbox import actions
from tradebridge.venues.oanda.sandbox.data import BUNDLED, bundled_series
from tradebridge.venues.oanda.sandbox.orders import Reject, check_request
from tradebridge.venues.oanda.sandbox.pricing import parse_time
from tradebridge.venues.oanda.sandbox.server import SandboxState

_SERIES = {n: bundled_series(n) for n in BUNDLED}

flows = st.lists(
    st.tuples(st.sampled_from(BUNDLED), st.integers(-5000, 5000).filter(bool), st.integers(0, 30)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=30, deadline=None)
@given(flow=flows, commission=st.sampled_from([0.0, 0.0001]))
def test_random_market_flows_keep_units_balance_and_ids_consistent(flow, commission) -> None:  # noqa: ANN001
    state = SandboxState(_SERIES, commission=commission)
    acct = state.account
    net = dict.fromkeys(BUNDLED, 0)
    for name, units, steps in flow:
        status, body = actions.create_order(
            acct, {"order": {"type": "MARKET", "instrument": name, "units": str(units)}}
        )
        assert status == 201, body
        if "orderFillTransaction" in body:
            net[name] += units
        state.step(steps)
    for name in BUNDLED:
        assert sum(t.current_units for t in acct.open_trades(name)) == net[name]
        signs = {t.current_units > 0 for t in acct.open_trades(name)}
        assert len(signs) <= 1  # netting: never long and short at once
    fills = [t for t in acct.txns if t["type"] == "ORDER_FILL"]
    running = 0.0
    for txn in acct.txns:  # each balance-changing transaction states the balance it left
        if txn["type"] == "ORDER_FILL":
            running += float(txn["pl"]) - float(txn["commission"])
        elif txn["type"] == "DAILY_FINANCING":
            running += float(txn["financing"])
        elif txn["type"] == "TRANSFER_FUNDS":
            running += float(txn["amount"])
        else:
            continue
        assert txn["accountBalance"] == f"{running:.4f}"
    assert abs(acct.balance - running) < 1e-6
    assert [t["id"] for t in acct.txns] == [str(i) for i in range(1, len(acct.txns) + 1)]
    for trade in acct.trades.values():
        assert (trade.state == "CLOSED") == (trade.current_units == 0)
        assert (
            abs(
                trade.realized_pl
                - sum(
                    float(r["realizedPL"])
                    for f in fills
                    for r in f.get("tradesClosed", []) + ([f["tradeReduced"]] if "tradeReduced" in f else [])
                    if r["tradeID"] == trade.id
                )
            )
            < 1e-3
        )


@settings(max_examples=200, deadline=None)
@given(
    units=st.one_of(
        st.text(max_size=8), st.integers(-(10**9), 10**9), st.floats(allow_nan=True), st.none(), st.booleans()
    ),
    price=st.one_of(
        st.text(max_size=8), st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str)
    ),
)
def test_order_validation_normalises_or_rejects_with_a_v20_reason(units, price) -> None:  # noqa: ANN001
    specs = {n: s.spec for n, s in _SERIES.items()}
    body = {"type": "LIMIT", "instrument": "EUR_USD", "units": units, "price": price}
    try:
        out = check_request(body, specs, 0.0, lambda t: parse_time(str(t), "gtdTime"))
    except Reject as err:
        assert err.reason.startswith(("UNITS_", "PRICE_")) and err.message
        return
    assert int(out["units"]) == float(units) and int(out["units"]) != 0
    assert float(out["price"]) > 0 and len(out["price"].split(".")[1]) == 5
