"""Timers (``add_timer`` on cerebro and strategy) fire on the same bars with the same
``when``, args and kwargs as backtrader's, on daily and 5-minute session data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import backtrader as bt
import pandas as pd
import pytest

import tradebridge as tb
from tradebridge.utils.synthetic import synthetic_ohlcv

T = dt.time
MIN = dt.timedelta(minutes=1)


def _holed(df: pd.DataFrame) -> pd.DataFrame:
    """Drop some month starts, mid-months and Mondays so the carry rules have work."""
    idx = df.index
    drop = (idx.day == 1) | (idx.day == 15) | ((idx.day_of_week == 0) & (idx.day % 3 == 0))
    return df[~drop]


def daily() -> pd.DataFrame:
    """Business-day bars stamped at the 16:00 close (some days missing)."""
    df = _holed(synthetic_ohlcv(420, seed=3))
    df.index = df.index + pd.Timedelta(hours=16)
    return df


def intraday(days: int = 12) -> pd.DataFrame:
    """5-minute bars from 09:30 to 15:55 on business days (some days missing)."""
    dates = _holed(synthetic_ohlcv(days + 4, seed=5)).index[:days]
    stamps = [d + pd.Timedelta(minutes=570 + 5 * k) for d in dates for k in range(78)]
    base = synthetic_ohlcv(len(stamps), seed=9)
    base.index = pd.DatetimeIndex(stamps)
    return base


def session_start(lib: Any) -> int:
    return lib.Timer.SESSION_START


def session_end(lib: Any) -> int:
    return lib.Timer.SESSION_END


def run_timers(lib: Any, df: pd.DataFrame, specs: list[dict], cerebro_specs: list[dict] = (),
               intra: bool = False, **cerebro_kw: Any) -> list[tuple]:
    """Strategy timers from ``specs`` (added in __init__ or start), cerebro timers from
    ``cerebro_specs``; the log of every notify_timer call with the bar it came on."""
    log: list[tuple] = []

    def resolve(spec: dict) -> dict:
        spec = dict(spec)
        if callable(spec.get("when")):
            spec["when"] = spec["when"](lib)
        return spec

    class TimerStrat(lib.Strategy):
        def __init__(self) -> None:
            for spec in specs:
                if not spec.get("at_start"):
                    self.add_timer(**resolve({k: v for k, v in spec.items() if k != "at_start"}))

        def start(self) -> None:
            for spec in specs:
                if spec.get("at_start"):
                    self.add_timer(**resolve({k: v for k, v in spec.items() if k != "at_start"}))

        def notify_timer(self, timer: Any, when: Any, *args: Any, **kwargs: Any) -> None:
            log.append(("strat", timer.p.tid, len(self), self.data.datetime.datetime(0), when,
                        args, kwargs))

        def next_open(self) -> None:
            log.append(("open", len(self)))

        def next(self) -> None:
            if len(self) % 50 == 0:
                log.append(("next", len(self)))

    cerebro = lib.Cerebro(stdstats=False, **cerebro_kw)
    kw: dict = dict(sessionstart=T(9, 30), sessionend=T(16, 0))
    if intra:
        kw.update(timeframe=lib.TimeFrame.Minutes, compression=5)
    cerebro.adddata(lib.feeds.PandasData(dataname=df, **kw))
    cerebro.addstrategy(TimerStrat)

    def cerebro_notify(timer: Any, when: Any, *args: Any, **kwargs: Any) -> None:
        log.append(("cerebro", timer.p.tid, when, args, kwargs))

    cerebro.notify_timer = cerebro_notify
    for spec in cerebro_specs:
        cerebro.add_timer(**resolve(spec))
    cerebro.run()
    return log


def assert_same(specs: list[dict], df: pd.DataFrame, cerebro_specs: list[dict] = (),
                intra: bool = False, **kw: Any) -> list[tuple]:
    ours = run_timers(tb, df, specs, cerebro_specs, intra, **kw)
    ref = run_timers(bt, df, specs, cerebro_specs, intra, **kw)
    assert ours == ref
    assert any(e[0] in ("strat", "cerebro") for e in ref), "the case never fires a timer"
    return ours


DAILY_CASES = {
    "time_of_day": [dict(when=T(10, 0))],
    "session_start": [dict(when=session_start)],
    "session_end": [dict(when=session_end)],
    "offset": [dict(when=session_start, offset=dt.timedelta(hours=2))],
    "weekdays": [dict(when=T(9, 0), weekdays=[1, 3, 5])],
    "weekdays_carry": [dict(when=T(9, 0), weekdays=[1, 3], weekcarry=True)],
    "monthdays_carry": [dict(when=T(9, 0), monthdays=[1, 15, 28])],
    "monthdays_nocarry": [dict(when=T(9, 0), monthdays=[1, 15, 28], monthcarry=False)],
    "monthdays_and_weekdays": [dict(when=T(9, 0), monthdays=[1, 10, 20], weekdays=[2, 4],
                                    weekcarry=True)],
    "allow": [dict(when=T(9, 0), allow=lambda d: d.day % 4 == 0)],
    "repeat": [dict(when=T(8, 0), repeat=dt.timedelta(hours=5))],
    "args_kwargs": [dict(when=T(9, 0), weekdays=[5], tag="w", n=3)],
    "added_in_start": [dict(when=T(9, 0), monthdays=[2], at_start=True)],
    "several": [dict(when=T(9, 0), weekdays=[1]), dict(when=session_end, monthdays=[5]),
                dict(when=T(12, 0), allow=lambda d: d.month % 2 == 0)],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("case", sorted(DAILY_CASES))
def test_daily_timers_fire_as_backtrader(case: str, runonce: bool) -> None:
    assert_same(DAILY_CASES[case], daily(), runonce=runonce)


INTRADAY_CASES = {
    "time_of_day": [dict(when=T(10, 0))],
    "time_between_bars": [dict(when=T(10, 2, 30))],
    "session_start": [dict(when=session_start)],
    "session_start_offset": [dict(when=session_start, offset=15 * MIN)],
    "session_end_negative_offset": [dict(when=session_end, offset=-30 * MIN)],
    "repeat": [dict(when=T(10, 0), repeat=30 * MIN)],
    "repeat_odd": [dict(when=T(9, 31), repeat=7 * MIN)],
    "repeat_from_session_start": [dict(when=session_start, offset=5 * MIN, repeat=45 * MIN)],
    "repeat_weekdays": [dict(when=T(11, 0), repeat=60 * MIN, weekdays=[2, 4], weekcarry=True)],
    "monthdays": [dict(when=T(15, 0), monthdays=[3, 6, 9])],
    "several": [dict(when=T(9, 45)), dict(when=session_end, offset=-5 * MIN, tag=1)],
}


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("case", sorted(INTRADAY_CASES))
def test_intraday_timers_fire_as_backtrader(case: str, runonce: bool) -> None:
    assert_same(INTRADAY_CASES[case], intraday(), intra=True, runonce=runonce)


@pytest.mark.parametrize("strats", [True, False])
def test_cerebro_timer_reaches_cerebro_and_strategies_when_strats(strats: bool) -> None:
    log = assert_same([], intraday(6), [dict(when=T(11, 0), strats=strats, label="c")],
                      intra=True)
    kinds = {e[0] for e in log}
    assert ("strat" in kinds) is strats and "cerebro" in kinds


def test_cheat_timer_runs_before_the_broker_with_cheat_on_open() -> None:
    log = assert_same([dict(when=T(10, 0), cheat=True), dict(when=T(10, 0))], intraday(5),
                      intra=True, cheat_on_open=True)
    fired = [e for e in log if e[0] != "next"]
    first = next(i for i, e in enumerate(fired) if e[0] == "strat")
    bar = fired[first][2]
    assert fired[first][1] == 0 and fired[first + 1] == ("open", bar)
    assert fired[first + 2][:3] == ("strat", 1, bar)  # len(self) moves on after timers


def test_timer_ids_and_session_constants_as_backtrader() -> None:
    assert (tb.Timer.SESSION_START, tb.Timer.SESSION_END) == (bt.Timer.SESSION_START,
                                                              bt.Timer.SESSION_END)
    assert (tb.SESSION_START, tb.SESSION_END) == (bt.timer.SESSION_START, bt.timer.SESSION_END)
    cerebro = tb.Cerebro()
    timers = [cerebro.add_timer(T(10, 0)), cerebro.add_timer(T(11, 0), x=1)]
    assert [t.p.tid for t in timers] == [0, 1] and timers[1].kwargs == {"x": 1}
    assert timers[0].p.owner is cerebro


def test_timer_rejects_a_when_that_is_not_a_time() -> None:
    cerebro = tb.Cerebro()
    cerebro.adddata(tb.feeds.PandasData(dataname=synthetic_ohlcv(30, seed=1)))
    cerebro.add_timer("10:00")
    with pytest.raises(ValueError, match="when"):
        cerebro.run()

