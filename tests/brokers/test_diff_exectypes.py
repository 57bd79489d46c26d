"""Every exec type, with and without gaps, against backtrader: notifications, trades, cash."""

import datetime as dt

import pytest
from _brokerdiff import compare, events, gapless, gappy
from _brokerplans import ALL_TYPES, random_plan

from tradebridge.utils.synthetic import synthetic_ohlcv

BASE = synthetic_ohlcv(160, seed=5)
DATAS = {"normal": BASE, "gapless": gapless(BASE), "gappy": gappy(BASE)}


@pytest.mark.parametrize("shape", sorted(DATAS))
@pytest.mark.parametrize("exectype", ALL_TYPES)
def test_single_exectype(exectype, shape):
    ours, _ = compare(random_plan(ALL_TYPES.index(exectype) * 7 + len(shape), types=(exectype,)),
                      DATAS[shape])
    assert events(ours, "order")


@pytest.mark.parametrize("seed", range(6))
def test_mixed_random_orders(seed):
    ours, _ = compare(random_plan(seed, valids=True, tradeids=True), DATAS["normal"],
                      setup=lambda b: b.setcommission(commission=0.001))
    assert events(ours, "trade")


@pytest.mark.parametrize("seed", range(3))
def test_mixed_random_orders_gappy(seed):
    compare(random_plan(100 + seed, valids=True), DATAS["gappy"])


@pytest.mark.parametrize(
    "valid",
    ["day", "timedelta", "date", "datetime", "number"],
)
def test_valid_forms_expire_like_backtrader(valid):
    def plan(s, O):
        if len(s) in (3, 20, 40):
            now = s.data.datetime.datetime(0)
            value = {
                "day": O.DAY,
                "timedelta": dt.timedelta(days=2),
                "date": (now + dt.timedelta(days=3)).date(),
                "datetime": now + dt.timedelta(days=1, hours=12),
                "number": s.data.datetime[0] + 2.5,
            }[valid]
            s.buy(size=5, exectype=O.Limit, price=s.data.close[0] * 0.97, valid=value)

    ours, _ = compare(plan, BASE)
    assert any(e[3] == "Expired" for e in events(ours, "order"))


def test_cancel_before_and_after_acceptance():
    def plan(s, O):
        if len(s) == 3:
            s.mem["o"] = s.buy(size=5, exectype=O.Limit, price=s.data.close[0] * 0.9)
            s.cancel(s.mem["o"])  # still Submitted: backtrader ignores it
        if len(s) == 6:
            s.cancel(s.mem["o"])

    ours, _ = compare(plan, BASE)
    assert [e[3] for e in events(ours, "order")] == ["Submitted", "Accepted", "Canceled"]
