"""Declarative ``params`` / ``plotinfo`` blocks, merged along the class hierarchy.

A class says ``params = (('period', 30),)`` or ``params = dict(period=30)``; subclasses
add to or override their parents'. Instances read ``self.p.period``. Built with
``__init_subclass__`` and plain classes; no metaclass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["AutoInfo", "ParamsMixin", "merge_decl", "normalize_decl"]


def normalize_decl(decl: Any) -> dict[str, Any]:
    """Turn a params declaration (tuple of pairs, dict, or AutoInfo class) into a dict."""
    if decl is None:
        return {}
    if isinstance(decl, type) and issubclass(decl, AutoInfo):
        return dict(decl._defaults)
    if isinstance(decl, Mapping):
        return dict(decl)
    out: dict[str, Any] = {}
    for item in decl:
        if isinstance(item, str):
            out[item] = None
        else:
            key, value = item[0], item[1] if len(item) > 1 else None
            out[key] = value
    return out


class AutoInfo:
    """Holds a block's values as attributes; the class knows the defaults."""

    _defaults: dict[str, Any] = {}

    def __init__(self, **values: Any) -> None:
        d = self.__dict__
        d.update(self._defaults)
        d.update(values)

    @classmethod
    def _derive(cls, name: str, extra: Mapping[str, Any]) -> type[AutoInfo]:
        defaults = dict(cls._defaults)
        defaults.update(extra)
        return type(name, (cls,), {"_defaults": defaults})

    @classmethod
    def _getpairs(cls) -> dict[str, Any]:
        return dict(cls._defaults)

    @classmethod
    def _getkeys(cls) -> list[str]:
        return list(cls._defaults)

    @classmethod
    def _getdefaults(cls) -> list[Any]:
        return list(cls._defaults.values())

    @classmethod
    def _gettuple(cls) -> tuple[tuple[str, Any], ...]:
        return tuple(cls._defaults.items())

    @classmethod
    def _getitems(cls) -> list[tuple[str, Any]]:
        return list(cls._defaults.items())

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        known = ", ".join(self._defaults) or "none"
        raise AttributeError(f"{type(self).__name__} has no param {name!r} (params: {known})")

    def _get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)

    @classmethod
    def _getdefault(cls, name: str) -> Any:
        return cls._defaults[name]

    @classmethod
    def _getkwargsdefault(cls) -> dict[str, Any]:
        return dict(cls._defaults)

    @classmethod
    def _getpairsbase(cls) -> dict[str, Any]:
        base = cls.__mro__[1]
        return dict(getattr(base, "_defaults", {}))

    @classmethod
    def _getrecurse(cls, name: str) -> Any:
        return cls._defaults.get(name)

    def _getkwargs(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self._defaults}

    def _getvalues(self) -> list[Any]:
        return [getattr(self, k) for k in self._defaults]

    def isdefault(self, name: str) -> bool:
        return getattr(self, name) == self._defaults[name]

    def notdefault(self, name: str) -> bool:
        return not self.isdefault(name)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def __contains__(self, name: str) -> bool:
        return hasattr(self, name)

    def __iter__(self) -> Iterable[str]:
        return iter(self._getkwargs())

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._defaults)
        return f"{type(self).__name__}({inner})"

    def __reduce__(self) -> tuple:
        # the class is made at run time, so it pickles as name + defaults + values
        return (_rebuild, (type(self).__name__, dict(self._defaults), dict(vars(self))))


def _rebuild(name: str, defaults: dict[str, Any], values: dict[str, Any]) -> AutoInfo:
    cls = type(name, (AutoInfo,), {"_defaults": defaults})
    obj = cls.__new__(cls)
    obj.__dict__.update(values)
    return obj


def merge_decl(cls: type, attr: str) -> None:
    """Replace a raw ``attr`` declaration on ``cls`` by an AutoInfo subclass merged with bases."""
    own = cls.__dict__.get(attr)
    base: type[AutoInfo] = AutoInfo
    for klass in cls.__mro__[1:]:
        found = klass.__dict__.get(attr)
        if found is not None and not isinstance(found, type) and hasattr(found, "__get__"):
            found = found.__get__(None, klass)  # a descriptor: its value on the class
        if isinstance(found, type) and issubclass(found, AutoInfo):
            base = found
            break
    if own is None:
        setattr(cls, attr, base._derive(f"{cls.__name__}_{attr}", {}))
    elif not (isinstance(own, type) and issubclass(own, AutoInfo) and own is not base):
        setattr(cls, attr, base._derive(f"{cls.__name__}_{attr}", normalize_decl(own)))


class ParamsMixin:
    """Gives a class backtrader-style ``params``; kwargs matching a param set it."""

    params: Any = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        merge_decl(cls, "params")

    def _take_params(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Consume the params among ``kwargs``; return what is left."""
        pcls = type(self).params
        defaults = pcls._defaults
        if kwargs.keys() <= defaults.keys():  # the common case: nothing but params
            self.params = self.p = pcls(**kwargs)
            return {}
        mine = {k: kwargs.pop(k) for k in list(kwargs) if k in defaults}
        self.params = self.p = pcls(**mine)
        return kwargs


merge_decl(ParamsMixin, "params")


def unknown_kwargs(func: Any, names: list[str]) -> list[str]:
    """Which of ``names`` ``func`` cannot take as keyword arguments."""
    import inspect

    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return []
    params = sig.parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return []
    ok = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return [n for n in names if n not in ok]


def unknown_param_error(obj: Any, name: str) -> TypeError:
    """The error for a keyword that is neither a param nor an ``__init__`` argument."""
    valid = ", ".join(type(obj).params._getkeys()) or "none"
    return TypeError(f"{type(obj).__name__}: unknown parameter {name!r} (valid params: {valid})")


class ParamsInitMixin(ParamsMixin):
    """ParamsMixin whose subclasses' ``__init__`` receive only the non-param kwargs."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_tb_wrapped", False):
            cls.__init__ = _wrap_params_init(init)  # type: ignore[method-assign]

    def __init__(self, **kwargs: Any) -> None:
        if "params" not in self.__dict__:
            rest = self._take_params(kwargs)
            if rest:
                raise unknown_param_error(self, next(iter(rest)))


def _wrap_params_init(init: Any) -> Any:
    import functools

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        if "params" not in self.__dict__:
            kwargs = self._take_params(kwargs)
            bad = unknown_kwargs(init, list(kwargs))
            if bad:
                raise unknown_param_error(self, bad[0])
        init(self, *args, **kwargs)

    __init__._tb_wrapped = True  # type: ignore[attr-defined]
    return __init__
