"""A progress bar for long runs: tqdm on an interactive stderr, silent everywhere else.

The engine calls ``update`` every step; the call only counts, and the bar is redrawn once
every ``every`` steps so the per-step cost stays a few nanoseconds.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

__all__ = ["Progress"]


def _tqdm_factory() -> Any:
    """tqdm's class when the package is installed, else None."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


class Progress:
    """Counts steps toward ``total``; draws a tqdm bar when ``enabled`` (default: stderr is a tty)."""

    def __init__(self, total: int | None, desc: str = "backtest", every: int = 1000,
                 enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.total = total
        self.every = max(1, int(every))
        self.count = 0
        self._drawn = 0
        stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = bool(getattr(stream, "isatty", lambda: False)())
        factory = _tqdm_factory() if enabled else None
        self._bar = factory(total=total, desc=desc, file=stream, unit="bar",
                            leave=False, dynamic_ncols=True) if factory else None

    @property
    def active(self) -> bool:
        """True when a bar is being drawn."""
        return self._bar is not None

    def update(self, n: int = 1) -> None:
        """Count ``n`` more steps; redraw when ``every`` steps have passed since the last draw."""
        self.count += n
        if self._bar is not None and self.count - self._drawn >= self.every:
            self._bar.update(self.count - self._drawn)
            self._drawn = self.count

    def close(self) -> None:
        """Draw the final count and remove the bar."""
        if self._bar is not None:
            self._bar.update(self.count - self._drawn)
            self._drawn = self.count
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
