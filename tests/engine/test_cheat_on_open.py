"""cheat_on_open: next_open sees the new bar's open before the broker matches, with the
indicators still at the previous bar, exactly as backtrader."""

from __future__ import annotations

from typing import Any

import pytest
from _enginediff import compare, log_order, log_trade


def open_trader(lib: Any) -> type:
    class OpenTrader(lib.Strategy):
        def __init__(self) -> None:
            self.sma = lib.ind.SMA(period=12)
            self.log: list[tuple] = []

        def notify_order(self, order: Any) -> None:
            log_order(self, order)

        def notify_trade(self, trade: Any) -> None:
            log_trade(self, trade)

        def prenext_open(self) -> None:
            self.log.append(("prenext_open", len(self), len(self.data)))

        def next_open(self) -> None:
            self.log.append(("open", len(self), len(self.data), self.data.open[0],
                             self.sma[0], len(self.sma)))
            if not self.position and self.data.open[0] > self.sma[0]:
                self.buy(size=3)
            elif self.position and self.data.open[0] < self.sma[0]:
                self.close()

        def next(self) -> None:
            self.log.append(("next", len(self), self.sma[0], self.broker.getvalue()))

    return OpenTrader


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("broker_coo", [True, False])
def test_cheat_on_open_matches_backtrader(runonce: bool, broker_coo: bool, bars_short: Any) -> None:
    log = compare(open_trader, [bars_short], cheat_on_open=True, broker_coo=broker_coo,
                  runonce=runonce)
    assert any(e[0] == "trade" for e in log)
