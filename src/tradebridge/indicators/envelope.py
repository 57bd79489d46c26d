"""Envelopes: bands ``perc`` percent above and below the data (``Envelope``) or below and
above any moving average (``SMAEnvelope``, ``EMAEnvelope``, ... one per moving average)."""

from __future__ import annotations

from typing import Any

from . import compound_averages  # noqa: F401  (registers its averages in MovingAverage)
from .averages import MovingAverage, MovingAverageBase
from .base import Indicator

__all__ = ["Envelope"]


class _EnvelopeBase(Indicator):
    """Bands around line 0: top = src * (1 + perc%), bot = src * (1 - perc%)."""

    params = (("perc", 2.5),)
    plotinfo = dict(subplot=False)

    def _bands(self, src: Any) -> None:
        perc = self.p.perc / 100.0
        self.lines.top = src * (1.0 + perc)
        self.lines.bot = src * (1.0 - perc)


class Envelope(_EnvelopeBase):
    """The data itself with bands ``perc`` percent above and below."""

    lines = ("src", "top", "bot")

    def __init__(self) -> None:
        self.lines.src = self.data
        self._bands(self.data)


def _ma_envelope(macls: type) -> type:
    """``<MA>Envelope``: the moving average ``macls`` with bands around it."""
    ma_params = [(k, v) for k, v in macls.params._getitems()]

    def __init__(self: Any) -> None:
        kwargs = {k: getattr(self.p, k) for k, _ in ma_params}
        ma = macls(self.data, **kwargs)
        self.lines[0] = ma
        self._bands(ma)

    ns = {
        "__init__": __init__, "__doc__": f"{macls.__name__} with bands ``perc`` percent around it.",
        "lines": (macls._line_names[0], "top", "bot"), "params": tuple(ma_params),
        "alias": tuple(f"{a}Envelope" for a in macls.__dict__.get("alias", ())),
        "__module__": __name__,
    }
    return type(f"{macls.__name__}Envelope", (_EnvelopeBase,), ns)


def _build() -> None:
    seen = {id(c): c for c in vars(MovingAverage).values()
            if isinstance(c, type) and issubclass(c, MovingAverageBase) and c is not MovingAverageBase}
    g = globals()
    for macls in sorted(seen.values(), key=lambda c: c.__name__):
        env = _ma_envelope(macls)
        g[env.__name__] = env
        __all__.append(env.__name__)


_build()
