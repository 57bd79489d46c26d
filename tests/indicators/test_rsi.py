"""Up/down days and every RSI variant equal backtrader's at every bar, in both runonce modes."""

from __future__ import annotations

import pandas as pd
import pytest
from _diff import assert_names, compare_same

import tradebridge

MODES = [True, False]


def test_rsi_names_exist_in_both_libraries() -> None:
    assert_names(["RSI", "RelativeStrengthIndex", "RSI_SMMA", "RSI_Wilder", "RSI_Safe", "RSI_SMA",
                  "RSI_Cutler", "RSI_EMA", "UpDay", "DownDay", "UpDayBool", "DownDayBool", "RMI",
                  "RelativeMomentumIndex"])


def test_rsi_subclasses_do_not_take_over_the_rsi_alias() -> None:
    assert tradebridge.ind.RSI is tradebridge.ind.RelativeStrengthIndex
    assert tradebridge.ind.RSI_Cutler is tradebridge.ind.RSI_SMA


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", ["UpDay", "DownDay", "UpDayBool", "DownDayBool"])
@pytest.mark.parametrize("period", [1, 3])
def test_days_match_backtrader(bars: pd.DataFrame, runonce: bool, name: str, period: int) -> None:
    compare_same(lambda ind, d: getattr(ind, name)(d, period=period), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("name", ["RSI", "RSI_Safe", "RSI_SMA", "RSI_EMA"])
@pytest.mark.parametrize("kwargs", [{}, {"period": 9, "lookback": 2, "safelow": 40.0, "safehigh": 90.0}])
def test_rsi_variants_match_backtrader(bars: pd.DataFrame, runonce: bool, name: str, kwargs: dict) -> None:
    if name == "RSI_SMA" and kwargs:
        kwargs = {**kwargs, "safediv": True}  # a 9-bar window without a fall: backtrader raises on x/0
    compare_same(lambda ind, d: getattr(ind, name)(d, **kwargs), bars, runonce)


@pytest.mark.parametrize("runonce", MODES)
def test_safe_rsi_on_flat_prices_gives_safelow_and_safehigh(bars: pd.DataFrame, runonce: bool) -> None:
    flat = bars.copy()
    flat.loc[flat.index[100:140], "close"] = 100.0  # 0/0 after a flat run
    flat.loc[flat.index[200:240], "close"] = [100.0 + i for i in range(40)]  # x/0 on a steady rise
    compare_same(lambda ind, d: ind.RSI_Safe(d, period=5), flat, runonce)
    compare_same(lambda ind, d: ind.RSI(d, period=5, safediv=True, safehigh=95.0), flat, runonce)


@pytest.mark.parametrize("runonce", MODES)
@pytest.mark.parametrize("kwargs", [{}, {"period": 14, "lookback": 3, "movav": "EMA"}])
def test_rmi_matches_backtrader(bars: pd.DataFrame, runonce: bool, kwargs: dict) -> None:
    compare_same(lambda ind, d: ind.RMI(d, **{k: getattr(ind, v) if k == "movav" else v
                                               for k, v in kwargs.items()}), bars, runonce)


def test_rmi_line_is_also_named_rmi(bars: pd.DataFrame) -> None:
    seen: list[bool] = []

    class _S(tradebridge.Strategy):
        def __init__(self) -> None:
            rmi = tradebridge.ind.RMI(self.data)
            seen.extend([rmi.rmi is rmi.lines.rsi, rmi.lines.rmi is rmi.lines.rsi])

    cerebro = tradebridge.Cerebro(stdstats=False)
    cerebro.adddata(tradebridge.feeds.PandasData(dataname=bars.iloc[:60]))
    cerebro.addstrategy(_S)
    cerebro.run()
    assert seen == [True, True]
