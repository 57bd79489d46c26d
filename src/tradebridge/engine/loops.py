"""The engine's time loops: which datas advance at each step, and in what order the
broker, timers, cheat-on-open, strategies and stores are served (backtrader's order)."""

from __future__ import annotations

from typing import Any

from ..utils.dates import num2date
from .writers import step_calls

__all__ = ["check_timers", "run_next", "run_once", "sorted_datas"]

_INF = float("inf")


def sorted_datas(cerebro: Any) -> list[Any]:
    """Datas ordered by time frame and compression (backtrader's stepping order)."""
    return sorted(cerebro.datas, key=lambda d: (d._timeframe, d._compression))

def run_once(cerebro: Any, runstrats: list[Any]) -> None:
    """Compute every indicator over the preloaded arrays, then step through time."""
    for strat in runstrats:
        for child in strat._children:
            child._once()
    for data in cerebro.datas:
        data.home()
    datas = sorted_datas(cerebro)
    pairs = [(d._clk, d._iclk) for d in cerebro.datas]
    broker_notify = cerebro._brokernotify
    coo = cerebro.p.cheat_on_open
    timers = cerebro._timers
    single = datas[0] if len(datas) == 1 else None
    stores = cerebro.stores
    tick = cerebro._progress.update if cerebro._progress.active else None
    rows = cerebro._runwriters.csv  # csv writers want a row after each strategy step
    if single is not None and len(runstrats) == 1 and not (timers or coo or stores or tick or rows):
        _run_once_plain(cerebro, single, runstrats[0])
        return
    steps = step_calls(cerebro, runstrats)
    while True:
        if single is not None:
            dclk = single._clk
            nxt = dclk.idx + 1
            dta = single.lines.datetime._a
            if nxt >= len(dta):
                break
            dt0 = dta[nxt]
            dclk.idx = nxt
        else:
            dts = [d.advance_peek() for d in datas]
            dt0 = min(dts)
            if dt0 == _INF:
                break
            for d, dti in zip(datas, dts):
                if dti <= dt0:
                    d._clk.idx += 1
        if timers:
            check_timers(cerebro, runstrats, dt0, cheat=True)
        if coo:
            for strat in runstrats:
                strat._next_open()
            if cerebro._event_stop:
                return
        broker_notify()
        if cerebro._event_stop:
            return
        if timers:
            check_timers(cerebro, runstrats, dt0, cheat=False)
        for dclk, iclk in pairs:
            iclk.idx = dclk.idx
        for step in steps:
            step(dt0)
            if cerebro._event_stop:
                return
        if tick is not None:
            tick()
        if stores:
            cerebro._storenotify()

def _run_once_plain(cerebro: Any, data: Any, strat: Any) -> None:
    """The ``_runonce`` loop for its commonest shape (one data, one strategy, no timers,
    cheat-on-open, stores or progress bar), with every lookup hoisted out of the loop."""
    dclk, iclk = data._clk, data._iclk
    dta = data.lines.datetime._a
    broker = cerebro._broker
    bnext, getn = broker.next, broker.get_notification
    # a broker queueing in a deque (BrokerBase) can be asked "anything?" without a call
    queue = getattr(broker, "notifs", None)
    always = queue is None
    quick = cerebro.p.quicknotify
    deferred = strat._defer_values(broker, data)  # idle bars valued when read, in batches
    try:
        for i in range(dclk.idx + 1, len(dta)):
            dclk.idx = i
            bnext()
            if always or queue:
                order = getn()
                while order is not None:
                    owner = order.owner if order.owner is not None else strat
                    owner._addnotification(order, quicknotify=quick)
                    order = getn()
                if cerebro._event_stop:  # only notifications run user code before the step
                    return
            iclk.idx = i
            strat._stepfn(dta[i])  # _step, or _step_plain once the strategy is in steady state
            if cerebro._event_stop:
                return
    finally:
        if deferred:
            broker.end_deferral()

def run_next(cerebro: Any, runstrats: list[Any]) -> None:
    """Step through time computing indicators bar by bar (no preload, replay, live)."""
    datas = sorted_datas(cerebro)
    pairs = [(d._clk, d._iclk) for d in cerebro.datas]
    rsonly = [i for i, d in enumerate(datas) if d.resampling and not d.replaying]
    onlyresample = len(datas) == len(rsonly)
    noresample = not rsonly
    data0, datas1 = datas[0], datas[1:]
    d0ret: Any = True
    dt0 = _INF
    tick = cerebro._progress.update if cerebro._progress.active else None
    live = getattr(cerebro, "_liveloop", None)  # engine.live.LiveLoop in live runs
    steps = list(zip(runstrats, step_calls(cerebro, runstrats)))
    while d0ret or d0ret is None:
        if live is not None:
            live.pump()
        lastret = False
        drets = [d.next(ticks=False) for d in datas]
        d0ret = any(drets)
        if not d0ret and any(r is None for r in drets):
            d0ret = None
        if d0ret:
            dts = [d.lines.datetime[0] if r else None for d, r in zip(datas, drets)]
            if onlyresample or noresample:
                dt0 = min(x for x in dts if x is not None)
            else:
                dt0 = min((x for i, x in enumerate(dts) if x is not None and i not in rsonly),
                          default=None)
                if dt0 is None:  # live: a resampled bar closed on the clock, its source idle
                    dt0 = min(x for x in dts if x is not None)
            dmaster = datas[dts.index(dt0)]
            cerebro._dtmaster = num2date(dt0)
            for i, ret in enumerate(drets):
                if ret:
                    continue
                d = datas[i]
                d._check(forcedata=dmaster)
                if d.next(datamaster=dmaster, ticks=False):
                    dts[i] = d.lines.datetime[0]
            for i, dti in enumerate(dts):
                if dti is None:
                    continue
                di = datas[i]
                if dti > dt0:
                    if not di.replaying:
                        di.rewind()
                elif not di.replaying:
                    di._tick_fill(force=True)
        elif d0ret is None:
            for d in datas:
                d._check()
            if live is not None:  # nothing to step: sleep until an event or a deadline
                live.idle(datas)
                if cerebro._event_stop:
                    return
                continue
        else:
            lastret = data0._last()
            for d in datas1:
                lastret = d._last(datamaster=data0) or lastret
            if not lastret:
                break
        cerebro._datanotify()
        if cerebro._event_stop:
            return
        if d0ret or lastret:
            if cerebro._timers:
                check_timers(cerebro, runstrats, dt0, cheat=True)
            if cerebro.p.cheat_on_open:
                for strat in runstrats:
                    strat._next_open()
                if cerebro._event_stop:
                    return
        cerebro._brokernotify()
        if cerebro._event_stop:
            return
        if d0ret or lastret:
            if cerebro._timers:
                check_timers(cerebro, runstrats, dt0, cheat=False)
            for dclk, iclk in pairs:
                iclk.idx = dclk.idx
            for strat, step in steps:
                for child in strat._children:
                    child._next()
                step(*strat._next_clock())
                if cerebro._event_stop:
                    return
            if tick is not None:
                tick()
        cerebro._storenotify()

def check_timers(cerebro: Any, runstrats: list[Any], dt0: float, cheat: bool = False) -> None:
    """Fire the timers due at ``dt0`` (the cheat ones before the broker, the rest after)."""
    for timer in cerebro._timers:
        if timer.p.cheat != cheat:
            continue
        if not timer.check(dt0):
            continue
        when = timer.lastwhen
        timer.owner.notify_timer(timer, when, *timer.args, **timer.kwargs)
        if timer.p.strats:
            for strat in runstrats:
                strat.notify_timer(timer, when, *timer.args, **timer.kwargs)
