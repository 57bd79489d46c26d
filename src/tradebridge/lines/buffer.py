"""LineBuffer: one series of floats read relative to "now" (``[0]``, ``[-1]``, ...).

Storage is an ``array('d')`` (8 bytes a value, backtrader's layout, shared with numpy
without copying); "now" is the index held by a shared :class:`Clock`, so advancing every
line of a feed or indicator group costs one store.
"""

from __future__ import annotations

import datetime as _dt
import math
from array import array
from typing import Any

import numpy as np

from ..utils.dates import num2date
from .opsmixin import LineOpsMixin

__all__ = ["NAN", "Clock", "LineBuffer", "farray", "nan_array"]

NAN = float("nan")
_NAN1 = array("d", [NAN])


def nan_array(size: int) -> array:
    """An ``array('d')`` of ``size`` NaNs."""
    return _NAN1 * size


def farray(values: Any) -> array:
    """An ``array('d')`` holding ``values`` (a numpy array, list or array)."""
    arr = np.ascontiguousarray(values, dtype=np.float64)
    out = array("d")
    out.frombytes(memoryview(arr).cast("B"))
    return out


class Clock:
    """Index of the current bar of a group of lines; ``len`` is ``idx + 1``."""

    __slots__ = ("idx", "name")

    def __init__(self, name: str = "") -> None:
        self.idx = -1
        self.name = name

    def __repr__(self) -> str:
        return f"<Clock {self.name} idx={self.idx}>"


class LineBuffer(LineOpsMixin):
    """A single line: values in ``_a``, position from the shared clock ``_clk``."""

    __slots__ = ("_a", "_clk", "_owner", "_name", "_tz", "_bound_mp", "__weakref__")

    def __init__(self, clk: Clock, owner: Any = None, name: str = "", size: int = 0) -> None:
        self._a: array = _NAN1 * size
        self._clk = clk
        self._owner = owner
        self._name = name
        self._tz = None
        self._bound_mp = 1

    # -- reading and writing relative to now --------------------------------------------
    def __getitem__(self, ago: int) -> float:
        return self._a[self._clk.idx + ago]

    def __setitem__(self, ago: int, value: float) -> None:
        self._a[self._clk.idx + ago] = value

    def __len__(self) -> int:
        return self._clk.idx + 1

    def __bool__(self) -> bool:
        return bool(self._a[self._clk.idx])

    def get(self, ago: int = 0, size: int = 1) -> array:
        """The ``size`` values ending ``ago`` bars back (oldest first); empty if not enough."""
        end = self._clk.idx + ago + 1
        start = end - size
        if start < 0:
            return array("d")
        return self._a[start:end]

    def getzero(self, idx: int = 0, size: int = 1) -> array:
        """Values counted from the start of the buffer."""
        return self._a[idx : idx + size]

    def getzeroval(self, idx: int = 0) -> float:
        return self._a[idx]

    def set(self, value: float, ago: int = 0) -> None:
        self._a[self._clk.idx + ago] = value

    @property
    def array(self) -> array:
        """The whole storage (backtrader's ``line.array``), indexable and writable."""
        return self._a

    @array.setter
    def array(self, values: Any) -> None:
        self._a = farray(values)

    def set_array(self, values: Any) -> None:
        """Replace every value at once (numpy array, list or array)."""
        self._a = farray(values)

    @property
    def idx(self) -> int:
        return self._clk.idx

    def buflen(self) -> int:
        return len(self._a)

    def plot(self, idx: int = 0, size: int | None = None) -> array:
        """Values for plotting: the whole buffer from ``idx``."""
        return self._a[idx:] if size is None else self._a[idx : idx + size]

    def forward(self, value: float = NAN, size: int = 1) -> None:
        self._a.extend(array("d", [value]) * size)

    @property
    def _minperiod(self) -> int:
        owner = self._owner
        return max(getattr(owner, "_minperiod", 1), self._bound_mp)

    @property
    def _line0(self) -> LineBuffer:
        return self

    # -- time helpers (valid on the datetime line) ----------------------------------------
    def _tzinfo(self) -> Any:
        if self._tz is not None:
            return self._tz
        return getattr(self._owner, "_tz", None)

    def datetime(self, ago: int = 0, tz: Any = None, naive: bool = True) -> _dt.datetime:
        """The datetime ``ago`` bars back, in the feed's time zone unless ``tz`` is given."""
        return num2date(self._a[self._clk.idx + ago], tz or self._tzinfo(), naive)

    def date(self, ago: int = 0, tz: Any = None, naive: bool = True) -> _dt.date:
        return self.datetime(ago, tz, naive).date()

    def time(self, ago: int = 0, tz: Any = None, naive: bool = True) -> _dt.time:
        return self.datetime(ago, tz, naive).time()

    def dt(self, ago: int = 0) -> float:
        """Integer day part of the date number."""
        return math.trunc(self._a[self._clk.idx + ago])

    def tm(self, ago: int = 0) -> float:
        """Fractional (time of day) part of the date number."""
        v = self._a[self._clk.idx + ago]
        return v - math.trunc(v)

    def tm_raw(self, ago: int = 0) -> float:
        return self.tm(ago)

    # -- delayed and coupled views -------------------------------------------------------
    def __call__(self, ago: int | None = None, line: int = -1) -> Any:
        from .ops import LineCoupler, LineDelay

        if ago is None:
            return LineCoupler(self)
        return LineDelay(self, ago)

    def __repr__(self) -> str:
        owner = type(self._owner).__name__ if self._owner is not None else "-"
        return f"<LineBuffer {owner}.{self._name} len={len(self)}>"
