"""Helpers for the sandbox exchange tests: times, bars, contracts, event filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tradebridge.venues.ib.sandbox.events import Bar, Contract, OrderRequest
from tradebridge.venues.ib.sandbox.exchange import Exchange

__all__ = ["AAPL", "EURUSD", "T0", "at", "bar", "kinds", "of", "order", "place", "run_bars"]

AAPL = Contract(0, "AAPL", "STK", "SMART", "USD")
EURUSD = Contract(0, "EUR", "CASH", "IDEALPRO", "USD")
T0 = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York


def at(minutes: int) -> dt.datetime:
    """T0 plus ``minutes``."""
    return T0 + dt.timedelta(minutes=minutes)


def bar(minute: int, o: float, h: float, low: float, c: float, v: float = 1000.0) -> Bar:
    """A bar ``minute`` minutes after T0."""
    return Bar(at(minute), o, h, low, c, v)


def order(action: str, qty: float, kind: str = "MKT", **fields: Any) -> OrderRequest:
    """An OrderRequest with IB's field names in snake case."""
    return OrderRequest(action, qty, kind, **fields)


def place(ex: Exchange, oid: int, req: OrderRequest, client: int = 1, contract: Contract = AAPL) -> list:
    """Place ``req`` as order ``oid`` of ``client``."""
    return ex.place(client, oid, contract, req)


def run_bars(ex: Exchange, rows: list[tuple], symbol: str = "AAPL", start: int = 1) -> list:
    """Feed ``rows`` of (o, h, l, c[, v]) as consecutive minute bars; all events."""
    out: list = []
    for i, row in enumerate(rows):
        out += ex.on_bar(symbol, bar(start + i, *row))
    return out


def of(events: list, cls: type) -> list:
    """The events of one class."""
    return [e for e in events if isinstance(e, cls)]


def kinds(events: list) -> list[str]:
    """Class names of ``events``, in order."""
    return [type(e).__name__ for e in events]
