"""Analyzer base: reads the strategy's notifications and bars, reports ``get_analysis()``.

Analyzers created inside another analyzer's ``__init__`` become its children and are
driven first, as in backtrader.
"""

from __future__ import annotations

import pprint as _pprint
from collections import OrderedDict
from typing import Any

from ..lines.lineiterator import Built, TradingHooks, bind_datas, current_owner, split_datas
from ..lines.params import ParamsMixin

__all__ = ["Analyzer", "next_call", "step_analyzers"]


class Analyzer(Built, TradingHooks, ParamsMixin):
    """Base class of analyzers (backtrader's ``bt.Analyzer``)."""

    csv = True
    _parent: Any = None

    def _preinit(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        owner = kwargs.pop("_owner", None)
        if owner is None:
            owner = current_owner()
        if isinstance(owner, Analyzer):
            self._parent = owner
            self.strategy = owner.strategy
        else:
            self.strategy = owner
        self._owner = self.strategy
        kwargs = self._take_params(kwargs)
        datas, args = split_datas(args)
        if not datas and self.strategy is not None:
            datas = list(self.strategy.datas)
        bind_datas(self, datas)
        self._children: list[Analyzer] = []
        self.create_analysis()  # before __init__, so __init__ may already write rets
        return args, kwargs

    def _postinit(self) -> None:
        if self._parent is not None:
            self._parent._children.append(self)

    def __len__(self) -> int:
        return len(self.strategy)

    # -- engine side ------------------------------------------------------------------------------
    def _start(self) -> None:
        for child in self._children:
            child._start()
        self.start()

    def _stop(self) -> None:
        for child in self._children:
            child._stop()
        self.stop()

    def _prenext(self) -> None:
        for child in self._children:
            child._prenext()
        self.prenext()

    def _nextstart(self) -> None:
        for child in self._children:
            child._nextstart()
        self.nextstart()

    def _next(self) -> None:
        for child in self._children:
            child._next()
        self.next()

    def _notify_order(self, order: Any) -> None:
        for child in self._children:
            child._notify_order(order)
        self.notify_order(order)

    def _notify_trade(self, trade: Any) -> None:
        for child in self._children:
            child._notify_trade(trade)
        self.notify_trade(trade)

    def _notify_cashvalue(self, cash: float, value: float) -> None:
        for child in self._children:
            child._notify_cashvalue(cash, value)
        self.notify_cashvalue(cash, value)

    def _notify_fund(self, cash: float, value: float, fundvalue: float, shares: float) -> None:
        for child in self._children:
            child._notify_fund(cash, value, fundvalue, shares)
        self.notify_fund(cash, value, fundvalue, shares)

    def _listens_cash(self) -> bool:
        """Whether this analyzer or a child overrides notify_cashvalue/notify_fund (the
        strategy skips the per-bar call for analyzers that do not)."""
        cls = type(self)
        own = (cls.notify_cashvalue is not Analyzer.notify_cashvalue
               or cls.notify_fund is not Analyzer.notify_fund
               or cls._notify_cashvalue is not Analyzer._notify_cashvalue
               or cls._notify_fund is not Analyzer._notify_fund)
        return own or any(child._listens_cash() for child in self._children)

    def _detach(self) -> None:
        """Drop references to engine objects so the analysis can be pickled."""
        for child in self._children:
            child._detach()
        self.strategy = self._owner = self._parent = None
        for name in [k for k in vars(self) if k.startswith("data")]:
            setattr(self, name, None)

    # -- user hooks -------------------------------------------------------------------------------
    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def prenext(self) -> None:
        self.next()

    def nextstart(self) -> None:
        self.next()

    def next(self) -> None:
        pass

    def create_analysis(self) -> None:
        self.rets: Any = OrderedDict()

    def get_analysis(self) -> Any:
        return self.rets

    def print(self, *args: Any, **kwargs: Any) -> None:
        """Print the analysis through a ``WriterFile`` built with these arguments (stdout by
        default; ``rounding=2``, ``out=...``), as backtrader does."""
        from ..writer import WriterFile

        writer = WriterFile(*args, **kwargs)
        writer.start()
        writer.writedict({type(self).__name__: self.get_analysis()})
        writer.stop()

    def pprint(self, *args: Any, **kwargs: Any) -> None:
        _pprint.pprint(self.get_analysis(), *args, **kwargs)


def step_analyzers(analyzers: list[Analyzer], status: int) -> None:
    """One strategy step for ``analyzers``: next, nextstart or prenext as the strategy's
    minimum-period status (<0, 0, >0) says."""
    for analyzer in analyzers:
        if status < 0:
            analyzer._next()
        elif status == 0:
            analyzer._nextstart()
        else:
            analyzer._prenext()  # type: ignore[method-assign]


def next_call(analyzer: Analyzer) -> Any:
    """What steps ``analyzer`` once every data is past its minimum period: its own ``next``
    when nothing wraps it (no children, the base ``_next``), else its ``_next``."""
    if not analyzer._children and type(analyzer)._next is Analyzer._next:
        return analyzer.next
    return analyzer._next

