"""Observer base: lines recorded once per strategy step (cash, value, trades, ...)."""

from __future__ import annotations

from typing import Any

from ..lines.buffer import NAN, LineBuffer
from ..lines.lineiterator import LineIterator, ObsType

__all__ = ["Observer", "sink_lines", "unsink_lines"]


class _SunkBuffer(LineBuffer):
    """An observer line the broker fills in batches (its deferred valuation): reading it
    has the broker write the bars still waiting first."""

    __slots__ = ()

    def _flush(self) -> None:
        self._owner._owner.broker.getvalue()

    def __getitem__(self, ago: int) -> float:
        self._flush()
        return LineBuffer.__getitem__(self, ago)

    def get(self, ago: int = 0, size: int = 1) -> Any:
        self._flush()
        return LineBuffer.get(self, ago, size)

    def getzero(self, idx: int = 0, size: int = 1) -> Any:
        self._flush()
        return LineBuffer.getzero(self, idx, size)

    def getzeroval(self, idx: int = 0) -> float:
        self._flush()
        return LineBuffer.getzeroval(self, idx)

    def __bool__(self) -> bool:
        self._flush()
        return LineBuffer.__bool__(self)

    def _array(self) -> Any:
        self._flush()
        return self._a

    array = property(_array, LineBuffer.array.fset)


def sink_lines(*lines: LineBuffer) -> None:
    """Mark observer lines as filled by the broker in batches (reads flush it first)."""
    for line in lines:
        line.__class__ = _SunkBuffer


def unsink_lines(*lines: LineBuffer) -> None:
    """Back to plain lines once the run is over."""
    for line in lines:
        if type(line) is _SunkBuffer:
            line.__class__ = LineBuffer


class Observer(LineIterator):
    """Runs after the strategy's next() on every step and records what it sees."""

    _ltype = ObsType
    csv = True
    plotinfo = dict(plot=False, subplot=True)
    _on_events = False  # True: next() only matters on steps with order/trade notifications
    _mindatas = None  # no datas given: all of the strategy's

    def _setclock(self) -> None:
        owner = self._owner
        self._base = owner
        self._make_lines(owner._oclk, 0)

    def _postinit(self) -> None:
        if self._owner is not None:
            self._owner._register(self)

    def prenext(self) -> None:
        self.next()

    def _obsnext(self) -> None:
        """One strategy step: make room for the new bar and record it."""
        n = self._clk.idx + 1
        for buf in self.lines:
            a = buf._a
            if len(a) < n:
                a.append(NAN)
        for child in self._children:
            child._next()
        self.next()

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass
