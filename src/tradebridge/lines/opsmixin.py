"""Operators on lines: while objects are being built they create new lines; while the
engine runs they compute on the current values (``self.sma > 0`` is a plain bool in next()).
"""

from __future__ import annotations

import operator
import threading
from typing import Any

__all__ = ["STAGE", "LineOpsMixin"]


class _Stage(threading.local):
    """Whether the engine is running (operators on values) or building (operators on lines),
    per thread: engines may run in threads of one process (a thread pool executor)."""

    def __init__(self) -> None:
        self.running = False


STAGE = _Stage()


def _now(x: Any) -> Any:
    return x[0] if isinstance(x, LineOpsMixin) else x


class LineOpsMixin:
    """Arithmetic and comparisons for lines and line series."""

    __slots__ = ()
    __hash__ = object.__hash__

    def _binop(self, other: Any, op: Any, swap: bool = False) -> Any:
        if STAGE.running:
            a, b = self[0], _now(other)  # type: ignore[index]
            return op(b, a) if swap else op(a, b)
        from .ops import BinaryOp

        return BinaryOp(other, self, op) if swap else BinaryOp(self, other, op)

    def _unop(self, op: Any) -> Any:
        if STAGE.running:
            return op(self[0])  # type: ignore[index]
        from .ops import UnaryOp

        return UnaryOp(self, op)

    def __add__(self, o: Any) -> Any:
        return self._binop(o, operator.add)

    def __radd__(self, o: Any) -> Any:
        return self._binop(o, operator.add, True)

    def __sub__(self, o: Any) -> Any:
        return self._binop(o, operator.sub)

    def __rsub__(self, o: Any) -> Any:
        return self._binop(o, operator.sub, True)

    def __mul__(self, o: Any) -> Any:
        return self._binop(o, operator.mul)

    def __rmul__(self, o: Any) -> Any:
        return self._binop(o, operator.mul, True)

    def __truediv__(self, o: Any) -> Any:
        return self._binop(o, operator.truediv)

    def __rtruediv__(self, o: Any) -> Any:
        return self._binop(o, operator.truediv, True)

    def __floordiv__(self, o: Any) -> Any:
        return self._binop(o, operator.floordiv)

    def __rfloordiv__(self, o: Any) -> Any:
        return self._binop(o, operator.floordiv, True)

    def __mod__(self, o: Any) -> Any:
        return self._binop(o, operator.mod)

    def __rmod__(self, o: Any) -> Any:
        return self._binop(o, operator.mod, True)

    def __pow__(self, o: Any) -> Any:
        return self._binop(o, operator.pow)

    def __rpow__(self, o: Any) -> Any:
        return self._binop(o, operator.pow, True)

    def __lt__(self, o: Any) -> Any:
        if STAGE.running:
            return self[0] < (o[0] if isinstance(o, LineOpsMixin) else o)  # type: ignore[index]
        return self._binop(o, operator.lt)

    def __le__(self, o: Any) -> Any:
        if STAGE.running:
            return self[0] <= (o[0] if isinstance(o, LineOpsMixin) else o)  # type: ignore[index]
        return self._binop(o, operator.le)

    def __gt__(self, o: Any) -> Any:
        if STAGE.running:
            return self[0] > (o[0] if isinstance(o, LineOpsMixin) else o)  # type: ignore[index]
        return self._binop(o, operator.gt)

    def __ge__(self, o: Any) -> Any:
        if STAGE.running:
            return self[0] >= (o[0] if isinstance(o, LineOpsMixin) else o)  # type: ignore[index]
        return self._binop(o, operator.ge)

    def __eq__(self, o: Any) -> Any:  # type: ignore[override]
        return self._binop(o, operator.eq)

    def __ne__(self, o: Any) -> Any:  # type: ignore[override]
        return self._binop(o, operator.ne)

    def __neg__(self) -> Any:
        return self._unop(operator.neg)

    def __pos__(self) -> Any:
        return self._unop(operator.pos)

    def __abs__(self) -> Any:
        return self._unop(operator.abs)
