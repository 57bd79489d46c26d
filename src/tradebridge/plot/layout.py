"""Which panels a strategy's figure has and what goes on each, from ``plotinfo``.

Order from the top, as backtrader draws it: observers with their own panel, then per data
the indicators marked ``plotabove``, the data's price panel (with indicators and observers
that plot over it), and the indicators in their own panels below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..feeds.base import AbstractDataBase
from ..indicators.base import Indicator
from ..lines.buffer import LineBuffer

__all__ = ["Panel", "build_panels"]


@dataclass(eq=False)
class Panel:
    """One axes: its main object (a data, indicator or observer) and what plots over it."""

    owner: Any
    kind: str  # "data", "indicator" or "observer"
    overlays: list[Any] = field(default_factory=list)

    @property
    def datas(self) -> list[Any]:
        """Datas drawn as prices here: the owner and datas whose plotmaster is the owner."""
        return [self.owner] + [o for o in self.overlays if isinstance(o, AbstractDataBase)]


def _info(obj: Any, name: str, default: Any = None) -> Any:
    return getattr(getattr(obj, "plotinfo", None), name, default)


def plotted(obj: Any) -> bool:
    """True when ``plotinfo`` asks for the object to be drawn."""
    return bool(_info(obj, "plot", True)) and not _info(obj, "plotskip", False)


def feed_of(obj: Any) -> Any:
    """The data feed an indicator/observer/line is ultimately computed from (or None)."""
    seen = 0
    while obj is not None and seen < 64:
        if isinstance(obj, AbstractDataBase):
            return obj
        obj = obj._owner if isinstance(obj, LineBuffer) else getattr(obj, "data", None)
        seen += 1
    return None


def build_panels(strategy: Any) -> list[Panel]:
    """The panels of one strategy's figure, top to bottom."""
    datas = [d for d in strategy.datas if plotted(d)]
    data_panel: dict[int, Panel] = {}
    for d in datas:
        master = _info(d, "plotmaster")
        if master is not None and id(master) in data_panel:
            data_panel[id(master)].overlays.append(d)
            data_panel[id(d)] = data_panel[id(master)]
        else:
            data_panel[id(d)] = Panel(d, "data")
    above: dict[int, list[Panel]] = {id(p): [] for p in data_panel.values()}
    below: dict[int, list[Panel]] = {id(p): [] for p in data_panel.values()}
    own: dict[int, Panel] = {}
    top: list[Panel] = []
    home = _homes(data_panel, datas)
    for obs in strategy._observers:
        if not plotted(obs):
            continue
        if _info(obs, "subplot", True) and _info(obs, "plotmaster") is None:
            top.append(Panel(obs, "observer"))
        else:
            _host_panel(obs, own, home).overlays.append(obs)
    indicators = [i for i in strategy._children if isinstance(i, Indicator) and plotted(i)]
    for ind in indicators:
        if _info(ind, "subplot", True) and _info(ind, "plotmaster") is None:
            panel = own[id(ind)] = Panel(ind, "indicator")
            dpanel = home(ind)
            (above if _info(ind, "plotabove", False) else below)[id(dpanel)].append(panel)
    for ind in indicators:
        if id(ind) not in own:
            _host_panel(ind, own, home).overlays.append(ind)
    out = list(top)
    for panel in _unique(data_panel.values()):
        out += above[id(panel)] + [panel] + below[id(panel)]
    return out


def _homes(data_panel: dict[int, Panel], datas: list[Any]) -> Any:
    """A function: object -> the data panel it belongs under (its feed's, else the first)."""
    def home(obj: Any) -> Panel:
        feed = feed_of(obj)
        panel = data_panel.get(id(feed)) if feed is not None else None
        return panel if panel is not None else data_panel[id(datas[0])]
    return home


def _host_panel(obj: Any, own: dict[int, Panel], home: Any) -> Panel:
    """The panel an overlay draws on: its plotmaster's or data's panel, following overlays."""
    target = _info(obj, "plotmaster") or getattr(obj, "data", None)
    for _ in range(64):
        if isinstance(target, LineBuffer):
            target = target._owner
        if target is None or isinstance(target, AbstractDataBase):
            break
        if id(target) in own:
            return own[id(target)]
        target = _info(target, "plotmaster") or getattr(target, "data", None)
    return home(target if target is not None else obj)


def _unique(panels: Any) -> list[Panel]:
    seen: set[int] = set()
    out = []
    for p in panels:
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return out
