"""User analyzers see the same hook calls, in the same order, as in backtrader: notifications,
prenext/nextstart/next, period changes (``on_dt_over``, ``dtkey``) and child analyzers first."""

from __future__ import annotations

from typing import Any

import pytest
from _andiff import LIBS, run

from tradebridge.utils.synthetic import synthetic_ohlcv
from tradebridge.utils.timeframe import TimeFrame as TF

BARS = synthetic_ohlcv(400, seed=21)


def recorder(lib: Any, log: list[tuple]) -> type:
    """A TimeFrameAnalyzerBase subclass (with a child) that logs every hook it receives."""

    class Child(lib.Analyzer):
        def next(self) -> None:
            log.append(("child-next", len(self.strategy)))

        def notify_order(self, order: Any) -> None:
            log.append(("child-order", order.status))

    class Recorder(lib.analyzers.TimeFrameAnalyzerBase):
        def __init__(self) -> None:
            self.child = Child()

        def start(self) -> None:
            log.append(("start", self.timeframe, self.compression))

        def stop(self) -> None:
            log.append(("stop", len(self.strategy)))

        def prenext(self) -> None:
            log.append(("prenext", len(self.strategy), self.dtkey))

        def nextstart(self) -> None:
            log.append(("nextstart", len(self.strategy), self.dtkey, self.dtkey1))

        def next(self) -> None:
            log.append(("next", len(self.strategy), self.dtkey))

        def on_dt_over(self) -> None:
            log.append(("over", self.dtkey, self.dtkey1, self.dtcmp))

        def notify_order(self, order: Any) -> None:
            log.append(("order", order.status, order.executed.size, order.executed.price))

        def notify_trade(self, trade: Any) -> None:
            log.append(("trade", trade.status, trade.pnlcomm, trade.barlen))

        def notify_cashvalue(self, cash: float, value: float) -> None:
            log.append(("cashvalue", cash, value))

        def notify_fund(self, cash: float, value: float, fundvalue: float, shares: float) -> None:
            log.append(("fund", fundvalue, shares))

    return Recorder


def _log(lib: Any, runonce: bool, quicknotify: bool = False, **kwargs: Any) -> list[tuple]:
    log: list[tuple] = []

    def setup(cerebro: Any, datas: list[Any]) -> None:
        cerebro.p.quicknotify = quicknotify
        cerebro.addanalyzer(recorder(lib, log), **kwargs)

    run(lib, [BARS], runonce=runonce, setup=setup)
    return log


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("kwargs", [{}, dict(timeframe=TF.Weeks), dict(timeframe=TF.Months, _doprenext=False),
                                    dict(timeframe=TF.NoTimeFrame)])
def test_hook_sequence_equals_backtrader(runonce: bool, kwargs: dict[str, Any]) -> None:
    ref, got = (_log(lib, runonce, **kwargs) for lib in LIBS)
    assert len(got) == len(ref)
    for i, (a, b) in enumerate(zip(ref, got)):
        assert a == b, f"call {i}: {b} != {a}"


@pytest.mark.parametrize("runonce", [True, False])
def test_hook_sequence_with_quicknotify_equals_backtrader(runonce: bool) -> None:
    ref, got = (_log(lib, runonce, quicknotify=True, timeframe=TF.Weeks) for lib in LIBS)
    assert got == ref


def legacy(lib: Any, log: list[tuple]) -> type:
    """An analyzer using the older hook name ``_on_dt_over`` (backtrader renames it)."""

    class Legacy(lib.analyzers.TimeFrameAnalyzerBase):
        def _on_dt_over(self) -> None:
            log.append(("over", self.dtkey))

    return Legacy


def test_legacy_on_dt_over_name_is_called_like_backtrader() -> None:
    logs = []
    for lib in LIBS:
        log: list[tuple] = []
        run(lib, [BARS], setup=lambda cerebro, datas, lib=lib, log=log: cerebro.addanalyzer(
            legacy(lib, log), timeframe=TF.Months))
        logs.append(log)
    assert logs[0] == logs[1] and len(logs[0]) > 10
