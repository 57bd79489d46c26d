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
        self.stores: list[object] = []

    def notify_store(self, msg, *args, **kwargs):
        self.stores.append(msg)

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
    records = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert {"OnNewDataSerieBar", "OnServerShutDown", "OnInternalEvent"} <= {r.get("name") for r in records}
    assert "trader" not in {r.get("target") for r in records}  # no broker: the Trader is never touched


class _ReplayedOrders(_Replayed):
    """Sends the recorded run's orders on the same bars and records what happens to them."""

    params = (("steps", {}), ("history", 3))

    def __init__(self) -> None:
        super().__init__()
        self.orders: list[tuple[str, float, float]] = []

    def notify_order(self, order):
        self.orders.append((order.getstatusname(), order.executed.size, order.executed.price))

    def next(self):
        step = self.p.steps.get(len(self.data) - self.p.history)
        if step is not None:
            step(self)
        super().next()


def test_a_recorded_trading_session_replays_to_the_same_orders_fills_and_cash(tmp_path: Path) -> None:
    import shutil

    from tradebridge.live import Journal

    recorded_journal, replayed_journal = tmp_path / "rec.sqlite", tmp_path / "rep.sqlite"
    Journal(recorded_journal).close()  # the same journal session, so the same client order ids
    shutil.copy(recorded_journal, replayed_journal)
    path = tmp_path / "trading.vctrace"
    fake = kit.fake(history=3, liquidity=1)
    steps = {0: lambda s: s.buy(size=2), 2: lambda s: s.sell(size=2)}

    store = VCStore(backend=fake, record=str(path))
    cerebro = _cerebro(store)
    cerebro.setbroker(store.getbroker(journal=str(recorded_journal)))
    cerebro.addstrategy(Script, fake=fake, bars=kit.live_bars(3, [103, 104, 105, 106, 107]), steps=steps)
    recorded = cerebro.run()[0]
    recorded_cash = cerebro.getbroker().getcash()

    replay = ReplayBackend(path)
    store = VCStore(backend=replay)
    cerebro = _cerebro(store)
    cerebro.setbroker(store.getbroker(journal=str(replayed_journal)))
    cerebro.addstrategy(_ReplayedOrders, stop=8, steps=steps)
    replayed = cerebro.run()[0]

    assert [(status, size, price) for _, status, size, price in recorded.orders] == replayed.orders
    assert replayed.orders[-1] == ("Completed", -2.0, 105.5)
    assert cerebro.getbroker().getcash() == recorded_cash == fake.venue.cash["A1"]
    assert replay.finished


def test_a_replay_that_leaves_its_trace_ends_the_run_saying_where(tmp_path: Path) -> None:
    path = tmp_path / "session.vctrace"
    fake = kit.fake(history=3)
    cerebro = _cerebro(VCStore(backend=fake, record=str(path)))
    cerebro.addstrategy(Script, fake=fake, bars=kit.live_bars(3, [103]))
    cerebro.run()

    cerebro = bt.Cerebro(stdstats=False)
    store = VCStore(backend=ReplayBackend(path))
    cerebro.adddata(store.getdata(dataname=ES, timeframe=bt.TimeFrame.Days, fromdate=kit.T0))  # not recorded
    cerebro.addstrategy(_Replayed, stop=99)
    strat = cerebro.run()[0]
    assert statuses_of(strat.log)[-1] == "DISCONNECTED"
    (message,) = [m for m in strat.stores if "diverged" in str(m)]
    assert f"{path}:" in message and "expected datasource.open_serie" in message


def test_a_recording_store_never_writes_its_secrets(tmp_path: Path) -> None:
    path = tmp_path / "secret.vctrace"
    fake = kit.fake(history=2, accounts={"MY-ACCOUNT-123": 1000.0})
    store = VCStore(backend=fake, record=str(path), secrets=("MY-ACCOUNT-123",))
    cerebro = _cerebro(store)
    cerebro.setbroker(store.getbroker(journal=str(tmp_path / "j.sqlite")))
    cerebro.addstrategy(Script, fake=fake, history=2, bars=kit.live_bars(2, [102, 103]),
                        steps={0: lambda s: s.buy()})
    cerebro.run()
    text = path.read_text()
    assert "MY-ACCOUNT-123" not in text and '"***"' in text
    assert '"send_order"' in text
    assert "MY-ACCOUNT-123" not in repr(store)
