"""Base class giving the order math classes backtrader-style ``params`` and strict kwargs."""

from __future__ import annotations

from typing import Any

from tradebridge.lines.params import ParamsMixin

__all__ = ["Parametrized"]


class Parametrized(ParamsMixin):
    """Takes its declared params from kwargs; an unknown kwarg is a TypeError naming it."""

    def __init__(self, **kwargs: Any) -> None:
        left = self._take_params(kwargs)
        if left:
            names = ", ".join(sorted(left))
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s): {names}")
