"""Base classes for the order math: backtrader-style ``params`` with strict kwargs, and a
cheap shallow copy (orders and trades are copied for every notification)."""

from __future__ import annotations

from typing import Any

from tradebridge.lines.params import ParamsMixin, unknown_param_error

__all__ = ["FastCopy", "Parametrized"]


class FastCopy:
    """``copy.copy`` by duplicating ``__dict__``: several times faster than ``__reduce_ex__``."""

    def __copy__(self) -> Any:
        obj = object.__new__(type(self))
        obj.__dict__ = self.__dict__.copy()  # a dict copy is ~3x faster than update()
        return obj


class Parametrized(ParamsMixin):
    """Takes its declared params from kwargs; an unknown kwarg is a TypeError naming it."""

    def __init__(self, **kwargs: Any) -> None:
        left = self._take_params(kwargs)
        if left:
            raise unknown_param_error(self, sorted(left)[0])
