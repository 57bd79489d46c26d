"""Built-in indicators with backtrader's class names and aliases (``bt.ind.SMA``).

Every module of this package lists its indicators in ``__all__``; each is published
here under its name and each of its ``alias`` names.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..lines.ops import All, And, Any, Cmp, CmpEx, DivByZero, DivZeroByZero, If, Max, Min, Or, Sum
from .base import Indicator

__all__ = ["All", "And", "Any", "Cmp", "CmpEx", "DivByZero", "DivZeroByZero", "If",
           "Indicator", "Max", "Min", "Or", "Sum"]


def _export() -> None:
    g = globals()
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            for alias in (name, *vars(obj).get("alias", ())):
                g[alias] = obj
                if alias not in __all__:
                    __all__.append(alias)


_export()
