"""A minimal data object offering exactly the public data API an order reads."""

from __future__ import annotations

import datetime as dt

from tradebridge.utils.dates import date2num, num2date


class _Line:
    def __init__(self, values):
        self.values = list(values)
        self.idx = 0

    def __getitem__(self, ago):
        return self.values[self.idx + ago]


class _DateLine(_Line):
    def datetime(self, ago=0):
        return num2date(self[ago])

    def date(self, ago=0):
        return self.datetime(ago).date()


class _P:
    sessionend = dt.time(23, 59, 59, 999990)


class FakeData:
    """Bars given as (datetime, open, high, low, close, volume); ``advance()`` steps on."""

    def __init__(self, bars, name="d0"):
        self.datetime = _DateLine(date2num(b[0]) for b in bars)
        self.open, self.high, self.low, self.close, self.volume = (
            _Line(b[i] for b in bars) for i in range(1, 6))
        self._name = name
        self._compensate = None
        self.p = _P()
        self._lines = (self.datetime, self.open, self.high, self.low, self.close, self.volume)

    @staticmethod
    def date2num(value):
        return date2num(value)

    def advance(self):
        for line in self._lines:
            line.idx += 1

    def __len__(self):
        return self.datetime.idx + 1


def daily(n=10, start=dt.datetime(2020, 1, 1), price=100.0):
    """``n`` simple daily bars rising by 1 each day."""
    return FakeData([(start + dt.timedelta(days=i), price + i, price + i + 2, price + i - 2,
                      price + i + 1, 1000.0) for i in range(n)])
