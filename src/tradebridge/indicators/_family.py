"""One indicator class per registered moving average (``SMAEnvelope``, ``EMAOscillator``, ...),
built from ``MovingAverage``'s registry the way backtrader names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import compound_averages  # noqa: F401  (registers its averages in MovingAverage)
from .averages import MovingAverage, MovingAverageBase

__all__ = ["per_average"]


def registered_averages() -> list[Any]:
    """Every registered moving average once (the base aside), by class name."""
    seen = {id(c): c for c in vars(MovingAverage).values()
            if isinstance(c, type) and issubclass(c, MovingAverageBase) and c is not MovingAverageBase}
    return sorted(seen.values(), key=lambda c: c.__name__)


def _init_for(macls: Any, keys: list[str]) -> Callable[[Any], None]:
    """``__init__`` that builds ``macls`` on the data with the instance's params and hands it
    to the class's ``_around``."""
    def __init__(self: Any) -> None:  # noqa: N807
        self._around(macls(self.data, **{k: getattr(self.p, k) for k in keys}))

    return __init__


def per_average(base: type, suffixes: tuple[str, ...], extra_lines: tuple[str, ...] = (),
                extra_params: tuple[tuple[str, Any], ...] = ()) -> list[type]:
    """Subclasses of ``base``, one per moving average: named ``<MA><suffixes[0]>``, aliased by
    every other ``<name or alias><suffix>``; params the average's then ``extra_params``; lines
    the average's first then ``extra_lines``. ``base._around(ma)`` defines the lines."""
    out = []
    for macls in registered_averages():
        ma_params = [(k, v) for k, v in macls.params._getitems()]
        names = [n + s for n in (macls.__name__, *macls.__dict__.get("alias", ())) for s in suffixes]
        ns = {
            "__init__": _init_for(macls, [k for k, _ in ma_params]),
            "__doc__": f"{macls.__name__} as a {suffixes[0].lower()} ({base.__name__}).",
            "__module__": base.__module__,
            "lines": (macls._line_names[0], *extra_lines),
            "params": (*ma_params, *extra_params),
            "alias": tuple(names[1:]),
        }
        out.append(type(names[0], (base,), ns))
    return out
