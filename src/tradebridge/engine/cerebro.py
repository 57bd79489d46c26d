"""Cerebro: gathers datas, strategies, broker, analyzers and observers, and runs them.

Two drive modes, as in backtrader: ``runonce`` computes every indicator over whole
preloaded arrays first and then steps strategies; ``runonce=False`` computes indicators
bar by bar. Datas of different calendars advance together by datetime.
"""

from __future__ import annotations

import datetime as _dt
import gc
import itertools
import logging
import os
import warnings
from collections.abc import Iterable
from typing import Any

from ..lines.opsmixin import STAGE
from ..lines.params import ParamsMixin
from .loops import run_next, run_once
from .optreturn import OptReturn
from .parallel import run_parallel
from .strategy import BUILDING, Strategy
from .timer import Timer
from .writers import RunWriters

__all__ = ["Cerebro"]

_INF = float("inf")


class Cerebro(ParamsMixin):
    """The engine (backtrader's ``bt.Cerebro``)."""

    params = (
        ("preload", True), ("runonce", True), ("maxcpus", None), ("stdstats", True),
        ("oldbuysell", False), ("oldtrades", False), ("lookahead", 0), ("exactbars", False),
        ("optdatas", True), ("optreturn", True), ("objcache", False), ("live", False),
        ("writer", False), ("tradehistory", False), ("oldsync", False), ("tz", None),
        ("cheat_on_open", False), ("broker_coo", True), ("quicknotify", False),
        ("progress", None), ("gcpause", True),
    )

    def __init__(self, **kwargs: Any) -> None:
        rest = self._take_params(kwargs)
        if rest:
            from ..lines.params import unknown_param_error

            raise unknown_param_error(self, next(iter(rest)))
        from ..brokers import BackBroker

        self._broker: Any = BackBroker()
        self._broker.cerebro = self
        self.datas: list[Any] = []
        self.datasbyname: dict[str, Any] = {}
        self.strats: list[list[tuple[type, tuple, dict]]] = []
        self.optcbs: list[Any] = []
        self.observers: list[tuple[bool, type, tuple, dict]] = []
        self.analyzers: list[tuple[type, tuple, dict]] = []
        self.indicators: list[tuple[type, tuple, dict]] = []
        self.sizers: dict[int, tuple[Any, tuple, dict]] = {}
        self.writers: list[Any] = []
        self.runwriters: list[Any] = []  # the writers of the current run (backtrader's name)
        self._runwriters = RunWriters()
        self.stores: list[Any] = []
        self.feeds: list[Any] = []
        self.signals: list[Any] = []
        self._timers: list[Timer] = []
        self._event_stop = False
        self._dooptimize = False
        self._doreplay = False
        self._exactbars = 0
        self.runstrats: list[list[Any]] = []
        self.runningstrats: list[Any] = []
        self._tz = None
        self._liveloop: Any = None  # a LiveLoop while a live run is on
        self.inbox: Any = None  # that run's Inbox (producers may put into it)

    # -- building ---------------------------------------------------------------------------------
    def adddata(self, data: Any, name: str | None = None) -> Any:
        """Add a data feed; ``name`` overrides its name."""
        if name is not None:
            data._name = name
        data._id = len(self.datas) + 1
        self.datas.append(data)
        self.datasbyname[data._name] = data
        feed = getattr(data, "getfeed", lambda: None)()
        if feed is not None and feed not in self.feeds:
            self.feeds.append(feed)
        store = getattr(data, "_store", None)
        if store is not None:
            self.addstore(store)
        return data

    def chaindata(self, *args: Any, name: str | None = None) -> Any:
        from ..feeds.chainer import Chainer

        return self.adddata(Chainer(*args), name=name)

    def _cloned(self, dataname: Any) -> Any:
        return dataname.clone() if any(dataname is d for d in self.datas) else dataname

    def resampledata(self, dataname: Any, name: str | None = None, **kwargs: Any) -> Any:
        """Add ``dataname`` resampled to a larger timeframe/compression."""
        data = self._cloned(dataname)
        data.resample(**kwargs)
        self._doreplay = True  # bars are built as the source advances (no preload), as backtrader
        return self.adddata(data, name=name)

    def replaydata(self, dataname: Any, name: str | None = None, **kwargs: Any) -> Any:
        """Add ``dataname`` replayed: the larger bar is rebuilt tick by tick."""
        data = self._cloned(dataname)
        data.replay(**kwargs)
        self._doreplay = True
        return self.adddata(data, name=name)

    def addstrategy(self, strategy: type, *args: Any, **kwargs: Any) -> int:
        self.strats.append([(strategy, args, kwargs)])
        return len(self.strats) - 1

    def optstrategy(self, strategy: type, *args: Any, **kwargs: Any) -> None:
        """Add a strategy once per combination of the iterable parameter values."""
        self._dooptimize = True
        args = tuple(_iterize(a) for a in args)
        optargs = list(itertools.product(*args))
        keys = list(kwargs)
        vals = [_iterize(kwargs[k]) for k in keys]
        optkwargs = [dict(zip(keys, combo)) for combo in itertools.product(*vals)]
        self.strats.append([(strategy, a, k) for a, k in itertools.product(optargs, optkwargs)])

    def optcallback(self, cb: Any) -> None:
        self.optcbs.append(cb)

    def addindicator(self, indcls: type, *args: Any, **kwargs: Any) -> None:
        self.indicators.append((indcls, args, kwargs))

    def addobserver(self, obscls: type, *args: Any, **kwargs: Any) -> None:
        self.observers.append((False, obscls, args, kwargs))

    def addobservermulti(self, obscls: type, *args: Any, **kwargs: Any) -> None:
        self.observers.append((True, obscls, args, kwargs))

    def addanalyzer(self, ancls: type, *args: Any, **kwargs: Any) -> None:
        self.analyzers.append((ancls, args, kwargs))

    def addsizer(self, sizercls: Any, *args: Any, **kwargs: Any) -> None:
        self.sizers[None] = (sizercls, args, kwargs)  # type: ignore[index]

    def addsizer_byidx(self, idx: int, sizercls: Any, *args: Any, **kwargs: Any) -> None:
        self.sizers[idx] = (sizercls, args, kwargs)

    def addwriter(self, wrtcls: type, *args: Any, **kwargs: Any) -> None:
        """Add a writer (e.g. ``bt.WriterFile``), built with these arguments when run() starts."""
        self.writers.append((wrtcls, args, kwargs))

    def addstore(self, store: Any) -> None:
        if not any(s is store for s in self.stores):
            self.stores.append(store)

    def addtz(self, tz: Any) -> None:
        self.p.tz = tz

    def addcalendar(self, cal: Any) -> None:
        raise NotImplementedError("trading calendars are not supported yet (see docs/compat.md)")

    def add_timer(self, when: Any, offset: _dt.timedelta = _dt.timedelta(),
                  repeat: _dt.timedelta = _dt.timedelta(), weekdays: Iterable[int] = (),
                  weekcarry: bool = False, monthdays: Iterable[int] = (), monthcarry: bool = True,
                  allow: Any = None, tzdata: Any = None, strats: bool = False, cheat: bool = False,
                  *args: Any, **kwargs: Any) -> Timer:
        """A timer whose ``notify_timer`` goes to cerebro (and strategies if strats=True)."""
        return self._add_timer(
            self, when, *args, offset=offset, repeat=repeat, weekdays=weekdays,
            weekcarry=weekcarry, monthdays=monthdays, monthcarry=monthcarry, allow=allow,
            tzdata=tzdata, strats=strats, cheat=cheat, **kwargs)

    def _add_timer(self, owner: Any, when: Any, *args: Any, **kwargs: Any) -> Timer:
        timer = Timer(*args, tid=len(self._timers), owner=owner, when=when, **kwargs)
        self._timers.append(timer)
        return timer

    def notify_timer(self, timer: Any, when: Any, *args: Any, **kwargs: Any) -> None:
        """Receives cerebro-level timers; subclass to use."""

    # -- broker ---------------------------------------------------------------------------------------
    def setbroker(self, broker: Any) -> Any:
        broker.cerebro = self
        self._broker = broker
        store = getattr(broker, "_store", None)
        if store is not None:
            self.addstore(store)
        return broker

    def getbroker(self) -> Any:
        return self._broker

    broker = property(getbroker, setbroker)

    # -- notifications -----------------------------------------------------------------------------
    def notify_store(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        """Receives store notifications; subclass to use."""

    def _storenotify(self) -> None:
        for store in self.stores:
            for notif in store.get_notifications():
                msg, args, kwargs = _unpack_notif(notif)
                self.notify_store(msg, *args, **kwargs)
                for strat in self.runningstrats:
                    strat.notify_store(msg, *args, **kwargs)

    def _datanotify(self) -> None:
        for data in self.datas:
            for notif in data.get_notifications():
                status, args, kwargs = notif
                self.notify_data(data, status, *args, **kwargs)
                for strat in self.runningstrats:
                    strat.notify_data(data, status, *args, **kwargs)

    def notify_data(self, data: Any, status: int, *args: Any, **kwargs: Any) -> None:
        """Receives data status notifications; subclass to use."""

    def _brokernotify(self) -> None:
        self._broker.next()
        self._ordernotify()

    def _ordernotify(self) -> None:
        """Hand the broker's queued order notifications to their strategies."""
        get = self._broker.get_notification
        order = get()
        while order is not None:
            owner = order.owner if order.owner is not None else self.runningstrats[0]
            owner._addnotification(order, quicknotify=self.p.quicknotify)
            order = get()

    def runstop(self) -> None:
        """Ask the running engine to stop after the current step (any thread)."""
        self._event_stop = True
        live = self._liveloop
        if live is not None:
            live.wake()

    # -- running --------------------------------------------------------------------------------------
    def run(self, executor: Any = None, **kwargs: Any) -> list[Any]:
        """Run every strategy; a list of strategies (list of lists when optimizing).

        ``executor``: any ``concurrent.futures.Executor`` (process pool, dask's
        ``client.get_executor()``, ...) to run the combinations of ``optstrategy`` on.
        """
        self._event_stop = False
        for key, val in kwargs.items():
            if key not in type(self).params._defaults:
                from ..lines.params import unknown_param_error

                raise unknown_param_error(self, key)
            setattr(self.p, key, val)
        if not self.datas:
            raise ValueError("Cerebro.run: no data feeds were added (use cerebro.adddata)")
        self._runwriters = RunWriters.of(self)  # before anything runs: a bad out path fails here
        self.runwriters = self._runwriters.writers
        self.writers_csv = bool(self._runwriters.csv)
        if not self.strats:
            from .strategy import Strategy as _Default

            self.addstrategy(_Default)
        self._dolive = self.p.live or any(d.islive() for d in self.datas)
        self._doreplay = self._doreplay or any(d.replaying or d.resampling for d in self.datas)
        self._dopreload = bool(self.p.preload) and not self._dolive and not self._doreplay
        self._dorunonce = bool(self.p.runonce) and self._dopreload and not self._doreplay
        self._exactbars = int(self.p.exactbars)
        if self._exactbars:
            self._dorunonce = not self._dolive and self.p.runonce and self._exactbars < 1 and \
                self._dorunonce
            if self._exactbars >= 1:
                self._dopreload = False
                self._dorunonce = False
        self.runstrats = []
        iterstrats = list(itertools.product(*self.strats))
        maxcpus = self.p.maxcpus or os.cpu_count() or 1
        if not self._dooptimize or len(iterstrats) < 2 or (maxcpus == 1 and executor is None):
            for iterstrat in iterstrats:
                self.runstrats.append(self.runstrategies(iterstrat))
                if self._dooptimize:
                    for cb in self.optcbs:
                        cb(self.runstrats[-1])
        else:
            self.runstrats = run_parallel(self, iterstrats, maxcpus, executor)
        if not self._dooptimize:
            return self.runstrats[0]
        return self.runstrats

    def runstrategies(self, iterstrat: Iterable[tuple[type, tuple, dict]],
                      predata: bool = False) -> list[Any]:
        """Run one combination of strategies over the datas."""
        self._event_stop = False
        broker = self._broker
        if self._dolive:
            self._start_live()
        for store in self.stores:
            store.start(broker=broker if getattr(broker, "_store", None) is store else None)
        broker.cerebro = self
        if self.p.cheat_on_open and self.p.broker_coo and hasattr(broker, "set_coo"):
            broker.set_coo(True)
        broker.start()
        for feed in self.feeds:
            feed.start()
        writers = self._runwriters
        writers.add_data_headers(self.datas)
        for data in self.datas:
            if not data.__dict__.get("_preloaded"):
                data._start()
                if self._dopreload:
                    data.preload()
            else:
                data.home()
        runstrats = self._build_strategies(iterstrat)
        self.runningstrats = runstrats
        capacity = sum(d.buflen() for d in self.datas) if self._dopreload else None
        tz = self._resolve_tz()
        for strat in runstrats:
            if tz is not None:
                strat._settz(tz)
            strat._start()
            writers.add_strategy_headers(strat)
            strat._prepare_run(capacity)
        self._check_periods(runstrats)
        writers.start()
        for timer in self._timers:
            timer.start(self.datas[0])
        from ..progress import Progress

        total = max((d.buflen() for d in self.datas), default=0) if self._dopreload else None
        self._progress = Progress(total, enabled=self.p.progress)
        STAGE.running = True
        # a backtest allocates many short-lived objects that reference counting frees; the
        # cyclic collector only slows it down (live runs, which last days, keep it on)
        pause_gc = bool(self.p.gcpause) and not self._dolive and gc.isenabled()
        if pause_gc:
            gc.disable()
        try:
            if self._dorunonce:
                run_once(self, runstrats)
            else:
                run_next(self, runstrats)
        except KeyboardInterrupt:
            if not self._dolive:
                raise
            self._event_stop = True  # Ctrl-C ends a live run cleanly: stop hooks still run
        except BaseException:
            self._abort_live()
            raise
        finally:
            STAGE.running = False
            if pause_gc:
                _resume_gc()
            self._progress.close()
        if self._liveloop is not None:
            self._liveloop.finish()
        for strat in runstrats:
            strat._stop()
        broker.stop()
        for data in self.datas:
            data.stop()
            if not self._dooptimize or not self.p.optdatas:
                data._preloaded = False
        for feed in self.feeds:
            feed.stop()
        for store in self.stores:
            store.stop()
        self._end_live()
        writers.stop(self.datas, runstrats)
        if self._dooptimize and self.p.optreturn:
            return [OptReturn.of(s) for s in runstrats]
        return runstrats

    def _start_live(self) -> None:
        """Create the run's inbox and attach it before stores, broker and datas start."""
        from .live import DEFAULT_INBOX_SIZE, LiveLoop

        self._liveloop = LiveLoop(self, getattr(self, "inbox_maxsize", DEFAULT_INBOX_SIZE))
        self.inbox = self._liveloop.inbox
        self._liveloop.attach()

    def _abort_live(self) -> None:
        """A live run failed: stop the producers (datas, stores) so no thread outlives it."""
        if self._liveloop is None:
            return
        for obj in [*self.datas, *self.stores]:
            try:
                obj.stop()
            except Exception:  # keep stopping the others; the run's own error propagates
                logging.getLogger(__name__).exception("stopping %r after a failed live run", obj)
        self._end_live()

    def _end_live(self) -> None:
        if self._liveloop is not None:
            self._liveloop.close()
            self._liveloop = None

    def _resolve_tz(self) -> Any:
        """cerebro's ``tz``: None, an index of a data (use its zone), a name or a tzinfo."""
        tz = self.p.tz
        if tz is None:
            return None
        if isinstance(tz, int) and not isinstance(tz, bool):
            return self.datas[tz]._tz
        if isinstance(tz, str):
            from zoneinfo import ZoneInfo

            return ZoneInfo(tz)
        return tz

    def _build_strategies(self, iterstrat: Iterable[tuple[type, tuple, dict]]) -> list[Any]:
        runstrats = []
        BUILDING.cerebro = self
        try:
            for idx, (stratcls, sargs, skwargs) in enumerate(iterstrat):
                strat = stratcls(*sargs, **skwargs)
                self._equip(strat, idx)
                runstrats.append(strat)
        finally:
            BUILDING.cerebro = None
        return runstrats

    def _equip(self, strat: Strategy, idx: int) -> None:
        """Give a freshly built strategy its observers, analyzers, sizer and indicators."""
        from .. import observers as obs

        for indcls, iargs, ikwargs in self.indicators:
            indcls(*iargs, _owner=strat, **ikwargs)
        if self.p.stdstats:
            strat._addobserver(False, obs.Broker)
            strat._addobserver(True, obs.BuySell, barplot=not self.p.oldbuysell)
            if self.p.oldtrades or len(self.datas) == 1:
                strat._addobserver(False, obs.Trades)
            else:
                strat._addobserver(False, obs.DataTrades)
        for multi, obscls, oargs, okwargs in self.observers:
            strat._addobserver(multi, obscls, *oargs, **okwargs)
        for ancls, aargs, akwargs in self.analyzers:
            strat._addanalyzer(ancls, *aargs, **akwargs)
        sizer = self.sizers.get(idx) or self.sizers.get(None)  # type: ignore[call-overload]
        if sizer is not None:
            scls, sargs, skwargs = sizer
            strat._addsizer(scls, *sargs, **skwargs)
        strat._tradehistoryon = bool(self.p.tradehistory)
        strat._tradebook.historyon = bool(self.p.tradehistory)

    def _check_periods(self, runstrats: list[Any]) -> None:
        if not self._dopreload:
            return
        for strat in runstrats:
            for i, data in enumerate(strat.datas):
                mp = strat._minperiods[i]
                if mp > data.buflen():
                    warnings.warn(
                        f"{type(strat).__name__}: indicators on data {data._name or i!r} need "
                        f"{mp} bars but it has {data.buflen()}; next() will never be called",
                        UserWarning, stacklevel=3)

    # -- plotting -------------------------------------------------------------------------------------
    def plot(self, plotter: Any = None, numfigs: int = 1, iplot: bool = False,
             start: Any = None, end: Any = None, width: int = 16, height: int = 9,
             dpi: int = 300, tight: bool = True, use: Any = None, **kwargs: Any) -> list[Any]:
        """Draw every strategy's datas, indicators and observers; matplotlib figures."""
        from ..plot import plot_cerebro

        return plot_cerebro(self, plotter=plotter, numfigs=numfigs, start=start, end=end,
                            width=width, height=height, dpi=dpi, tight=tight, **kwargs)


def _iterize(x: Any) -> Iterable[Any]:
    if isinstance(x, str) or not isinstance(x, Iterable):
        return (x,)
    return x


def _unpack_notif(notif: Any) -> tuple[Any, tuple, dict]:
    if isinstance(notif, tuple) and len(notif) == 3 and isinstance(notif[2], dict):
        return notif
    return notif, (), {}


def _resume_gc() -> None:
    """Turn the cyclic collector back on after a backtest. What the run made and still holds
    (orders and their snapshots, trades) would have the first young collection walk every
    object only to keep it: it goes straight to the oldest generation instead, which full
    collections walk (cycles made during the run are freed then). A program that froze
    objects of its own keeps them frozen: then the young collection runs as usual."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
    gc.enable()
