"""LineIterator: the node of the computation graph (indicators, line operations, strategies,
observers). Objects created inside another's ``__init__`` become its children; the
engine computes children first, vectorised over whole arrays (``_once``) or bar by bar
(``_next``), and a node's minimum period drives prenext/nextstart/next.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import numpy as np

from .buffer import NAN, Clock, LineBuffer, farray
from .params import unknown_kwargs, unknown_param_error
from .series import LineSeries, line0

__all__ = ["IndType", "LineIterator", "ObsType", "StratType", "base_of", "current_owner"]

IndType, StratType, ObsType = 0, 1, 2


class _Owners(threading.local):
    """The objects whose ``__init__`` is running, innermost last: one stack per thread, so
    strategies built at the same time in threads (a thread pool executor) do not adopt each
    other's indicators."""

    def __init__(self) -> None:
        self.stack: list[Any] = []


_OWNERS = _Owners()


def current_owner() -> Any:
    """The object whose ``__init__`` is running (the owner of anything created now)."""
    stack = _OWNERS.stack
    return stack[-1] if stack else None


def base_of(obj: Any) -> Any:
    """The object whose clock drives ``obj``: a data feed, or a strategy."""
    if isinstance(obj, LineBuffer):
        obj = obj._owner
    return getattr(obj, "_base", obj)


def build(init: Any, self: Any, args: tuple, kwargs: dict) -> None:
    """Construct ``self`` around the user's ``init``: params and datas first, ``self`` as the
    owner of whatever ``init`` creates, registration with its own owner last.

    Module level (not inside the wrapper) so that classes pickled by value (cloudpickle)
    still share this module's owner stack."""
    if self.__dict__.get("_tb_building"):
        init(self, *args, **kwargs)
        return
    self._tb_building = True
    args, kwargs = self._preinit(args, kwargs)
    unknown = unknown_kwargs(init, list(kwargs))
    if unknown:
        raise unknown_param_error(self, unknown[0])
    stack = _OWNERS.stack
    stack.append(self)
    try:
        init(self, *args, **kwargs)
    finally:
        stack.pop()
        self._tb_building = False
    self._postinit()


def _wrap_init(init: Any) -> Any:
    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        build(init, self, args, kwargs)

    __init__._tb_wrapped = True  # type: ignore[attr-defined]
    return __init__


def _is_lineish(x: Any) -> bool:
    return isinstance(x, (LineSeries, LineBuffer))


def split_datas(args: tuple) -> tuple[list[Any], tuple]:
    """The line-like arguments (datas) and the rest, as backtrader splits a call's args."""
    return [a for a in args if _is_lineish(a)], tuple(a for a in args if not _is_lineish(a))


def bind_datas(obj: Any, datas: list[Any]) -> None:
    """Give ``obj`` backtrader's data attributes: datas, data, data0..N, data0_close..., dnames."""
    obj.datas = datas
    if datas:
        obj.data = datas[0]
    for i, d in enumerate(datas):
        setattr(obj, f"data{i}", d)
        for name in getattr(d, "_line_names", ()):
            buf = getattr(d.lines, name)
            setattr(obj, f"data{i}_{name}", buf)
            if i == 0:
                setattr(obj, f"data_{name}", buf)
    obj.dnames = {getattr(d, "_name", ""): d for d in datas if getattr(d, "_name", "")}


class Built:
    """Objects whose ``__init__`` (theirs and their subclasses') runs through ``build``:
    indicators, strategies, observers and analyzers. Subclasses give ``_preinit`` and
    ``_postinit``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_tb_wrapped", False):
            cls.__init__ = _wrap_init(init)  # type: ignore[method-assign]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


Built.__init__ = _wrap_init(Built.__init__)  # type: ignore[method-assign]


class TradingHooks:
    """The notification hooks strategies and analyzers share (no-ops to override)."""

    def notify_order(self, order: Any) -> None:
        pass

    def notify_trade(self, trade: Any) -> None:
        pass

    def notify_cashvalue(self, cash: float, value: float) -> None:
        pass

    def notify_fund(self, cash: float, value: float, fundvalue: float, shares: float) -> None:
        pass


class LineIterator(Built, LineSeries):
    """Base node: datas in, lines out, children computed first."""

    _ltype = IndType
    _mindatas = 1
    _owner: Any = None
    _lineaction = False  # True for line expressions (backtrader's LineActions)

    # -- construction ---------------------------------------------------------------------
    def _preinit(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        owner = kwargs.pop("_owner", None)
        self._owner = owner if owner is not None else current_owner()
        kwargs = self._take_params(kwargs)
        datas, args = split_datas(args)
        if not datas and self._owner is not None and self._ltype != StratType:
            datas = list(self._owner.datas[: self._mindatas])
        self._setdatas(datas)
        self._children: list[LineIterator] = []
        self._observers: list[LineIterator] = []
        self._bindings: list[tuple[LineBuffer, LineBuffer]] = []
        self._setclock()
        mps = [line0(d)._minperiod if isinstance(d, LineBuffer) else d._minperiod for d in datas]
        self._minperiod = max(mps or [1])
        return args, kwargs

    def _setdatas(self, datas: list[Any]) -> None:
        bind_datas(self, datas)

    def _setclock(self) -> None:
        """Indicators live on their first data's indicator clock, sized like it."""
        if self.datas:
            base = base_of(self.datas[0])
        else:
            base = base_of(self._owner) if self._owner is not None else None
        self._base = base
        clk = getattr(base, "_iclk", None) or Clock(type(self).__name__)
        size = len(base.datetime._a) if base is not None and hasattr(base, "_prealloc") and \
            base._prealloc else 0
        self._make_lines(clk, size)

    def _postinit(self) -> None:
        if self._children:
            self._minperiod = max(self._minperiod, *(c._minperiod for c in self._children))
        if self._owner is not None:
            self._owner._register(self)

    def _register(self, child: LineIterator) -> None:
        if child._ltype == ObsType:
            self._observers.append(child)
        else:
            self._children.append(child)

    def _bind(self, value: Any, dst: LineBuffer) -> None:
        """``self.lines.x = expr``: expr's values flow into line x as expr computes."""
        src = line0(value)
        node = src._owner
        if not isinstance(node, LineIterator) or node._ltype == StratType or not hasattr(
            node, "_bindings"
        ):
            from .ops import UnaryOp

            node = UnaryOp(src, _identity)
            src = node.lines[0]
        node._bindings.append((src, dst))
        dst._bound_mp = max(dst._bound_mp, node._minperiod)

    # -- what a node holds (backtrader's accessors) ------------------------------------------
    def getindicators(self) -> list[Any]:
        """Indicators (and line expressions) created in this object's ``__init__``."""
        return list(self._children)

    def getindicators_lines(self) -> list[Any]:
        """The indicators that have lines of their own: not line expressions (``a - b``,
        ``bt.And``...), which backtrader keeps as bare buffers (writers list these)."""
        return [c for c in self._children if c.lines.size() and not c._lineaction]

    def getobservers(self) -> list[Any]:
        return list(self._observers)

    # -- minimum period -------------------------------------------------------------------
    def addminperiod(self, minperiod: int) -> None:
        self._minperiod += minperiod - 1

    def incminperiod(self, minperiod: int) -> None:
        self._minperiod += minperiod

    def setminperiod(self, minperiod: int) -> None:
        self._minperiod = minperiod

    def updateminperiod(self, minperiod: int) -> None:
        self._minperiod = max(self._minperiod, minperiod)

    # -- user hooks (backtrader's names) ----------------------------------------------------
    def prenext(self) -> None:
        pass

    def nextstart(self) -> None:
        self.next()

    def next(self) -> None:
        pass

    def preonce(self, start: int, end: int) -> None:
        if _overrides(self, "prenext"):
            self._loop(self.prenext, start, end)

    def oncestart(self, start: int, end: int) -> None:
        if _overrides(self, "nextstart"):
            self._loop(self.nextstart, start, end)
        else:
            self.once(start, end)

    def once(self, start: int, end: int) -> None:
        if _overrides(self, "next"):
            self._loop(self.next, start, end)

    def _loop(self, method: Any, start: int, end: int) -> None:
        """Run a per-bar method over [start, end) with this node's clocks placed on each bar."""
        clocks = [self._clk]
        dclk = getattr(self._base, "_clk", None)
        if dclk is not None and dclk is not self._clk:
            clocks.append(dclk)
        saved = [c.idx for c in clocks]
        try:
            for i in range(start, end):
                for c in clocks:
                    c.idx = i
                method()
        finally:
            for c, idx in zip(clocks, saved):
                c.idx = idx

    # -- engine side ------------------------------------------------------------------------
    def _once(self) -> None:
        """Compute this node and its children over the whole preloaded data."""
        for child in self._children:
            child._once()
        self._compute_once()
        for src, dst in self._bindings:
            _copy_aligned(src, dst)

    def _compute_once(self) -> None:
        size = self.lines[0].buflen() if self.lines.size() else 0
        mp = self._minperiod
        self.preonce(0, min(mp - 1, size))
        if mp - 1 < size:
            self.oncestart(mp - 1, mp)
            self.once(mp, size)

    def _next(self) -> None:
        """Compute this node and its children for the current bar."""
        for child in self._children:
            child._next()
        n = self._clk.idx + 1
        if n <= 0:  # the data has not delivered a bar yet
            return
        for buf in self.lines:
            a = buf._a
            while len(a) < n:
                a.append(NAN)
        mp = self._minperiod
        if n > mp:
            self.next()
        elif n == mp:
            self.nextstart()
        elif n > 0:
            self.prenext()
        for src, dst in self._bindings:
            a = dst._a
            while len(a) < n:
                a.append(NAN)
            dst[0] = src[0]

    def __repr__(self) -> str:
        keys = type(self).params._getkeys()
        inner = ", ".join(f"{k}={getattr(self.p, k)!r}" for k in keys[:4])
        return f"{type(self).__name__}({inner})"


def _identity(x: Any) -> Any:
    return x


def _overrides(obj: Any, name: str) -> bool:
    meth = getattr(type(obj), name)
    return meth is not getattr(LineIterator, name)


def as_array(src: LineBuffer, base: Any = None) -> np.ndarray:
    """``src``'s values as a float array, aligned on ``base``'s bars when their clocks differ."""
    arr = np.frombuffer(src._a, dtype=np.float64) if len(src._a) else np.empty(0)
    arr.flags.writeable = False
    sbase = base_of(src)
    if base is None or sbase is base or not hasattr(sbase, "datetime") or not hasattr(
        base, "datetime"
    ):
        return arr
    sdt = np.array(sbase.datetime._a, dtype=np.float64)
    bdt = np.array(base.datetime._a, dtype=np.float64)
    pos = np.searchsorted(sdt, bdt, side="right") - 1
    out = np.full(len(bdt), np.nan)
    ok = (pos >= 0) & (pos < len(arr))
    out[ok] = arr[pos[ok]]
    return out


def _copy_aligned(src: LineBuffer, dst: LineBuffer) -> None:
    if len(src._a) == len(dst._a) and base_of(src) is base_of(dst):
        dst._a = src._a  # same bars: share the storage (a bound line mirrors its source)
    else:
        dst.set_array(as_array(src, base_of(dst)))


def store(buf: LineBuffer, values: np.ndarray, minperiod: int) -> None:
    """Write a computed array into a line, NaN before the minimum period (backtrader's view)."""
    vals = np.array(values, dtype=np.float64)
    n = len(buf._a)
    if len(vals) != n:
        raise ValueError(f"{buf!r}: computed {len(vals)} values for {n} bars")
    k = min(max(minperiod - 1, 0), n)
    if k:
        vals[:k] = np.nan
    buf._a = farray(vals)

