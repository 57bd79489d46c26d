"""What an optimization run hands back per strategy when ``optreturn=True``."""

from __future__ import annotations

from typing import Any

__all__ = ["OptReturn"]


class OptReturn:
    """A strategy's params and analyzers, light enough to cross a process boundary."""

    def __init__(self, params: Any, **kwargs: Any) -> None:
        self.p = self.params = params
        for key, val in kwargs.items():
            setattr(self, key, val)

    @classmethod
    def of(cls, strat: Any) -> OptReturn:
        """Detach a finished strategy's analyzers from the engine objects they point at."""
        for analyzer in strat.analyzers:
            analyzer._detach()
        return cls(strat.params, analyzers=strat.analyzers)

    def __repr__(self) -> str:
        return f"OptReturn({self.p!r})"
