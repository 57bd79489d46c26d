"""Sizers give the same orders and sizes as backtrader's, whether set with
``cerebro.addsizer``, ``cerebro.addsizer_byidx`` or ``strategy.setsizer``/``sizer``."""

from __future__ import annotations

from typing import Any

import backtrader as bt
import pandas as pd
import pytest

import tradebridge as tb
from engine._enginediff import assert_same_logs, compare, log_order, log_trade
from tradebridge.utils.synthetic import synthetic_ohlcv

DF = synthetic_ohlcv(400, seed=21)


def crosser(lib: Any, mode: str = "flip", setup: Any = None) -> type:
    """An SMA-cross strategy that trades with sizer sizes: ``flip`` buys/sells to reverse,
    ``close`` opens and closes, ``target`` uses order_target_size with the sizer's size."""

    class Crosser(lib.Strategy):
        def __init__(self) -> None:
            self.cross = lib.ind.CrossOver(lib.ind.SMA(period=5), lib.ind.SMA(period=15))
            self.log: list[tuple] = []
            if setup is not None:
                setup(self, lib)

        def notify_order(self, order: Any) -> None:
            if order.status in (order.Completed, order.Margin, order.Rejected):
                log_order(self, order)

        def notify_trade(self, trade: Any) -> None:
            log_trade(self, trade)

        def next(self) -> None:
            self.log.append(("sizing", len(self), self.getsizing(isbuy=True),
                             self.getsizing(isbuy=False), type(self.sizer).__name__))
            if self.cross[0] > 0:
                self._enter(True)
            elif self.cross[0] < 0:
                self._enter(False)

        def _enter(self, up: bool) -> None:
            if mode == "flip":
                self.buy() if up else self.sell()
            elif mode == "close":
                self.close() if self.position else (self.buy() if up else None)
            else:
                self.order_target_size(target=self.getsizing() if up else 0)

    return Crosser


def added(sizer: str, **kw: Any) -> dict:
    return dict(sizer=sizer, kw=kw)


SIZERS = {
    "fixed_stake": ("flip", added("FixedSize", stake=7)),
    "fixed_tranches": ("flip", added("FixedSize", stake=10, tranches=3)),
    "sizerfix": ("close", added("SizerFix", stake=4)),
    "reverser": ("flip", added("FixedReverser", stake=5)),
    "percent": ("close", added("PercentSizer", percents=30)),
    "percent_flip": ("flip", added("PercentSizer", percents=15)),
    "allin": ("close", added("AllInSizer", percents=95)),
    "allin_full": ("close", added("AllInSizer")),
    "percent_int": ("close", added("PercentSizerInt", percents=40)),
    "allin_int": ("close", added("AllInSizerInt")),
    "target_tranches": ("target", added("FixedSizeTarget", stake=9, tranches=3)),
}


def run_with_addsizer(lib: Any, mode: str, spec: dict) -> list[tuple]:
    cerebro = lib.Cerebro()
    cerebro.adddata(lib.feeds.PandasData(dataname=DF))
    cerebro.addstrategy(crosser(lib, mode))
    cerebro.addsizer(getattr(lib.sizers, spec["sizer"]), **spec["kw"])
    strat = cerebro.run()[0]
    return [*strat.log, ("final", cerebro.broker.getcash(), cerebro.broker.getvalue())]


@pytest.mark.parametrize("case", sorted(SIZERS))
def test_addsizer_orders_and_sizes_equal_backtrader(case: str) -> None:
    mode, spec = SIZERS[case]
    ours, ref = run_with_addsizer(tb, mode, spec), run_with_addsizer(bt, mode, spec)
    assert_same_logs(ours, ref)
    assert any(e[0] == "order" for e in ref)


def test_addsizer_byidx_gives_each_strategy_its_sizer() -> None:
    def run(lib: Any) -> list[list[tuple]]:
        cerebro = lib.Cerebro()
        cerebro.adddata(lib.feeds.PandasData(dataname=DF))
        first = cerebro.addstrategy(crosser(lib, "close"))
        second = cerebro.addstrategy(crosser(lib, "flip"))
        cerebro.addstrategy(crosser(lib, "close"))
        cerebro.addsizer(lib.sizers.FixedSize, stake=2)
        cerebro.addsizer_byidx(first, lib.sizers.PercentSizerInt, percents=25)
        cerebro.addsizer_byidx(second, lib.sizers.FixedReverser, stake=3)
        return [s.log for s in cerebro.run()]

    ours, ref = run(tb), run(bt)
    assert [log[0][-1] for log in ref] == ["PercentSizerInt", "FixedReverser", "FixedSize"]
    for mine, theirs in zip(ours, ref):
        assert_same_logs(mine, theirs)


def _set_in_init(strat: Any, lib: Any) -> None:
    strat.log.append(("init sizer", type(strat.getsizer()).__name__, strat.sizer.p.stake))
    strat.sizer.setsizing(6)
    strat.setsizer(lib.sizers.PercentSizer(percents=12))
    assert strat.getsizer().strategy is strat and strat.sizer.broker is strat.broker


def _assign_property(strat: Any, lib: Any) -> None:
    strat.sizer = lib.sizers.FixedReverser(stake=8)


def _setsizing_with_tranches(strat: Any, lib: Any) -> None:
    strat.setsizer(lib.sizers.FixedSize(stake=12, tranches=4))
    strat.sizer.setsizing(100)  # backtrader re-splits the stake and ignores the argument
    strat.log.append(("stake", strat.sizer.p.stake))


@pytest.mark.parametrize("setup", [_set_in_init, _assign_property, _setsizing_with_tranches])
def test_strategy_setsizer_getsizer_and_sizer_property_as_backtrader(setup: Any) -> None:
    compare(lambda lib: crosser(lib, "flip", setup), [DF])


def test_cerebro_sizer_replaces_one_set_in_strategy_init() -> None:
    def run(lib: Any) -> Any:
        cerebro = lib.Cerebro()
        cerebro.adddata(lib.feeds.PandasData(dataname=DF))
        cerebro.addstrategy(crosser(lib, "flip", _assign_property))
        cerebro.addsizer(lib.sizers.SizerFix, stake=3)
        return cerebro.run()[0]

    ours, ref = run(tb), run(bt)
    assert type(ours.sizer).__name__ == type(ref.sizer).__name__ == "FixedSize"
    assert_same_logs(ours.log, ref.log)


def test_percent_sizer_uses_cash_at_the_close_and_closes_positions() -> None:
    cerebro = tb.Cerebro()
    cerebro.adddata(tb.feeds.PandasData(dataname=pd.DataFrame(
        {"open": 10.0, "high": 10.0, "low": 10.0, "close": 10.0, "volume": 1.0},
        index=pd.date_range("2020-01-01", periods=3))))
    strat = cerebro.run()[0]
    sizer = tb.sizers.PercentSizer(percents=25)
    sizer.set(strat, cerebro.broker)
    assert sizer.getsizing(strat.data, True) == pytest.approx(10000 * 0.25 / 10.0)
    assert tb.sizers.PercentSizerInt().p.retint and tb.sizers.AllInSizerInt().p.percents == 100
