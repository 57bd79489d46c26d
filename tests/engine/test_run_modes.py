"""One strategy, every drive mode: tradebridge equals backtrader bar for bar, order for
order, trade for trade, in runonce/next, preload on/off and every exactbars setting."""

from __future__ import annotations

from typing import Any

import pytest
from _enginediff import compare, log_order, log_trade


def sma_cross(lib: Any) -> type:
    class SmaCross(lib.Strategy):
        params = (("fast", 10), ("slow", 30))

        def __init__(self) -> None:
            self.fast = lib.ind.SMA(period=self.p.fast)
            self.slow = lib.ind.EMA(period=self.p.slow)
            self.cross = lib.ind.CrossOver(self.fast, self.slow)
            self.spread = self.data.close - self.fast
            self.prev = self.data.close(-1)
            self.log: list[tuple] = []

        def notify_order(self, order: Any) -> None:
            log_order(self, order)

        def notify_trade(self, trade: Any) -> None:
            log_trade(self, trade)

        def prenext(self) -> None:
            self.log.append(("prenext", len(self), len(self.data)))

        def nextstart(self) -> None:
            self.log.append(("nextstart", len(self)))
            self.next()

        def next(self) -> None:
            d = self.data
            self.log.append((
                "bar", len(self), d.datetime.datetime(0), d.datetime.date(0), d.datetime.time(0),
                d.close[0], d.close[-1], list(d.close.get(size=3)), self.fast[0], self.slow[0],
                self.cross[0], self.spread[0], self.prev[0], self.position.size,
                self.broker.getcash(), self.broker.getvalue(),
            ))
            if not self.position:
                if self.cross > 0:
                    self.buy(size=10)
            elif self.cross < 0:
                self.close()

    return SmaCross


MODES = [
    dict(runonce=True, preload=True),
    dict(runonce=False, preload=True),
    dict(runonce=False, preload=False),
    dict(runonce=True, preload=False),
    dict(exactbars=-1),
    dict(exactbars=0),
    dict(exactbars=1),
    dict(stdstats=False),
]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: ",".join(f"{k}={v}" for k, v in m.items()))
def test_sma_cross_matches_backtrader_in_every_drive_mode(mode: dict, bars_short: Any) -> None:
    log = compare(sma_cross, [bars_short], **mode)
    assert any(e[0] == "trade" for e in log), "the run must trade to prove anything"


def test_runonce_and_next_give_identical_logs(bars: Any) -> None:
    from _enginediff import run_log

    import tradebridge as tb

    once = run_log(tb, sma_cross, [bars], runonce=True)
    step = run_log(tb, sma_cross, [bars], runonce=False)
    assert once == step
