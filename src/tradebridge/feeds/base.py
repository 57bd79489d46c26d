"""Data feeds: the lines a strategy reads (datetime, open, high, low, close, volume,
openinterest), loaded bar by bar (``_load``, backtrader's hook for custom feeds) or as
whole columns (``_load_arrays``, the fast path for files and DataFrames).
"""

from __future__ import annotations

import collections
import datetime as _dt
from typing import Any

import numpy as np

from ..lines.buffer import NAN, Clock, farray, nan_array
from ..lines.params import ParamsInitMixin
from ..lines.series import LineSeries
from ..utils.dates import TIME_MAX, TIME_MIN, date2num, num2date
from ..utils.timeframe import TimeFrame

__all__ = ["AbstractDataBase", "DataBase", "DataSeries", "FeedBase", "OHLCDateTime"]

_INF = float("inf")


def _tzobj(tz: Any) -> Any:
    if tz is None or isinstance(tz, _dt.tzinfo):
        return tz
    if isinstance(tz, str):
        from zoneinfo import ZoneInfo

        return ZoneInfo(tz)
    return tz


class AbstractDataBase(ParamsInitMixin, LineSeries):
    """Base of every data feed (backtrader's ``bt.feed.DataBase``)."""

    lines = ("close", "low", "high", "open", "volume", "openinterest", "datetime")
    params = (
        ("dataname", None), ("name", ""), ("compression", 1), ("timeframe", TimeFrame.Days),
        ("fromdate", None), ("todate", None), ("sessionstart", None), ("sessionend", None),
        ("filters", []), ("tz", None), ("tzinput", None), ("qcheck", 0.0), ("calendar", None),
    )
    plotinfo = dict(subplot=False)
    csv = True  # writers put this data's values in their csv rows
    (CONNECTED, DISCONNECTED, CONNBROKEN, DELAYED, LIVE, NOTSUBSCRIBED, NOTSUPPORTED_TF,
     UNKNOWN) = range(8)
    _NOTIFNAMES = ["CONNECTED", "DISCONNECTED", "CONNBROKEN", "DELAYED", "LIVE",
                   "NOTSUBSCRIBED", "NOTSUPPORTED_TIMEFRAME", "UNKNOWN"]
    Close, Low, High, Open, Volume, OpenInterest, DateTime = range(7)
    _minperiod = 1
    _compensate = None
    _clone = False
    resampling = 0
    replaying = 0
    _feed = None
    _store = None
    # the last smaller bar a replay merged (else the bar itself); the broker matches on them when set
    tick_open = tick_high = tick_low = tick_close = tick_volume = tick_openinterest = None
    tick_last = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tb_setup()

    def _tb_setup(self) -> None:
        """State every feed needs; runs once, before the first start."""
        if getattr(self, "_tb_ready", False):
            return
        self._tb_ready = True
        self._clk = Clock("data")
        self._iclk = Clock("ind")
        self._make_lines(self._clk, 0)
        self._prealloc = False
        self._name = self.p.name
        self._dataname = self.p.dataname
        self._timeframe = self.p.timeframe
        self._compression = self.p.compression
        self._tz = _tzobj(self.p.tz)
        self._tzinput = _tzobj(self.p.tzinput)
        self._filters: list[tuple[Any, tuple, dict]] = []
        self._ffilters: list[tuple[Any, tuple, dict]] = []
        self._barstack: collections.deque[list[float]] = collections.deque()
        self._barstash: collections.deque[list[float]] = collections.deque()
        self._notifs: collections.deque[tuple[int, tuple, dict]] = collections.deque()
        self._laststatus = self.CONNECTED
        self._started = False
        self._preloaded = False
        for fp in self.p.filters:
            self.addfilter(fp)

    def __getattr__(self, name: str) -> Any:
        # lines and clocks exist after _tb_setup; set it up on first touch
        if name.startswith("__") or name in ("_tb_ready", "params", "p"):
            raise AttributeError(name)
        if not self.__dict__.get("_tb_ready", False) and "params" in self.__dict__:
            self._tb_setup()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    # -- session / date limits --------------------------------------------------------------
    def _start_finish(self) -> None:
        p = self.p
        if p.sessionstart is None:
            p.sessionstart = TIME_MIN
        if p.sessionend is None:
            p.sessionend = TIME_MAX
        self.sessionstart = p.sessionstart
        self.sessionend = p.sessionend
        self.fromdate = self._limit(p.fromdate, p.sessionstart, -_INF)
        self.todate = self._limit(p.todate, p.sessionend, _INF)
        self._calendar = p.calendar

    def _limit(self, value: Any, tm: _dt.time, default: float) -> float:
        if value is None:
            return default
        if isinstance(value, (int, float)):
            return float(value)
        if not isinstance(value, _dt.datetime):
            value = _dt.datetime.combine(value, tm)
        return self.date2num(value)

    def date2num(self, dt: _dt.datetime) -> float:
        """A datetime in the feed's input zone to a UTC date number."""
        if self._tzinput is not None and dt.tzinfo is None:
            dt = dt.replace(tzinfo=self._tzinput)
        return date2num(dt)

    def num2date(self, x: float | None = None, tz: Any = None, naive: bool = True) -> _dt.datetime:
        if x is None:
            x = self.lines.datetime[0]
        return num2date(x, tz or self._tz, naive)

    # -- hooks for subclasses -----------------------------------------------------------------
    def start(self) -> None:
        """Open the source (subclass hook); called once before loading."""

    def stop(self) -> None:
        """Close the source (subclass hook)."""

    def _load(self) -> bool | None:
        """Fill ``self.lines.*[0]`` with the next bar; False at the end.

        By default serves the rows of ``_load_arrays`` (so filters work on array feeds).
        """
        cursor = self.__dict__.get("_cursor")
        if cursor is None:
            arrays = self._load_arrays()
            if arrays is None:
                return False
            from ._cursor import ArrayCursor

            cursor = self._cursor = ArrayCursor(arrays, self.lines)
        return cursor.load_into(self.lines)

    def _load_arrays(self) -> dict[str, np.ndarray] | None:
        """Whole columns at once (fast path); None means load bar by bar."""
        return None

    def islive(self) -> bool:
        return False

    def haslivedata(self) -> bool:
        return False

    def do_qcheck(self, onoff: bool, qlapse: float) -> None:
        pass

    def getenvironment(self) -> Any:
        return getattr(self, "_env", None)

    def _setenvironment(self, env: Any) -> None:
        self._env = env

    def setenvironment(self, env: Any) -> None:
        self._env = env

    # -- notifications ------------------------------------------------------------------------
    def put_notification(self, status: int, *args: Any, **kwargs: Any) -> None:
        self._notifs.append((status, args, kwargs))
        self._laststatus = status

    def get_notifications(self) -> list[tuple[int, tuple, dict]]:
        out = list(self._notifs)
        self._notifs.clear()
        return out

    def _getstatusname(self, status: int) -> str:
        return self._NOTIFNAMES[status]

    # -- filters ------------------------------------------------------------------------------
    def addfilter(self, p: Any, *args: Any, **kwargs: Any) -> None:
        """Add a filter class (instantiated with this data) or a callable."""
        self._tb_setup()
        if isinstance(p, type):
            pobj = p(self, *args, **kwargs)
            self._filters.append((pobj, (), {}))
            if hasattr(pobj, "last"):
                self._ffilters.append((pobj, (), {}))
        else:
            self._filters.append((p, args, kwargs))

    def addfilter_simple(self, f: Any, *args: Any, **kwargs: Any) -> None:
        """Add ``f(data)``, True meaning "drop this bar" (a class is built with this data)."""
        self._tb_setup()
        if isinstance(f, type):
            f, args, kwargs = f(self, *args, **kwargs), (), {}
        self._filters.append((_SimpleFilter(f), args, kwargs))

    def resample(self, **kwargs: Any) -> None:
        """Deliver larger bars built from this feed's (``bt.filters.Resampler``)."""
        from ..filters.resample import Resampler

        self.addfilter(Resampler, **kwargs)

    def replay(self, **kwargs: Any) -> None:
        """Rebuild larger bars tick by tick from this feed's (``bt.filters.Replayer``)."""
        from ..filters.resample import Replayer

        self.addfilter(Replayer, **kwargs)

    def _add2stack(self, bar: list[float], stash: bool = False) -> None:
        (self._barstash if stash else self._barstack).append(bar)

    def _save2stack(self, erase: bool = False, force: bool = False, stash: bool = False) -> None:
        bar = [line[0] for line in self.lines]
        (self._barstash if stash else self._barstack).append(bar)
        if erase:
            self.backwards(force=force)

    def _updatebar(self, bar: list[float], forward: bool = False, ago: int = 0) -> None:
        if forward:
            self.forward()
        for line, val in zip(self.lines, bar):
            line[ago] = val

    def _fromstack(self, forward: bool = False, stash: bool = False) -> bool:
        coll = self._barstash if stash else self._barstack
        if coll:
            if forward:
                self.forward()
            for line, val in zip(self.lines, coll.popleft()):
                line[0] = val
            return True
        return False

    # -- buffer movement ----------------------------------------------------------------------
    def forward(self, value: float = NAN, size: int = 1) -> None:
        """Make room for a new bar after the current one and move onto it."""
        idx = self._clk.idx
        for line in self.lines:
            a = line._a
            del a[idx + 1 :]
            a.extend(nan_array(size) if value != value else farray([value] * size))
        self._clk.idx += size

    def backwards(self, size: int = 1, force: bool = False) -> None:
        """Drop the last ``size`` bars."""
        for line in self.lines:
            del line._a[len(line._a) - size :]
        self._clk.idx -= size

    def rewind(self, size: int = 1) -> None:
        self._clk.idx -= size

    def advance(self, size: int = 1, datamaster: Any = None, ticks: bool = True) -> None:
        self._clk.idx += size

    def advance_peek(self) -> float:
        nxt = self._clk.idx + 1
        a = self.lines.datetime._a
        return a[nxt] if nxt < len(a) else _INF

    def home(self) -> None:
        self._clk.idx = -1
        self._iclk.idx = -1

    def buflen(self) -> int:
        return len(self.lines.datetime._a)

    def __len__(self) -> int:
        return self._clk.idx + 1

    def _tick_fill(self, force: bool = False) -> None:
        """Take the bar just loaded as the tick: in a replay the smaller bar being merged, whose
        prices (not the rebuilt larger bar's) orders fill against, as in backtrader."""
        if not force and self.tick_close is not None:
            return
        lines = self.lines
        self.tick_open = lines.open[0]
        self.tick_high = lines.high[0]
        self.tick_low = lines.low[0]
        self.tick_close = self.tick_last = lines.close[0]
        self.tick_volume = lines.volume[0]
        self.tick_openinterest = lines.openinterest[0]

    def _check(self, forcedata: Any = None) -> None:
        for ff, fargs, fkwargs in self._filters:
            if hasattr(ff, "check"):
                ff.check(self, *fargs, _forcedata=forcedata, **fkwargs)

    def _last(self, datamaster: Any = None) -> bool:
        ret = False
        for ff, fargs, fkwargs in self._ffilters:
            ret = bool(ff.last(self, *fargs, **fkwargs)) or ret
        while self._fromstack(forward=True):
            pass
        return ret

    # -- loading ------------------------------------------------------------------------------
    def _start(self) -> None:
        self._tb_setup()
        self._cursor = None
        for line in self.lines:
            line._a = nan_array(0)
        self._clk.idx = self._iclk.idx = -1
        self.start()
        if not self._started:
            self._start_finish()
            self._started = True

    def preload(self) -> None:
        """Load every bar now, so indicators can be computed over whole arrays."""
        arrays = None if self._filters else self._load_arrays()
        if arrays is not None:
            self._fill_arrays(arrays)
            from ._cursor import ArrayCursor

            self._cursor = ArrayCursor({"datetime": np.empty(0)}, self.lines)  # all rows are in
        else:
            while self.load():
                pass
        self._last()
        self._preloaded = True
        self._prealloc = True
        self.home()

    def _fill_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        dt = np.asarray(arrays["datetime"], dtype=np.float64)
        keep = (dt >= self.fromdate) & (dt <= self.todate)
        if not keep.all():
            # backtrader stops at the first bar past todate and skips those before fromdate
            past = np.nonzero(dt > self.todate)[0]
            if len(past):
                keep[past[0] :] = False
        for line in self.lines:
            col = arrays.get(line._name)
            if col is None:
                line._a = nan_array(int(keep.sum()))
            else:
                line.set_array(np.asarray(col, dtype=np.float64)[keep])
        self._clk.idx = len(self.lines.datetime._a) - 1

    def load(self) -> bool | None:
        """Load one bar through ``_load`` and the filters (backtrader's loop)."""
        while True:
            self.forward()
            if self._fromstack():
                return True
            if not self._fromstack(stash=True):
                ret = self._load()
                if not ret:
                    self.backwards()
                    return ret
            dt = self.lines.datetime[0]
            if dt < self.fromdate:
                self.backwards()
                continue
            if dt > self.todate:
                self.backwards()
                return False
            removed = False
            for ff, fargs, fkwargs in self._filters:
                if ff(self, *fargs, **fkwargs):
                    removed = True
                    break
                if self._barstack:
                    break
            if removed:
                continue
            return True

    def next(self, datamaster: Any = None, ticks: bool = True) -> bool | None:
        """Move to the next bar, loading it when not preloaded."""
        if self._clk.idx + 1 >= self.buflen():
            ret = self.load()
            if not ret:
                return ret
        else:
            self.advance()
        return True

    # -- cloning ---------------------------------------------------------------------------
    def clone(self, **kwargs: Any) -> DataClone:
        return DataClone(dataname=self, **kwargs)

    def copyas(self, _dataname: str, **kwargs: Any) -> DataClone:
        return DataClone(dataname=self, name=_dataname, **kwargs)

    # -- writers (cerebro.addwriter) -----------------------------------------------------------
    def getwriterheaders(self) -> list[str]:
        """csv columns: name, len, datetime, open, high, low, close, volume, openinterest, extras."""
        from ..engine.writers import series_headers

        return series_headers(self)

    def getwritervalues(self) -> list[Any]:
        """The values for those columns at the current bar."""
        from ..engine.writers import series_values

        return series_values(self)

    def getwriterinfo(self) -> dict[str, Any]:
        """This data's part of the writers' summary: name, timeframe, compression."""
        from ..engine.writers import series_info

        return series_info(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._name or self.p.dataname!r}>"


class DataBase(AbstractDataBase):
    """backtrader's ``bt.DataBase``."""


FeedBase = DataBase
DataSeries = AbstractDataBase
OHLCDateTime = AbstractDataBase


class DataClone(AbstractDataBase):
    """A second feed over the same bars (for resampling/replaying one source twice)."""

    _clone = True
    _preloading = False

    def start(self) -> None:
        self._src = self.p.dataname
        self._srcpos = 0
        if not self.resampling:  # a resampler already set the larger timeframe
            self._timeframe = self._src._timeframe
            self._compression = self._src._compression
        if not self.p.name:
            self._name = self._src._name

    def advance(self, size: int = 1, datamaster: Any = None, ticks: bool = True) -> None:
        self._srcpos += size  # a re-delivered bar counts as read, as in backtrader
        super().advance(size, datamaster, ticks)

    def preload(self) -> None:
        self._preloading = True
        try:
            super().preload()
        finally:
            self._preloading = False

    def _load(self) -> bool:
        src = self._src
        if self._preloading:
            if self._srcpos >= src.buflen():
                return False
            row = self._srcpos
        else:
            # bar by bar, take the bar the source is on now, as backtrader's clone does
            # (a clone that was rewound skips the source bars it missed)
            if len(src) <= self._srcpos:
                return False
            row = len(src) - 1
        for dst, line in zip(self.lines, src.lines):
            dst[0] = line.getzeroval(row)
        self._srcpos += 1
        return True


class _SimpleFilter:
    """Wrap a ``f(data) -> drop?`` callable as a filter that removes the bars it flags."""

    def __init__(self, f: Any) -> None:
        self.f = f

    def __call__(self, data: Any, *args: Any, **kwargs: Any) -> bool:
        if self.f(data, *args, **kwargs):
            data.backwards()
            return True
        return False
