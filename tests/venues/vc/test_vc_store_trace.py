"""A session recorded through VCStore (``record=``) and replayed as its backend gives the same run."""

from __future__ import annotations

import json
from pathlib import Path

import vc_kit as kit
from vc_kit import ES, Script, bars_of, statuses_of

import tradebridge as bt
from tradebridge.venues.vc.store import VCStore
from tradebridge.venues.vc.trace import ReplayBackend


class _Replayed(bt.Strategy):
    """Sees what a replay delivers; stops after ``stop`` bars (nothing drives the market)."""

    params = (("stop", 0),)

    def __init__(self) -> None:
        self.log: list[tuple[str, object]] = []

    def notify_data(self, data, status, *args, **kwargs):
        self.log.append(("status", data._getstatusname(status)))

    def next(self):
        self.log.append(("bar", (self.data.datetime.datetime(0), self.data.open[0])))
        if len(self.data) >= self.p.stop:
            self.env.runstop()


def _cerebro(store: VCStore) -> bt.Cerebro:
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(store.getdata(dataname=ES, timeframe=bt.TimeFrame.Minutes, fromdate=kit.T0,
                                  usetimezones=False))
    return cerebro


def test_a_recorded_data_session_replays_to_the_same_bars_and_statuses(tmp_path: Path) -> None:
    path = tmp_path / "session.vctrace"
    fake = kit.fake(history=3)
    cerebro = _cerebro(VCStore(backend=fake, record=str(path)))
    bars = kit.live_bars(3, [103, 104, 105])
    cerebro.addstrategy(Script, fake=fake, bars=bars, steps={1: lambda s: s.outage(bars=1)})
    recorded = cerebro.run()[0]

    replay = ReplayBackend(path)
    cerebro = _cerebro(VCStore(backend=replay))
    cerebro.addstrategy(_Replayed, stop=6)
    replayed = cerebro.run()[0]

    assert bars_of(replayed.log) == bars_of(recorded.log) == [
        (kit.T0.replace(minute=i), 100.0 + i) for i in range(6)]
    assert statuses_of(replayed.log) == statuses_of(recorded.log)
    assert "CONNBROKEN" in statuses_of(replayed.log)
    assert replay.finished  # every recorded call was made again, every event delivered
    names = [json.loads(line).get("name") for line in path.read_text().splitlines()[1:]]
    assert {"OnNewDataSerieBar", "OnServerShutDown", "OnInternalEvent"} <= set(names)
