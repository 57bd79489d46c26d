"""Slippage, cheats, OCO, brackets, fillers, commission schemes, margin, shorts, targets,
fund mode and several datas: each compared event by event with backtrader."""

import pytest
from _brokerdiff import compare, events, gappy, lib_of
from _brokerplans import ALL_TYPES, random_plan

from tradebridge.utils.synthetic import synthetic_ohlcv

BASE = synthetic_ohlcv(160, seed=9)
NO_SELL_LIMIT = ("Market", "Stop", "StopTrail", "Close")  # see test_fixes for sell limits


@pytest.mark.parametrize("kind", ["perc", "fixed"])
@pytest.mark.parametrize("flags", [
    dict(slip_open=True, slip_limit=True, slip_match=True, slip_out=False),
    dict(slip_open=False, slip_limit=True, slip_match=True, slip_out=False),
    dict(slip_open=True, slip_limit=False, slip_match=False, slip_out=False),
    dict(slip_open=True, slip_limit=True, slip_match=False, slip_out=False),
    dict(slip_open=True, slip_limit=True, slip_match=True, slip_out=True),
])
def test_slippage(kind, flags):
    amount = 0.01 if kind == "perc" else 1.5

    def setup(b):
        getattr(b, f"set_slippage_{kind}")(amount, **flags)

    compare(random_plan(11, types=NO_SELL_LIMIT), gappy(BASE), setup=setup)


@pytest.mark.parametrize("flags", [dict(slip_open=True), dict(slip_open=True, slip_match=False)])
def test_slippage_buy_limits(flags):
    def plan(s, O):
        if len(s) % 4 == 0:
            s.buy(size=3, exectype=O.Limit, price=s.data.close[0] * 1.01)
            s.buy(size=2, exectype=O.StopLimit, price=s.data.close[0] * 1.005,
                  plimit=s.data.close[0] * 1.02)

    compare(plan, gappy(BASE), setup=lambda b: b.set_slippage_perc(0.02, **flags))


def test_cheat_on_close():
    compare(random_plan(21, types=("Market", "Limit")), BASE, setup=lambda b: b.set_coc(True))


def test_cheat_on_open():
    def open_plan(s, O):
        if len(s) and len(s) % 5 == 0:  # tradebridge's engine also calls next_open at len 0
            s.order_target_size(target=10 if len(s) % 10 else -4)

    compare(lambda s, O: None, BASE, open_plan=open_plan, cheat_on_open=True)


def test_oco_group_cancels_the_others():
    def plan(s, O):
        if len(s) % 12 == 3:
            c = s.data.close[0]
            o1 = s.buy(size=5, exectype=O.Limit, price=c * 0.99)
            s.buy(size=5, exectype=O.Stop, price=c * 1.01, oco=o1)
            s.buy(size=5, exectype=O.Limit, price=c * 0.95, oco=o1)
        if len(s) % 12 == 9:
            s.close()

    ours, _ = compare(plan, BASE)
    assert any(e[3] == "Canceled" for e in events(ours, "order"))


@pytest.mark.parametrize("side", ["buy", "sell"])
@pytest.mark.parametrize("parent", ["Limit", "Market"])
@pytest.mark.parametrize("stopexec", ["Stop", "StopTrail"])
def test_brackets(side, parent, stopexec):
    def plan(s, O):
        if len(s) % 10 == 2 and not s.position:
            c = s.data.close[0]
            sign = 1 if side == "buy" else -1
            kw = dict(size=5, exectype=getattr(O, parent), limitprice=c * (1 + sign * 0.02))
            if parent == "Limit":
                kw["price"] = c * (1 - sign * 0.003)
            if stopexec == "StopTrail":
                kw.update(stopexec=O.StopTrail, stopargs=dict(trailpercent=0.01))
            else:
                kw["stopprice"] = c * (1 - sign * 0.02)
            getattr(s, f"{side}_bracket")(**kw)

    ours, _ = compare(plan, BASE)
    assert any(e[3] == "Canceled" for e in events(ours, "order"))


def test_bracket_parent_canceled_cancels_children():
    def plan(s, O):
        if len(s) == 3:
            s.mem["b"] = s.buy_bracket(size=5, price=s.data.close[0] * 0.9,
                                       stopprice=s.data.close[0] * 0.8,
                                       limitprice=s.data.close[0] * 1.1)
        if len(s) == 5:
            s.cancel(s.mem["b"][0])

    ours, _ = compare(plan, BASE)
    assert [e[3] for e in events(ours, "order")][-3:] == ["Canceled"] * 3


@pytest.mark.parametrize("filler", ["FixedSize", "FixedBarPerc", "BarPointPerc"])
def test_fillers_partial_fills(filler):
    args = {"FixedSize": dict(size=25), "FixedBarPerc": dict(perc=0.04),
            "BarPointPerc": dict(minmov=0.01, perc=3.0)}[filler]

    def setup(b):
        b.set_filler(getattr(lib_of(b).fillers, filler)(**args))

    def plan(s, O):
        if len(s) % 15 == 1:
            s.buy(size=60, exectype=O.Limit, price=s.data.close[0] * 1.001)
        if len(s) % 15 == 10:
            s.close()

    ours, _ = compare(plan, BASE, setup=setup)
    assert any(e[3] == "Partial" for e in events(ours, "order"))


SCHEMES = {
    "stocks_perc": lambda b: b.setcommission(commission=0.002),
    "stocks_fixed": lambda b: b.addcommissioninfo(
        lib_of(b).commissions.CommInfo_Stocks_Fixed(commission=1.0)),
    "futures_fixed": lambda b: b.setcommission(commission=2.0, margin=1000.0, mult=10.0),
    "futures_perc": lambda b: b.addcommissioninfo(
        lib_of(b).commissions.CommInfo_Futures_Perc(commission=0.1, margin=500.0, mult=5.0)),
    "leverage": lambda b: b.setcommission(commission=0.001, leverage=3.0),
    "interest_short": lambda b: b.setcommission(commission=0.001, interest=0.05),
    "interest_long": lambda b: b.setcommission(interest=0.07, interest_long=True),
    "automargin": lambda b: b.setcommission(commission=1.0, margin=100.0, mult=2.0,
                                            automargin=-1),
    "by_name": lambda b: b.setcommission(commission=5.0, margin=800.0, mult=4.0, name="d0"),
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("int2pnl", [True, False])
def test_commission_schemes(scheme, int2pnl):
    def setup(b):
        SCHEMES[scheme](b)
        b.set_int2pnl(int2pnl)

    def plan(s, O):
        n = len(s)
        if n % 9 == 1:
            s.order_target_size(target=(8, -6, 12, 0)[(n // 9) % 4])

    ours, _ = compare(plan, BASE, setup=setup)
    assert len(events(ours, "trade")) >= 4


def test_margin_rejection_on_submit():
    def plan(s, O):
        if len(s) == 3:
            s.buy(size=60)
            s.buy(size=60)  # the second one no longer fits: Margin
            s.sell(size=10)  # backtrader carries the shortfall on: Margin too (kept)
        if len(s) == 30:
            s.buy(size=10_000)

    ours, _ = compare(plan, BASE)
    assert sum(e[3] == "Margin" for e in events(ours, "order")) == 3


def test_margin_at_execution_when_checksubmit_off():
    def plan(s, O):
        if len(s) == 3:
            s.buy(size=99)
            s.buy(size=5)

    ours, _ = compare(plan, gappy(BASE), setup=lambda b: b.set_checksubmit(False))
    assert any(e[3] == "Margin" for e in events(ours, "order"))


@pytest.mark.parametrize("shortcash", [True, False])
def test_shorts(shortcash):
    def plan(s, O):
        n = len(s)
        if n % 7 == 2:
            s.order_target_size(target=(-10, -20, 5, -3)[(n // 7) % 4])

    compare(plan, BASE, setup=lambda b: b.set_shortcash(shortcash))


@pytest.mark.parametrize("target", ["order_target_size", "order_target_value",
                                    "order_target_percent"])
def test_order_targets(target):
    values = {"order_target_size": (10, -5, 0, 20), "order_target_value": (3000, 1000, 0, 5000),
              "order_target_percent": (0.5, 0.2, 0.0, 0.9)}[target]

    def plan(s, O):
        if len(s) % 6 == 1:
            getattr(s, target)(target=values[(len(s) // 6) % 4])

    compare(plan, BASE, setup=lambda b: b.setcommission(commission=0.001))


def test_fund_mode_with_cash_additions():
    def setup(b):
        b.set_fundmode(True, fundstartval=50.0)

    def plan(s, O):
        if len(s) % 20 == 5:
            s.broker.add_cash(1000 if len(s) % 40 else -500)
        if len(s) % 8 == 3:
            s.order_target_percent(target=0.5 if len(s) % 16 else 0.1)

    compare(plan, BASE, setup=setup)


def test_two_datas_and_tradeids():
    other = synthetic_ohlcv(160, seed=10, price=50.0)

    def plan(s, O):
        n = len(s)
        d0, d1 = s.datas
        if n % 5 == 1:
            s.buy(data=d0, size=3, tradeid=n % 2)
            s.sell(data=d1, size=4, exectype=O.Limit, price=d1.close[0] * 1.003)
        if n % 11 == 4:
            s.close(data=d0)
            s.close(data=d1)

    compare(plan, [BASE, other], setup=lambda b: b.setcommission(2.0, margin=300.0, name="d1"))


@pytest.mark.parametrize("seed", range(4))
def test_random_with_futures_and_slippage(seed):
    def setup(b):
        b.setcommission(commission=2.0, margin=2000.0, mult=10.0)
        b.set_slippage_fixed(0.05)

    compare(random_plan(50 + seed, types=ALL_TYPES[:2] + ("Stop", "StopTrail")), BASE,
            setup=setup)
