"""LineSeries: an object that owns named lines (a feed, an indicator, a strategy).

``lines = ('sma',)`` declares lines; subclasses append theirs after the parents'.
``self.lines.sma``, ``self.l.sma``, ``self.sma`` and ``self.lines[0]`` are the same buffer.
"""

from __future__ import annotations

from typing import Any

from .buffer import Clock, LineBuffer
from .opsmixin import LineOpsMixin
from .params import ParamsMixin, merge_decl

__all__ = ["Lines", "LineSeries", "line0"]


class Lines:
    """The line container of a LineSeries; assigning a line expression binds it."""

    def __init__(self, owner: Any, buffers: list[LineBuffer], names: tuple[str, ...]) -> None:
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_buffers", buffers)
        object.__setattr__(self, "_names", names)
        for name, buf in zip(names, buffers):
            object.__setattr__(self, name, buf)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"{type(self._owner).__name__} has no line {name!r} "
                             f"(lines: {', '.join(self._names) or 'none'})")

    def __getitem__(self, i: int) -> LineBuffer:
        return self._buffers[i]

    def __setitem__(self, i: int, value: Any) -> None:
        self._owner._bind(value, self._buffers[i])

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._names:
            self._owner._bind(value, getattr(self, name))
        else:
            object.__setattr__(self, name, value)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._buffers)

    def __len__(self) -> int:
        return len(self._buffers[0]) if self._buffers else 0

    def size(self) -> int:
        return len(self._buffers)

    fullsize = size

    def extrasize(self) -> int:
        return 0

    def getlinealiases(self) -> tuple[str, ...]:
        return self._names

    def _getlinealias(self, i: int) -> str:
        return self._names[i]

    def _getlinealiases(self) -> tuple[str, ...]:
        return self._names

    def itersize(self):  # type: ignore[no-untyped-def]
        return iter(self._buffers)


# attribute names a line may not shadow (a line called ``p`` stays reachable as lines.p)
_RESERVED = frozenset(("p", "params", "lines", "l", "line", "data", "datas", "plotinfo",
                       "plotlines", "array"))


def line0(obj: Any) -> LineBuffer:
    """The line an object stands for in arithmetic: itself, or its first line."""
    if isinstance(obj, LineBuffer):
        return obj
    return obj.lines[0]


class LineSeries(ParamsMixin, LineOpsMixin):
    """Base of everything that owns lines."""

    lines: Any = ()
    _line_names: tuple[str, ...] = ()
    plotinfo: Any = dict(
        plot=True, subplot=True, plotname="", plotskip=False, plotabove=False, plotlinelabels=False,
        plotlinevalues=True, plotvaluetags=True, plotymargin=0.0, plotyhlines=[], plotyticks=[],
        plothlines=[], plotforce=False, plotmaster=None,
    )
    plotlines: Any = dict()
    _tz = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("lines")
        if own is not None and not isinstance(own, Lines):
            names = list(next(
                (k.__dict__["_line_names"] for k in cls.__mro__[1:] if "_line_names" in k.__dict__),
                ()))
            extra = [own] if isinstance(own, str) else list(own)
            for name in extra:
                if name not in names:
                    names.append(name)
            cls._line_names = tuple(names)
        merge_decl(cls, "plotinfo")
        merge_decl(cls, "plotlines")  # per line name: a subclass restyles some, keeps the rest

    def _make_lines(self, clk: Clock, size: int = 0) -> None:
        """Create this object's buffers on ``clk`` and expose them as attributes."""
        names = type(self)._line_names
        bufs = [LineBuffer(clk, self, name, size) for name in names]
        self.lines = self.l = Lines(self, bufs, names)
        self._clk = clk
        for name, buf in zip(names, bufs):
            if name not in _RESERVED:
                setattr(self, name, buf)
        if bufs:
            self.line = bufs[0]
        for i, buf in enumerate(bufs):
            setattr(self, f"line{i}", buf)
        self.plotinfo = type(self).plotinfo()
        self.plotlines = type(self).plotlines()

    def _bind(self, value: Any, dst: LineBuffer) -> None:
        raise TypeError(f"{type(self).__name__}: lines cannot be assigned here")

    # -- values of the first line ---------------------------------------------------------
    def __getitem__(self, ago: int) -> float:
        line = self.line0
        return line._a[line._clk.idx + ago]

    def __setitem__(self, ago: int, value: float) -> None:
        self.line0[ago] = value

    def __len__(self) -> int:
        return self._clk.idx + 1

    def __bool__(self) -> bool:
        return bool(self.line0[0])

    def get(self, ago: int = 0, size: int = 1) -> list[float]:
        return self.line0.get(ago, size)

    @property
    def array(self) -> list[float]:
        return self.line0.array

    def buflen(self) -> int:
        return self.line0.buflen() if self.lines.size() else 0

    @property
    def _line0(self) -> LineBuffer:
        return self.line0

    def __call__(self, ago: int | None = None, line: int = -1) -> Any:
        target = self.line0 if line == -1 else self.lines[line]
        return target(ago)

    def _getlinealias(self, i: int) -> str:
        return self._line_names[i]

    @classmethod
    def getlinealiases(cls) -> tuple[str, ...]:
        return cls._line_names


merge_decl(LineSeries, "plotinfo")
merge_decl(LineSeries, "plotlines")
