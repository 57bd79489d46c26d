"""Chainer: several feeds delivered one after the other as one (``cerebro.chaindata``)."""

from __future__ import annotations

from typing import Any

from .base import DataBase

__all__ = ["Chainer"]


class Chainer(DataBase):
    """Bars of each feed in turn; a bar not later than the last delivered one is skipped,
    so overlapping files (e.g. yearly exports) chain without duplicates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._args = args
        if args:
            self._timeframe = args[0]._timeframe
            self._compression = args[0]._compression

    def islive(self) -> bool:
        """As in backtrader: reported live so that the engine loads it bar by bar."""
        return True

    def start(self) -> None:
        for d in self._args:
            d.setenvironment(self.getenvironment())
            d._start()
        self._pending = list(self._args)
        self._d = self._pending.pop(0) if self._pending else None
        self._lastdt = -float("inf")

    def stop(self) -> None:
        for d in self._args:
            d.stop()

    def get_notifications(self) -> list[tuple[int, tuple, dict]]:
        return [] if self._d is None else self._d.get_notifications()

    def _load(self) -> bool:
        while self._d is not None:
            d = self._d
            if not d.next():
                self._d = self._pending.pop(0) if self._pending else None
                continue
            dt = d.lines.datetime[0]
            if dt <= self._lastdt:
                continue
            self._lastdt = dt
            for dst, src in zip(self.lines, d.lines):
                dst[0] = src[0]
            return True
        return False
