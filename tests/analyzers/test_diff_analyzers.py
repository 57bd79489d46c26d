"""Every analyzer's get_analysis() equals backtrader's after the same SMA-crossover run."""

from __future__ import annotations

import pytest
from _andiff import DataRef, analyses, assert_same, both, pair_strategy

from tradebridge.utils.synthetic import synthetic_ohlcv
from tradebridge.utils.timeframe import TimeFrame as TF

DAILY = synthetic_ohlcv(1000, seed=7)

ALL = [
    ("trades", "TradeAnalyzer", {}),
    ("sharpe", "SharpeRatio", {}),
    ("sharpe_a", "SharpeRatio_A", {}),
    ("dd", "DrawDown", {}),
    ("tdd", "TimeDrawDown", {}),
    ("returns", "Returns", {}),
    ("tret", "TimeReturn", {}),
    ("annual", "AnnualReturn", {}),
    ("sqn", "SQN", {}),
    ("tx", "Transactions", {}),
    ("pv", "PositionsValue", {}),
    ("vwr", "VWR", {}),
    ("calmar", "Calmar", {}),
    ("logroll", "LogReturnsRolling", {}),
    ("pstats", "PeriodStats", {}),
    ("lev", "GrossLeverage", {}),
]

TIMEFRAMED = [
    ("tret_w", "TimeReturn", dict(timeframe=TF.Weeks)),
    ("tret_m", "TimeReturn", dict(timeframe=TF.Months)),
    ("tret_y", "TimeReturn", dict(timeframe=TF.Years)),
    ("tret_none", "TimeReturn", dict(timeframe=TF.NoTimeFrame)),
    ("tret_2w", "TimeReturn", dict(timeframe=TF.Weeks, compression=2)),
    ("sharpe_d", "SharpeRatio", dict(timeframe=TF.Days)),
    ("sharpe_w", "SharpeRatio", dict(timeframe=TF.Weeks, annualize=True)),
    ("sharpe_m", "SharpeRatio", dict(timeframe=TF.Months, stddev_sample=True)),
    ("sharpe_y", "SharpeRatio", dict(timeframe=TF.Years, riskfreerate=0.0)),
    ("sharpe_dfac", "SharpeRatio", dict(timeframe=TF.Days, daysfactor=365, annualize=True)),
    ("sharpe_fac", "SharpeRatio", dict(timeframe=TF.Weeks, factor=50, convertrate=False)),
    ("sharpe_nofac", "SharpeRatio", dict(timeframe=TF.NoTimeFrame)),
    ("sharpe_leg", "SharpeRatio", dict(legacyannual=True)),
    ("sharpe_fund", "SharpeRatio", dict(timeframe=TF.Months, fund=True)),
    ("returns_w", "Returns", dict(timeframe=TF.Weeks)),
    ("returns_tann", "Returns", dict(timeframe=TF.Months, tann=10)),
    ("vwr_m", "VWR", dict(timeframe=TF.Months, tau=0.5, sdev_max=1.5)),
    ("tdd_w", "TimeDrawDown", dict(timeframe=TF.Weeks)),
    ("calmar_w", "Calmar", dict(timeframe=TF.Weeks, period=8)),
    ("logroll_w3", "LogReturnsRolling", dict(timeframe=TF.Weeks, compression=3)),
    ("logroll_data", "LogReturnsRolling", dict(timeframe=TF.Months, data=DataRef(0), firstopen=False)),
    ("logroll_open", "LogReturnsRolling", dict(data=DataRef(0), compression=5)),
    ("tret_data", "TimeReturn", dict(timeframe=TF.Weeks, data=DataRef(0))),
    ("tret_data_close", "TimeReturn", dict(data=DataRef(0), firstopen=False)),
    ("pstats_m", "PeriodStats", dict(timeframe=TF.Months, zeroispos=True)),
    ("tx_h", "Transactions", dict(headers=True)),
    ("pv_h", "PositionsValue", dict(headers=True, cash=True)),
    ("dd_fund", "DrawDown", dict(fund=True)),
]


def _compare(specs: list, **kwargs: object) -> None:
    ref, got = both([DAILY], analyzers=specs, **kwargs)
    names = [name for name, _, _ in specs]
    assert_same(analyses(ref, names), analyses(got, names))


@pytest.mark.parametrize("runonce", [True, False])
def test_every_analyzer_matches_backtrader_on_daily_bars(runonce: bool) -> None:
    _compare(ALL, runonce=runonce)


def test_timeframed_returns_and_sharpe_variants_match_backtrader() -> None:
    _compare(TIMEFRAMED)


def test_subday_period_keys_and_intraday_analyzers_match_backtrader() -> None:
    bars = synthetic_ohlcv(1200, seed=3, freq="5min")
    specs = [
        ("tret", "TimeReturn", {}),
        ("tret_30m", "TimeReturn", dict(timeframe=TF.Minutes, compression=30)),
        ("tret_7m", "TimeReturn", dict(timeframe=TF.Minutes, compression=7)),
        ("tret_s", "TimeReturn", dict(timeframe=TF.Seconds, compression=900)),
        ("tret_d", "TimeReturn", dict(timeframe=TF.Days)),
        ("sharpe_h", "SharpeRatio", dict(timeframe=TF.Minutes, compression=60)),
        ("returns", "Returns", {}),
        ("pv", "PositionsValue", {}),
        ("tdd", "TimeDrawDown", dict(timeframe=TF.Minutes, compression=60)),
    ]
    ref, got = both([bars], analyzers=specs, feed=dict(timeframe=TF.Minutes, compression=5))
    names = [name for name, _, _ in specs]
    assert_same(analyses(ref, names), analyses(got, names))


def test_analyzers_match_backtrader_in_fund_mode() -> None:
    _compare(ALL + [("sharpe_m", "SharpeRatio", dict(timeframe=TF.Months, fund=False))],
             fundmode=True)


def test_trade_analyzer_reads_with_dots_and_keys() -> None:
    _, got = both([DAILY], analyzers=[("ta", "TradeAnalyzer", {})])
    ta = got.analyzers.ta.get_analysis()
    assert ta.total.closed == ta["total"]["closed"] > 0
    assert ta.long.pnl.won.total == ta["long"]["pnl"]["won"]["total"]
    with pytest.raises(KeyError):
        ta["no such key"]


def test_pyfolio_analysis_and_pandas_items_match_backtrader() -> None:
    import pandas as pd

    ref, got = both([DAILY], analyzers=[("pf", "PyFolio", {}), ("pfw", "PyFolio", dict(timeframe=TF.Weeks))])
    assert_same(analyses(ref, ["pf", "pfw"]), analyses(got, ["pf", "pfw"]))
    for name in ("pf", "pfw"):
        items = zip(getattr(ref.analyzers, name).get_pf_items(), getattr(got.analyzers, name).get_pf_items())
        for want, have in items:
            if isinstance(want, pd.Series):
                pd.testing.assert_series_equal(want, have, rtol=1e-9)
            else:
                pd.testing.assert_frame_equal(want, have, rtol=1e-9)


def test_analyzers_match_backtrader_with_two_datas_traded_on_different_calendars() -> None:
    other = synthetic_ohlcv(1000, seed=8).iloc[::3]
    specs = ALL + [("pv_h", "PositionsValue", dict(headers=True, cash=True)),
                   ("tx_h", "Transactions", dict(headers=True)),
                   ("bench", "TimeReturn", dict(data=DataRef(1), timeframe=TF.Months))]
    ref, got = both([DAILY, other], analyzers=specs, strategy=pair_strategy)
    names = [name for name, _, _ in specs]
    assert_same(analyses(ref, names), analyses(got, names))


def test_analyzers_match_backtrader_on_weekly_resampled_bars() -> None:
    specs = [("tret", "TimeReturn", {}), ("returns", "Returns", {}), ("vwr", "VWR", {}),
             ("sharpe", "SharpeRatio", dict(timeframe=TF.Months)), ("trades", "TradeAnalyzer", {}),
             ("pv", "PositionsValue", {}), ("tdd", "TimeDrawDown", {})]
    ref, got = both([DAILY], analyzers=specs, resample=dict(timeframe=TF.Weeks))
    names = [name for name, _, _ in specs]
    assert_same(analyses(ref, names), analyses(got, names))
