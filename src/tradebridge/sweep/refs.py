"""Names for classes that must reach other processes or machines.

A class from an importable module travels as ``module:qualname``; a class from a script,
``__main__`` or a file the CLI loaded travels as that file's source, executed once per worker.
Classes never travel pickled by value: cloudpickle's copy of a tradebridge class would carry
copies of the engine's module state (the line-owner stack) and build broken objects.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import types
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ClassRef"]

_LOADED: dict[str, types.ModuleType] = {}  # source modules executed in this process


def _importable(modname: str) -> bool:
    if modname == "__main__" or modname.startswith("_tradebridge_user_"):
        return False
    try:
        return importlib.util.find_spec(modname) is not None
    except (ImportError, ValueError):
        return False


def _lookup(module: Any, qualname: str) -> Any:
    """``module.<qualname>``, or None when any part is missing."""
    obj = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    return obj


@dataclass(frozen=True)
class ClassRef:
    """A top-level class by module name, or by its module's source when not importable."""

    module: str
    qualname: str
    source: str | None = field(default=None, repr=False)
    filename: str = "<strategy>"
    origin: str = ""  # the module it came from (still there in the caller and forked workers)

    @classmethod
    def of(cls, klass: type) -> ClassRef:
        """The reference that rebuilds ``klass`` in another process."""
        if "<locals>" in klass.__qualname__:
            raise ValueError(f"{klass.__qualname__}: define the class at module level so workers "
                             "can rebuild it")
        if _importable(klass.__module__):
            return cls(klass.__module__, klass.__qualname__)
        module = sys.modules.get(klass.__module__)
        try:
            source = inspect.getsource(module) if module is not None else None
        except (OSError, TypeError):
            source = None
        if source is None:
            raise ValueError(f"{klass.__qualname__}: its module {klass.__module__!r} is neither "
                             "importable nor backed by a source file")
        filename = getattr(module, "__file__", None) or "<strategy>"
        return cls(f"_tradebridge_shipped_{abs(hash(source))}", klass.__qualname__, source, filename,
                   klass.__module__)

    def resolve(self) -> type:
        """The class, importing or executing its module once per process."""
        if self.source is None:
            return _lookup(importlib.import_module(self.module), self.qualname)
        here = _lookup(sys.modules.get(self.origin), self.qualname)
        if isinstance(here, type):
            return here
        return _lookup(_LOADED.get(self.module) or self._execute(), self.qualname)

    def _execute(self) -> types.ModuleType:
        module = types.ModuleType(self.module)
        module.__file__ = self.filename
        sys.modules[self.module] = module
        exec(compile(self.source or "", self.filename, "exec"), module.__dict__)
        _LOADED[self.module] = module
        return module
