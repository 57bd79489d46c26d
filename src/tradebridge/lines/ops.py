"""Line expression nodes: arithmetic, delays, coupling across time frames, and the
backtrader functions ``And, Or, If, Max, Min, Sum, All, _Any, Cmp, CmpEx, DivByZero,
DivZeroByZero``. Each computes vectorised over arrays and also bar by bar.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any as _Any

import numpy as np

from .buffer import LineBuffer
from .lineiterator import LineIterator, as_array, base_of, store
from .series import LineSeries, line0

__all__ = [
    "All", "And", "Any", "BinaryOp", "Cmp", "CmpEx", "DivByZero", "DivZeroByZero", "If",
    "LineCoupler", "LineDelay", "Max", "Min", "MultiFunc", "Or", "Sum", "UnaryOp",
]

_VEC: dict[_Any, Callable[..., _Any]] = {
    operator.add: np.add, operator.sub: np.subtract, operator.mul: np.multiply,
    operator.truediv: np.true_divide, operator.floordiv: np.floor_divide, operator.mod: np.mod,
    operator.pow: np.power, operator.lt: np.less, operator.le: np.less_equal,
    operator.gt: np.greater, operator.ge: np.greater_equal, operator.eq: np.equal,
    operator.ne: np.not_equal, operator.neg: np.negative, operator.pos: np.positive,
    operator.abs: np.abs,
}


def _isline(x: _Any) -> bool:
    return isinstance(x, (LineSeries, LineBuffer))


def _scalar(op: Callable[..., _Any], *vals: float) -> float:
    """Apply ``op`` as numpy would: division by zero gives inf/nan, not an exception."""
    try:
        return float(op(*vals))
    except ZeroDivisionError:
        with np.errstate(all="ignore"):
            return float(_VEC.get(op, op)(*(np.float64(v) for v in vals)))


class _Expr(LineIterator):
    """A node over operand lines and constants; subclasses give the math."""

    lines = ("expr",)
    plotinfo = dict(plot=False)
    _lineaction = True

    def __init__(self, *operands: _Any) -> None:
        pass

    def _preinit(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        self._operands = list(args)
        lines = [line0(a) for a in args if _isline(a)]
        rest, kwargs = super()._preinit(tuple(lines), kwargs)
        return (), kwargs

    def _arrays(self) -> list[_Any]:
        return [as_array(line0(a), self._base) if _isline(a) else a for a in self._operands]

    def _values(self) -> list[_Any]:
        return [a[0] if _isline(a) else a for a in self._operands]

    def _compute_once(self) -> None:
        with np.errstate(all="ignore"):
            out = self._vec(*self._arrays())
        n = len(self.lines[0]._a)
        store(self.lines[0], np.broadcast_to(np.asarray(out, dtype=np.float64), (n,)),
              self._minperiod)

    def next(self) -> None:
        self.lines[0][0] = self._scal(*self._values())

    def _vec(self, *arrays: _Any) -> _Any:
        raise NotImplementedError

    def _scal(self, *values: _Any) -> float:
        raise NotImplementedError


class BinaryOp(_Expr):
    """``a op b`` for lines and numbers."""

    def __init__(self, a: _Any, b: _Any, op: Callable[[_Any, _Any], _Any]) -> None:
        self._op = op

    def _preinit(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        a, b, op = args
        super()._preinit((a, b), kwargs)
        return (a, b, op), kwargs

    def _vec(self, a: _Any, b: _Any) -> _Any:
        return _VEC.get(self._op, np.vectorize(self._op))(a, b)

    def _scal(self, a: float, b: float) -> float:
        return _scalar(self._op, a, b)


class UnaryOp(_Expr):
    """``op(a)`` for a line (negation, abs, or any one-argument function)."""

    def __init__(self, a: _Any, op: Callable[[_Any], _Any]) -> None:
        self._op = op

    def _preinit(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        a, op = args
        super()._preinit((a,), kwargs)
        return (a, op), kwargs

    def _vec(self, a: _Any) -> _Any:
        vop = _VEC.get(self._op)
        if vop is not None:
            return vop(a)
        return np.array([self._op(x) for x in np.asarray(a).tolist()], dtype=np.float64)

    def _scal(self, a: float) -> float:
        return _scalar(self._op, a)


class LineDelay(_Expr):
    """``line(-n)``: the value n bars ago; ``line(+n)``: each value written n bars back
    (backtrader's forward line: bar by bar the newest n bars are not known yet)."""

    def __init__(self, a: _Any, ago: int) -> None:
        pass

    def _preinit(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        a, ago = args
        self._ago = int(ago)
        super()._preinit((a,), kwargs)
        if self._ago < 0:
            self._minperiod += -self._ago
        else:
            self._minperiod = max(self._minperiod, self._ago)
        return (a, ago), kwargs

    def next(self) -> None:
        if self._ago <= 0:
            super().next()
        elif self._clk.idx >= self._ago:
            self.lines[0][-self._ago] = self._operands[0][0]

    def _compute_once(self) -> None:
        if self._ago <= 0:
            super()._compute_once()
            return
        # forward values land before the minimum period: keep them (as bar by bar does)
        with np.errstate(all="ignore"):
            out = self._vec(*self._arrays())
        store(self.lines[0], out, 1)

    def _vec(self, a: _Any) -> _Any:
        out = np.full(len(a), np.nan)
        k = self._ago
        if k < 0:
            out[-k:] = a[:k]
        elif k > 0:
            out[:-k] = a[k:]
        else:
            out[:] = a
        return out

    def _scal(self, a: float) -> float:
        return self._operands[0][self._ago]


class LineCoupler(_Expr):
    """``line()``: a line of a longer time frame seen on the owner's (shorter) clock."""

    def _setclock(self) -> None:
        owner = self._owner
        self._coupled_to = base_of(owner.datas[0]) if owner is not None and owner.datas else None
        if self._coupled_to is not None:
            first = self.datas
            self.datas = [self._coupled_to]
            super()._setclock()
            self.datas = first
        else:
            super()._setclock()

    def _preinit(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        out = super()._preinit(args, kwargs)
        self._minperiod = 1
        return out

    def _vec(self, a: _Any) -> _Any:
        return a

    def _scal(self, a: float) -> float:
        return a

    def next(self) -> None:
        src = line0(self._operands[0])
        self.lines[0][0] = src[0] if len(src) else float("nan")  # the longer bar may not exist yet


class MultiFunc(_Expr):
    """A function of several lines/numbers with a scalar and a vectorised form; keyword
    options (``zero=``, ``single=``...) are passed to both."""

    _scalf: Callable[..., float]
    _vecf: Callable[..., _Any]
    _options: tuple[str, ...] = ()

    def _preinit(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        self._opts = {k: kwargs.pop(k) for k in self._options if k in kwargs}
        return super()._preinit(args, kwargs)

    def _vec(self, *arrays: _Any) -> _Any:
        return type(self)._vecf(*arrays, **self._opts)

    def _scal(self, *values: _Any) -> float:
        return float(type(self)._scalf(*values, **self._opts))


def _truthy(x: _Any) -> _Any:
    x = np.asarray(x, dtype=np.float64)
    return (x != 0) | np.isnan(x)


def _reduce_pick(arrays: tuple, pick: Callable[[_Any, _Any], _Any]) -> _Any:
    cur = np.asarray(arrays[0], dtype=np.float64)
    for nxt in arrays[1:]:
        nxt = np.asarray(nxt, dtype=np.float64)
        cur = np.where(pick(cur, nxt), nxt, cur)
    return cur


def _func(name: str, scalf: Callable[..., float], vecf: Callable[..., _Any], doc: str,
          options: tuple[str, ...] = ()) -> type:
    cls = type(name, (MultiFunc,), {
        "_scalf": staticmethod(scalf), "_vecf": staticmethod(vecf), "__doc__": doc,
        "__module__": __name__, "_options": options,
    })
    return cls


def _and(*v: float) -> float:
    out = v[0]
    for x in v[1:]:
        out = out and x
    return out


def _or(*v: float) -> float:
    out = v[0]
    for x in v[1:]:
        out = out or x
    return out


And = _func("And", _and, lambda *a: _reduce_pick(a, lambda c, n: _truthy(c)),
            "Python ``and`` over the values (the last truthy, or the first falsy).")
Or = _func("Or", _or, lambda *a: _reduce_pick(a, lambda c, n: ~_truthy(c)),
           "Python ``or`` over the values.")
Max = _func("Max", lambda *v: max(v), lambda *a: _reduce_pick(a, lambda c, n: n > c),
            "Largest value per bar (Python ``max`` semantics).")
Min = _func("Min", lambda *v: min(v), lambda *a: _reduce_pick(a, lambda c, n: n < c),
            "Smallest value per bar (Python ``min`` semantics).")
Sum = _func("Sum", lambda *v: math.fsum(v), lambda *a: np.sum(np.broadcast_arrays(*a), axis=0),
            "Sum of the values per bar.")
All = _func("All", lambda *v: float(all(v)),
            lambda *a: np.logical_and.reduce(np.broadcast_arrays(*[_truthy(x) for x in a])).astype(float),
            "1.0 where every value is truthy.")
Any = _func("Any", lambda *v: float(any(v)),
             lambda *a: np.logical_or.reduce(np.broadcast_arrays(*[_truthy(x) for x in a])).astype(float),
             "1.0 where any value is truthy.")
If = _func("If", lambda c, a, b: a if c else b,
           lambda c, a, b: np.where(_truthy(c), a, b), "``a if cond else b`` per bar.")


def _cmp(a: float, b: float) -> float:
    return float((a > b) - (a < b))


Cmp = _func("Cmp", _cmp, lambda a, b: np.sign(np.asarray(a) - np.asarray(b)) * 1.0,
            "-1, 0 or 1 as a is below, equal to or above b.")
CmpEx = _func(
    "CmpEx", lambda a, b, r1, r2, r3: r1 if a < b else (r2 if a == b else r3),
    lambda a, b, r1, r2, r3: np.where(np.asarray(a) < b, r1, np.where(np.asarray(a) == b, r2, r3)),
    "r1, r2 or r3 as a is below, equal to or above b.")


def _divbyzero(x: float, y: float, zero: float = 0.0) -> float:
    return x / y if y else zero


def _divzero(x: float, y: float, single: float = float("inf"), dual: float = 0.0) -> float:
    if y:
        return x / y
    return single if x else dual


DivByZero = _func(
    "DivByZero", _divbyzero,
    lambda x, y, zero=0.0: np.where(_truthy(y), np.asarray(x) / np.where(_truthy(y), y, 1.0), zero),
    "x / y, or ``zero`` where y is 0.", ("zero",))
DivZeroByZero = _func(
    "DivZeroByZero", _divzero,
    lambda x, y, single=float("inf"), dual=0.0: np.where(
        _truthy(y), np.asarray(x) / np.where(_truthy(y), y, 1.0),
        np.where(_truthy(x), single, dual)),
    "x / y; ``single`` for x/0 and ``dual`` for 0/0.", ("single", "dual"))
