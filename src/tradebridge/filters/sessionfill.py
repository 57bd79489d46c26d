"""SessionFiller: insert bars for the missing intraday times inside the session."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..lines.params import ParamsInitMixin
from ..utils.timeframe import TimeFrame

__all__ = ["SessionFiller"]

_STEP = {
    TimeFrame.Minutes: _dt.timedelta(minutes=1),
    TimeFrame.Seconds: _dt.timedelta(seconds=1),
    TimeFrame.MicroSeconds: _dt.timedelta(microseconds=1),
}
_NO_SESSION = _dt.datetime.max


class SessionFiller(ParamsInitMixin):
    """Fill gaps between sessionstart and sessionend with flat bars at the previous close
    (or ``fill_price``), volume ``fill_vol`` and open interest ``fill_oi``; with
    ``skip_first_fill`` the very first session is not filled before its first bar."""

    params = (("fill_price", None), ("fill_vol", float("nan")), ("fill_oi", float("nan")),
              ("skip_first_fill", True))

    def __init__(self, data: Any) -> None:
        if data._timeframe not in _STEP:
            raise ValueError(f"SessionFiller: intraday data needed (minutes, seconds, "
                             f"microseconds), got {TimeFrame.getname(data._timeframe)}")
        self._frame = _STEP[data._timeframe]
        self._unit = self._frame * data._compression
        self._seen = False
        self._sessend = _NO_SESSION
        self._prev = _NO_SESSION

    def __call__(self, data: Any) -> bool:
        """Push fill bars (and the current bar after them) onto the feed's stack."""
        ret = False
        now = data.lines.datetime.datetime()
        if now > self._sessend:  # a new session: fill the end of the previous one
            ret = self._fill(data, self._prev, self._sessend + self._frame, tostack=False)
            self._sessend = _NO_SESSION
        if self._sessend == _NO_SESSION:
            day = now.date()
            start = _dt.datetime.combine(day, data.p.sessionstart)
            self._sessend = _dt.datetime.combine(day, data.p.sessionend)
            if start <= now <= self._sessend and (self._seen or not self.p.skip_first_fill):
                ret = self._fill(data, start - self._unit, now)
            self._seen = True
        else:
            ret = self._fill(data, self._prev, now)
        self._prev = now
        return ret

    def _fill(self, data: Any, after: _dt.datetime, before: _dt.datetime,
              tostack: bool = True) -> bool:
        """Stack one bar per missing step strictly between ``after`` and ``before``."""
        when = after + self._unit
        added = False
        while when < before:
            data._add2stack(self._flat_bar(data, when))
            added = True
            when += self._unit
        if added and tostack:
            data._save2stack(erase=True)
        return added or not tostack

    def _flat_bar(self, data: Any, when: _dt.datetime) -> list[float]:
        price = self.p.fill_price or data.lines.close[-1]
        bar = [line[0] for line in data.lines]
        bar[data.DateTime] = data.date2num(when)
        for i in (data.Open, data.High, data.Low, data.Close):
            bar[i] = price
        bar[data.Volume] = self.p.fill_vol
        bar[data.OpenInterest] = self.p.fill_oi
        return bar
