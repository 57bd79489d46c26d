"""Instruments the sandbox lists: contract, price rules, session, and the bar the orders see.

``BarView`` offers an instrument's current and previous bar through the small part of the data
API that tradebridge's ``Order`` and ``Matcher`` read (``close[0]``, ``datetime[0]``,
``datetime.date(0)``, ``p.sessionend``), so the sandbox matches with the backtest broker's code.
Times inside a view are date numbers in the exchange's local time, as a backtest data has them.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from tradebridge.utils.dates import date2num, num2date

from .events import Bar, Contract

__all__ = ["BarView", "Instrument", "default_instruments"]

_NAN = float("nan")


class _Series:
    """The current value (``[0]``) and the previous one (``[-1]``) of one bar field."""

    __slots__ = ("cur", "prev")

    def __init__(self, cur: float = _NAN) -> None:
        self.cur, self.prev = cur, _NAN

    def push(self, value: float) -> None:
        """Make ``value`` current; the current one becomes the previous."""
        self.prev, self.cur = self.cur, value

    def __getitem__(self, ago: int) -> float:
        if ago == 0:
            return self.cur
        if ago == -1:
            return self.prev
        raise IndexError(f"a sandbox bar keeps only [0] and [-1], not [{ago}]")


class _TimeSeries(_Series):
    """Date numbers, with the datetime/date accessors orders use."""

    __slots__ = ()

    def datetime(self, ago: int = 0) -> _dt.datetime:
        """The bar time as a naive local datetime."""
        return num2date(self[ago])

    def date(self, ago: int = 0) -> _dt.date:
        """The bar's local date."""
        return self.datetime(ago).date()


class BarView:
    """An instrument's last two bars, shaped like a data feed for orders and the matcher."""

    _tz = None
    _tzinput = None
    _compensate = None

    def __init__(self, sessionend: _dt.time, now: float = 0.0) -> None:
        self.p = SimpleNamespace(sessionend=sessionend)
        self.datetime = _TimeSeries(now)
        self.open, self.high, self.low = _Series(), _Series(), _Series()
        self.close, self.volume = _Series(), _Series(0.0)
        self.bars = 0

    def push(self, localnum: float, bar: Bar) -> None:
        """Advance to ``bar`` whose local time is the date number ``localnum``."""
        self.datetime.push(localnum)
        self.open.push(bar.open)
        self.high.push(bar.high)
        self.low.push(bar.low)
        self.close.push(bar.close)
        self.volume.push(bar.volume)
        self.bars += 1

    def __len__(self) -> int:
        return self.bars


@dataclass(slots=True)
class Instrument:
    """A listed contract with its tick size, session end (local time) and last bar."""

    contract: Contract
    min_tick: float = 0.01
    tz: str = "America/New_York"
    session_end: _dt.time = _dt.time(16, 0)
    view: BarView = field(init=False)
    last: Bar | None = field(init=False, default=None)
    prev: Bar | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.view = BarView(self.session_end)

    @property
    def symbol(self) -> str:
        """The name bars and orders use: the local symbol if any (EUR.USD), else the symbol."""
        return self.contract.local_symbol or self.contract.symbol

    @property
    def multiplier(self) -> float:
        """Contract multiplier (1 when the contract has none)."""
        return float(self.contract.multiplier or 1)

    @property
    def zone(self) -> ZoneInfo:
        """The exchange's time zone."""
        return ZoneInfo(self.tz)

    def localnum(self, when: _dt.datetime) -> float:
        """Date number of the aware time ``when`` in the exchange's local time."""
        return date2num(when.astimezone(self.zone).replace(tzinfo=None))

    def push(self, bar: Bar) -> None:
        """Make ``bar`` the current bar."""
        self.view.push(self.localnum(bar.time), bar)
        self.prev, self.last = self.last, bar

    def on_tick(self, price: float) -> bool:
        """Whether ``price`` is a whole number of ticks (IB error 110 otherwise)."""
        ticks = price / self.min_tick
        return math.isclose(ticks, round(ticks), rel_tol=0.0, abs_tol=1e-6)

    def session_end_after(self, localnum: float) -> float:
        """Local date number of the first session end at or after the local time ``localnum``."""
        local = num2date(localnum)
        end = _dt.datetime.combine(local.date(), self.session_end)
        if end < local:
            end += _dt.timedelta(days=1)
        return date2num(end)


def default_instruments() -> list[Instrument]:
    """The contracts the sandbox serves with no configuration: AAPL (SMART, USD) and EUR.USD."""
    return [
        Instrument(Contract(con_id=265598, symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD",
                            primary_exchange="NASDAQ", local_symbol="AAPL", trading_class="NMS"),
                   min_tick=0.01),
        Instrument(Contract(con_id=12087792, symbol="EUR", sec_type="CASH", exchange="IDEALPRO",
                            currency="USD", local_symbol="EUR.USD", trading_class="EUR.USD"),
                   min_tick=0.00005, session_end=_dt.time(17, 0)),
    ]
