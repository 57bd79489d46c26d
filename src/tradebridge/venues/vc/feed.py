"""VCData: a Visual Chart data feed (bars or ticks), history first, then live, on the live engine.

``dataname`` is the symbol as Visual Chart shows it (``"001ES"``, ``"015ES"``, ``"096.DJI"``);
``tradename`` the symbol orders go to when the data is a continuous future. Bars come from a
Visual Chart data serie (``OnNewDataSerieBar``); with ``timeframe=Ticks`` (or Seconds and below,
which Visual Chart does not serve: resample the ticks) the history comes from a tick serie and
the live ticks from the real-time feed (``OnNewTicks``). Times are turned into UTC with the
market's time zone (``usetimezones``) and shown in it unless ``tz`` says otherwise; ``fromdate``
and ``todate`` are market time too (as Visual Chart takes them) unless ``tzinput`` says otherwise.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from ...feeds.live import LiveDataBase
from .marketdata import data_spec

if TYPE_CHECKING:
    from .store import VCStore

__all__ = ["VCData"]


class VCData(LiveDataBase):
    """backtrader's VCData params: ``qcheck``, ``historical``, ``millisecond``, ``tradename``,
    ``usetimezones`` (plus the live ones of :class:`~tradebridge.feeds.live.LiveDataBase`)."""

    params: Any = (
        ("qcheck", 0.5),  # accepted for compatibility: the engine sleeps until exact deadlines
        ("historical", False),  # only the history (fromdate..todate), then the data ends
        ("millisecond", True),  # give back the millisecond Visual Chart takes off bar stamps
        ("tradename", None),  # the symbol orders go to (a real future for a continuous one)
        ("usetimezones", True),  # market time zones from the symbol's market code
    )

    def __init__(self, *, store: VCStore | None = None) -> None:
        super().__init__()
        p = self.p
        self.spec = data_spec(p.dataname, p.tradename, p.timeframe, p.compression, p.usetimezones)
        if p.tz is None and self.spec.display_timezone is not None:
            self._tz = cast(Any, ZoneInfo(self.spec.display_timezone))
        if p.tzinput is None and self.spec.timezone is not None:  # fromdate/todate are market time
            self._tzinput = cast(Any, ZoneInfo(self.spec.timezone))
        if store is None:
            from .store import VCStore

            store = VCStore()  # Visual Chart itself: on Linux/macOS this raises VCUnavailableError
        self.vcstore: VCStore = store
        self._store = cast(Any, store)

    @property
    def tradename(self) -> str:
        """The symbol orders for this data go to."""
        return self.spec.tradename

    def history_range(self, now: _dt.datetime) -> tuple[_dt.datetime, _dt.datetime | None]:
        """``(start, end)`` of the history to ask for; ``now`` naive. Only whole dates are passed on
        as dates: a time of day would make Visual Chart filter every day from that time."""
        p = self.p
        start = _naive(p.fromdate) if p.fromdate is not None else now - self.spec.backfill
        end = _naive(p.todate) if p.historical and p.todate is not None else None
        return start, end

    def _subscribe(self) -> None:
        self.vcstore.subscribe(self)

    def _unsubscribe(self) -> None:
        self.vcstore.unsubscribe(self)

    def __repr__(self) -> str:
        return f"<VCData {self.spec.symbol}>"


def _naive(value: Any) -> _dt.datetime:
    """A fromdate/todate as a naive datetime (a date at midnight; an aware one in UTC)."""
    if isinstance(value, _dt.datetime):
        return value.astimezone(_dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, _dt.date):
        return _dt.datetime.combine(value, _dt.time())
    from ...utils.dates import num2date

    return num2date(float(value))
