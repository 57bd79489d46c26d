"""Cerebro's API against backtrader's: observers, indicators, runstop, tz, stdstats,
run kwargs, several strategies, hooks, broker access, and params declarations; plus the
errors tradebridge adds where backtrader is silent or crashes."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import backtrader as bt
import pytest
from _enginediff import assert_same_logs, log_order

import tradebridge as tb
from tradebridge.utils.synthetic import synthetic_ohlcv

DF = synthetic_ohlcv(300, seed=13)
DF.index = DF.index + dt.timedelta(hours=15)


class _Fixed(dt.tzinfo):
    """A fixed-offset zone both libraries accept (backtrader sets ``localize`` on it)."""

    def __init__(self, hours: int) -> None:
        self.off = dt.timedelta(hours=hours)

    def utcoffset(self, d: Any) -> dt.timedelta:
        return self.off

    def dst(self, d: Any) -> dt.timedelta:
        return dt.timedelta(0)

    def tzname(self, d: Any) -> str:
        return f"UTC{self.off}"


def cerebro_for(lib: Any, n: int = 1, **kw: Any) -> Any:
    cerebro = lib.Cerebro(**kw)
    for i in range(n):
        cerebro.adddata(lib.feeds.PandasData(dataname=DF.iloc[i * 7:]), name=f"d{i}")
    return cerebro


def both(fn: Any) -> tuple[Any, Any]:
    return fn(tb), fn(bt)


def test_addobserver_and_addobservermulti_values_equal_backtrader() -> None:
    def run(lib: Any) -> list:
        cerebro = cerebro_for(lib, 2)
        cerebro.addobserver(lib.observers.DrawDown)
        cerebro.addobservermulti(lib.observers.BuySell)
        cerebro.addstrategy(trader(lib))
        strat = cerebro.run()[0]
        dd = strat.stats.drawdown
        multi = strat.stats.buysell
        return [list(dd.lines.drawdown.get(size=len(dd))), list(dd.lines.maxdrawdown.get(size=len(dd))),
                len(multi), [list(o.lines.buy.get(size=len(o))) for o in multi],
                strat.stats.getnames()]

    ours, ref = both(run)
    assert ours[4] == ref[4] and ours[2] == ref[2] == 2
    assert_same_logs([tuple(x) for x in ours[:2]], [tuple(x) for x in ref[:2]])
    assert_same_logs([tuple(x) for x in ours[3]], [tuple(x) for x in ref[3]])


def trader(lib: Any, stop_at: int | None = None, size: int = 2) -> type:
    class Trader(lib.Strategy):
        def __init__(self) -> None:
            self.sma = lib.ind.SMA(period=10)
            self.log: list[tuple] = []

        def notify_order(self, order: Any) -> None:
            log_order(self, order)

        def next(self) -> None:
            self.log.append(("next", len(self), self.data.datetime.datetime(0)))
            if stop_at is not None and len(self) == stop_at:
                self.env.runstop()
            if not self.position and self.data.close[0] > self.sma[0]:
                self.buy(size=size)
            elif self.position and self.data.close[0] < self.sma[0]:
                self.close()

    return Trader


def test_addindicator_builds_the_indicator_in_every_strategy() -> None:
    def run(lib: Any) -> list:
        cerebro = cerebro_for(lib)
        cerebro.addindicator(lib.ind.EMA, period=12)
        cerebro.addstrategy(trader(lib))
        cerebro.addstrategy(trader(lib))
        strats = cerebro.run()
        inds = [[c for c in (s.getindicators() if lib is bt else s._children)
                 if isinstance(c, lib.ind.EMA)] for s in strats]
        return [len(x) for x in inds] + [tuple(inds[0][0].lines[0].get(size=50))]

    ours, ref = both(run)
    assert ours[:2] == ref[:2] == [1, 1]
    assert_same_logs([ours[2]], [ref[2]])


@pytest.mark.parametrize("runonce", [True, False])
def test_runstop_from_next_stops_at_the_same_bar(runonce: bool) -> None:
    def run(lib: Any) -> list:
        cerebro = cerebro_for(lib, runonce=runonce)
        cerebro.addstrategy(trader(lib, stop_at=57))
        strat = cerebro.run()[0]
        return [*strat.log, ("len", len(strat)), ("value", cerebro.broker.getvalue())]

    ours, ref = both(run)
    assert ours[-2] == ("len", 57)
    assert_same_logs(ours, ref)


def _clock_strategy(lib: Any) -> type:
    class Clock(lib.Strategy):
        def __init__(self) -> None:
            self.log: list[tuple] = []

        def next(self) -> None:
            if len(self) <= 3:
                self.log.append((self.data.datetime.datetime(0), self.datetime.datetime(0),
                                 self.datetime.date(0), self.datetime.time(0),
                                 self.data.datetime.date(0), self.data1.datetime.datetime(0)))

    return Clock


@pytest.mark.parametrize("tz", [None, 5, -7, "data0", "data1"])
@pytest.mark.parametrize("via", ["param", "addtz"])
def test_tz_moves_strategy_datetimes_as_backtrader(tz: Any, via: str) -> None:
    def run(lib: Any) -> list:
        cerebro = lib.Cerebro()
        cerebro.adddata(lib.feeds.PandasData(dataname=DF, tz=_Fixed(2)))
        cerebro.adddata(lib.feeds.PandasData(dataname=DF, tz=_Fixed(9)))
        zone = {"data0": 0, "data1": 1}.get(tz, _Fixed(tz) if isinstance(tz, int) else None)
        if via == "addtz":
            cerebro.addtz(zone)
        else:
            cerebro.p.tz = zone
        cerebro.addstrategy(_clock_strategy(lib))
        return cerebro.run()[0].log

    ours, ref = both(run)
    assert ours == ref and len(ref) == 3


def test_stdstats_false_and_run_kwargs_override_as_backtrader() -> None:
    def run(lib: Any) -> list:
        cerebro = cerebro_for(lib)
        cerebro.addstrategy(trader(lib))
        with_stats = cerebro.run()[0]
        without = cerebro.run(stdstats=False, runonce=False)[0]
        return [with_stats.stats.getnames(), without.stats.getnames(), cerebro.p.stdstats,
                cerebro.p.runonce, without.log == with_stats.log]

    ours, ref = both(run)
    assert ours == ref == [["broker", "trades"], [], False, False, True]


def test_two_strategies_share_datas_and_get_only_their_own_orders() -> None:
    def run(lib: Any) -> list:
        cerebro = cerebro_for(lib, 2)
        cerebro.addstrategy(trader(lib, size=2))
        cerebro.addstrategy(trader(lib, size=5))
        first, second = cerebro.run()
        return [first.datas == second.datas, len(first.datas), first.log, second.log,
                cerebro.broker.getposition(first.data).size]

    ours, ref = both(run)
    assert ours[:2] == ref[:2] == [True, 2]
    assert_same_logs(ours[2], ref[2])
    assert_same_logs(ours[3], ref[3])
    assert ours[4] == ref[4]
    for log, size, other in ((ours[2], 2, 5), (ours[3], 5, 2)):
        buys = {e[5] for e in log if e[0] == "order" and e[5] > 0}  # + closes of the shared position
        assert size in buys and other not in buys


def test_hooks_broker_access_and_run_result_shape() -> None:
    for lib in (tb, bt):
        cerebro = cerebro_for(lib)
        for hook in ("notify_data", "notify_store", "notify_timer"):
            assert callable(getattr(cerebro, hook)) and callable(getattr(lib.Strategy, hook))
        assert cerebro.broker is cerebro.getbroker()
        broker = lib.brokers.BackBroker(cash=1234.0)
        assert cerebro.setbroker(broker) is broker and cerebro.getbroker() is broker
        other = lib.brokers.BackBroker(cash=99.0)
        cerebro.broker = other
        cerebro.addstrategy(trader(lib))
        result = cerebro.run()
        assert isinstance(result, list) and len(result) == 1
        assert isinstance(result[0], lib.Strategy) and result[0].broker is other


def test_unknown_strategy_param_is_a_type_error_naming_it() -> None:
    class S(tb.Strategy):
        params = (("fast", 5), ("slow", 20))

    cerebro = cerebro_for(tb)
    cerebro.addstrategy(S, fats=3)
    with pytest.raises(TypeError, match=r"'fats'.*valid params: fast, slow"):
        cerebro.run()


def test_unknown_strategy_param_with_own_init_is_a_type_error() -> None:
    class S(tb.Strategy):
        params = dict(fast=5)

        def __init__(self) -> None:
            self.x = 1

    cerebro = cerebro_for(tb)
    cerebro.addstrategy(S, slow=3)
    with pytest.raises(TypeError, match=r"'slow'.*valid params: fast"):
        cerebro.run()


def test_unknown_run_kwarg_is_a_type_error() -> None:
    cerebro = cerebro_for(tb)
    with pytest.raises(TypeError, match="'foo'"):
        cerebro.run(foo=1)


def test_indicator_longer_than_the_data_warns_and_next_never_runs() -> None:
    def run(lib: Any, runonce: bool) -> Any:
        class Big(lib.Strategy):
            def __init__(self) -> None:
                self.sma = lib.ind.SMA(period=500)
                self.calls = 0

            def next(self) -> None:
                self.calls += 1

        cerebro = cerebro_for(lib, runonce=runonce)
        cerebro.addstrategy(Big)
        return cerebro.run()[0]

    assert run(bt, False).calls == 0
    for runonce in (True, False):
        with pytest.warns(UserWarning, match=r"Big.*500 bars.*never be called"):
            assert run(tb, runonce).calls == 0


def test_params_forms_inherit_and_merge_over_three_levels() -> None:
    def run(lib: Any) -> list:
        class A(lib.Strategy):
            params = (("x", 1), ("y", 2))

        class B(A):
            params = dict(y=3, z=4)

        class C(B):
            params = (("w", 5), ("x", 9))

        cerebro = cerebro_for(lib)
        cerebro.addstrategy(C, z=7)
        s = cerebro.run()[0]
        p = C.params
        return [list(p._getkeys()), list(p._getdefaults()), list(p._getitems()),
                list(p._getpairs().items()), s.p.x, s.params.z, s.p.w,
                s.p.y, s.p is s.params, list(A.params._getkeys()), list(B.params._getkeys())[-1]]

    ours, ref = both(run)
    assert ours == ref


def test_more_than_one_strategy_instance_keeps_params_apart() -> None:
    def run(lib: Any) -> list:
        class P(lib.Strategy):
            params = (("n", 1),)

        cerebro = cerebro_for(lib)
        cerebro.addstrategy(P, n=2)
        cerebro.addstrategy(P)
        return [s.p.n for s in cerebro.run()]

    assert both(run) == ([2, 1], [2, 1])


def test_warnings_are_not_raised_for_a_plain_run() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cerebro = cerebro_for(tb)
        cerebro.addstrategy(trader(tb))
        cerebro.run()


def test_gc_is_paused_only_while_a_backtest_loops_and_restored_after() -> None:
    import gc

    import tradebridge as tbt
    from tradebridge.utils.synthetic import synthetic_ohlcv

    seen: list[bool] = []

    class S(tbt.Strategy):
        def next(self) -> None:
            seen.append(gc.isenabled())

    for gcpause, expect in ((True, False), (False, True)):
        seen.clear()
        cerebro = tbt.Cerebro(gcpause=gcpause)
        cerebro.adddata(tbt.feeds.PandasData(dataname=synthetic_ohlcv(20)))
        cerebro.addstrategy(S)
        cerebro.run()
        assert set(seen) == {expect}
        assert gc.isenabled()


def test_after_a_paused_run_what_it_made_is_old_and_its_cycles_are_still_collected() -> None:
    import gc
    import weakref

    import tradebridge as tbt
    from tradebridge.utils.synthetic import synthetic_ohlcv

    class Node:
        pass

    refs: list[weakref.ref] = []

    class S(tbt.Strategy):
        def next(self) -> None:
            a, b = Node(), Node()
            a.other, b.other = b, a  # a cycle only the collector frees
            refs.append(weakref.ref(a))
            if len(self) % 5 == 0:
                self.buy() if not self.position else self.close()

    cerebro = tbt.Cerebro()
    cerebro.adddata(tbt.feeds.PandasData(dataname=synthetic_ohlcv(200)))
    cerebro.addstrategy(S)
    cerebro.run()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < 100  # the run's objects did not stay young
    assert any(r() is not None for r in refs)
    gc.collect()
    assert all(r() is None for r in refs)


def test_a_program_that_froze_objects_keeps_them_frozen_across_a_paused_run() -> None:
    import gc

    import tradebridge as tbt
    from tradebridge.utils.synthetic import synthetic_ohlcv

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        cerebro = tbt.Cerebro()
        cerebro.adddata(tbt.feeds.PandasData(dataname=synthetic_ohlcv(30)))
        cerebro.addstrategy(tbt.Strategy)
        cerebro.run()
        assert 0 < gc.get_freeze_count() <= frozen  # still frozen (some may have been freed)
        assert gc.isenabled()
    finally:
        gc.unfreeze()
