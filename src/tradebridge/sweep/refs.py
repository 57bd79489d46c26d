"""Names for classes that must reach other processes or machines.

A class from an importable module travels as ``module:qualname``; a class from a script,
``__main__`` or a file the CLI loaded travels as that file's source, executed once per worker.
Classes never travel pickled by value: cloudpickle's copy of a tradebridge class would carry
copies of the engine's module state (the line-owner stack) and build broken objects.
"""

from __future__ import annotations

import hashlib
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
    """A class by module name, or by its module's source when not importable; in this process
    (and forked workers) the class itself, so even a class defined in a function works there."""

    module: str
    qualname: str
    source: str | None = field(default=None, repr=False)
    filename: str = "<strategy>"
    local: type | None = field(default=None, repr=False, compare=False)
    unshippable: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, klass: type) -> ClassRef:
        """The reference that rebuilds ``klass`` here or in another process."""
        name, qualname = klass.__module__, klass.__qualname__
        if "<locals>" in qualname:
            return cls(name, qualname, local=klass, unshippable=(
                f"{qualname}: define the class at module level so other processes can rebuild it"))
        if _importable(name):
            return cls(name, qualname, local=klass)
        module = sys.modules.get(name)
        try:
            source = inspect.getsource(module) if module is not None else None
        except (OSError, TypeError):
            source = None
        if source is None:
            return cls(name, qualname, local=klass, unshippable=(
                f"{qualname}: its module {name!r} is neither importable nor backed by a source file"))
        filename = getattr(module, "__file__", None) or "<strategy>"
        digest = hashlib.sha1(source.encode()).hexdigest()[:16]
        return cls(f"_tradebridge_shipped_{digest}", qualname, source, filename, local=klass)

    def __getstate__(self) -> dict[str, Any]:
        if self.unshippable:
            raise ValueError(self.unshippable)
        return {k: v for k, v in self.__dict__.items() if k != "local"}

    def resolve(self) -> type:
        """The class: the original here, else imported or rebuilt from source once per process."""
        if self.local is not None:
            return self.local
        if self.source is None:
            module = importlib.import_module(self.module)
        else:
            module = _LOADED.get(self.module) or self._execute()
        klass = _lookup(module, self.qualname)
        if not isinstance(klass, type):
            raise ImportError(f"{self.module} has no class {self.qualname}")
        return klass

    def _execute(self) -> types.ModuleType:
        module = types.ModuleType(self.module)
        module.__file__ = self.filename
        sys.modules[self.module] = module
        exec(compile(self.source or "", self.filename, "exec"), module.__dict__)
        _LOADED[self.module] = module
        return module
