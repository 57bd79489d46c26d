"""Session filters: drop intraday bars outside the feed's sessionstart..sessionend."""

from __future__ import annotations

from typing import Any

__all__ = ["SessionFilter", "SessionFilterSimple"]


def _outside_session(data: Any) -> bool:
    p = data.p
    return not (p.sessionstart <= data.lines.datetime.time(0) <= p.sessionend)


class SessionFilter:
    """A filter (``data.addfilter``) removing bars outside the session (pre/post market)."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def __call__(self, data: Any) -> bool:
        """True when the bar was removed."""
        if not _outside_session(data):
            return False
        data.backwards(force=False)
        return True


class SessionFilterSimple:
    """The same as a simple filter (``data.addfilter_simple``): True flags a bar to drop."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def __call__(self, data: Any) -> bool:
        return _outside_session(data)
