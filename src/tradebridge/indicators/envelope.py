"""Envelopes: bands ``perc`` percent above and below the data (``Envelope``) or below and
above any moving average (``SMAEnvelope``, ``EMAEnvelope``, ... one per moving average)."""

from __future__ import annotations

from typing import Any

from ._family import per_average
from .base import Indicator

__all__ = ["Envelope", "EnvelopeMixIn"]

_PERC = (("perc", 2.5),)


class EnvelopeMixIn(Indicator):
    """Base of the envelopes: line 0 with top = line * (1 + perc%) and bot = line * (1 - perc%)."""

    plotinfo = dict(subplot=False)
    plotlines = dict(top=dict(_samecolor=True), bot=dict(_samecolor=True))

    def _around(self, src: Any) -> None:
        perc = self.p.perc / 100.0
        self.lines[0] = src
        self.lines.top = src * (1.0 + perc)
        self.lines.bot = src * (1.0 - perc)


class Envelope(EnvelopeMixIn):
    """The data itself with bands ``perc`` percent above and below."""

    lines = ("src", "top", "bot")
    params = _PERC
    plotlines = dict(src=dict(_plotskip=True))

    def __init__(self) -> None:
        self._around(self.data)


for _cls in per_average(EnvelopeMixIn, ("Envelope",), ("top", "bot"), _PERC):
    globals()[_cls.__name__] = _cls
    __all__.append(_cls.__name__)
