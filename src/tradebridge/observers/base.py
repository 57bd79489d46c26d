"""Observer base: lines recorded once per strategy step (cash, value, trades, ...)."""

from __future__ import annotations

from ..lines.buffer import NAN
from ..lines.lineiterator import LineIterator, ObsType

__all__ = ["Observer"]


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
