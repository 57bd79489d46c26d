"""A live rig for tests: a LoopbackBroker on real feeds, a LoopbackVenue thread, a real inbox and journal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tradebridge.feeds.pandafeed import PandasData
from tradebridge.live import Inbox
from tradebridge.live.loopback import LoopbackBroker, LoopbackVenue
from tradebridge.utils.synthetic import synthetic_ohlcv

CASH = 100_000.0


def frames(n: int = 80) -> dict[str, Any]:
    """Bars of two instruments."""
    return {"AAA": synthetic_ohlcv(n, seed=3), "BBB": synthetic_ohlcv(n, seed=4)}


class Rig:
    """Engine side (feeds, broker, inbox) stepped in lockstep with the venue's bars."""

    def __init__(self, path: Path, venue: LoopbackVenue | None = None, n: int = 80,
                 venue_commission: float = 0.001, account_updates: bool = False, **broker_kw: Any) -> None:
        self.frames = frames(n)
        self.venue = venue or LoopbackVenue(self.frames, cash=CASH, commission=venue_commission,
                                             account_updates=account_updates)
        self.path = path
        self.broker_kw = broker_kw
        self.bars = 0
        self.notes: list[Any] = []
        self.open_broker()

    def open_broker(self) -> None:
        """A new broker process on the journal, with feeds at the venue's bar, connected."""
        self.datas = {}
        for name, frame in self.frames.items():
            data = PandasData(dataname=frame, name=name)
            data._start()
            data.preload()
            for _ in range(self.bars):
                data.advance()
            self.datas[name] = data
        self.broker = LoopbackBroker(venue=self.venue, journal=self.path, cash=CASH, **self.broker_kw)
        for data in self.datas.values():
            self.broker.register_data(data)
        self.broker.start()
        self.inbox = Inbox()
        self.broker.attach_inbox(self.inbox)
        self.pump()

    def pump(self) -> None:
        """Let the venue finish, then apply every event on this (the engine) thread."""
        self.venue.sync()
        for event in self.inbox.drain(0):
            event.source.on_event(event)
        while (note := self.broker.get_notification()) is not None:
            self.notes.append(note)

    def bar(self, count: int = 1) -> None:
        """The next bar(s), at the venue and here."""
        for _ in range(count):
            self.venue.step()
            self.venue.sync()
            self.bars += 1
            for data in self.datas.values():
                data.advance()
            self.pump()

    def statuses(self, order: Any) -> list[str]:
        """Every status the strategy was told for ``order``."""
        return [n.getstatusname() for n in self.notes if n.ref == order.ref]

    def reconnect(self) -> None:
        """Connect again after a drop: the venue sends its snapshot."""
        self.venue.connect(self.inbox, self.broker)
        self.pump()

    def close(self) -> None:
        self.broker.stop()
        self.venue.close()
