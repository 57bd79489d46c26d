"""Tick-to-order latency through tradebridge on IB, against a bare ib_async script, on loopback.

The IB sandbox runs in this process and stamps, with ``time.perf_counter_ns``, the moment it
emits a 5-second real-time bar and the moment the order that bar caused arrives back
(``placeOrder`` decoded). Each client runs in its own process, as a strategy would against TWS:

- ``tradebridge``: a Strategy on IBStore/IBData(rtbar)/IBBroker through Cerebro's live engine,
  journaling every order (SQLite) before it leaves;
- ``ib_async``: ``reqRealTimeBars`` with an ``updateEvent`` handler that calls ``placeOrder``.

On every bar each client places a limit buy far below the market (it rests) and cancels the
previous one, so nothing fills. Bars come one at a time: the next only after the order of the
last arrived and a quiet gap, long enough that the two requests a bar stay under the 45
requests a second that ib_async's client allows (IB's limit is 50) before it holds requests
back. Prints p50/p99 for both, the ratio and what tradebridge adds.

    .venv/bin/python benchmarks/ib_latency.py [--bars 500] [--warmup 30] [--synchronous NORMAL|FULL]
                                              [--breakdown]
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gc
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tradebridge.venues.ib.sandbox.server import SandboxServer, ThreadedSandbox

START = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York: the session is open
CLIENT_ID = 7


class StampingSandbox(SandboxServer):
    """The sandbox, stamping each real-time bar it emits and each order that arrives."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bar_sent_ns = 0
        self.latencies_ns: list[int] = []
        self.pairs_ns: list[tuple[int, int]] = []  # (bar sent, its order arrived) of each bar
        self.arrived = threading.Event()

    def _stream(self, symbol: str, tape: Any, bar: Any) -> None:
        if any(sym == symbol for s in self.sessions.values() for sym in s.rt_bars.values()):
            self.bar_sent_ns = time.perf_counter_ns()
        super()._stream(symbol, tape, bar)

    def place_order(self, session: Any, v: Any) -> None:
        now = time.perf_counter_ns()
        if self.bar_sent_ns:
            self.latencies_ns.append(now - self.bar_sent_ns)
            self.pairs_ns.append((self.bar_sent_ns, now))
            self.bar_sent_ns = 0  # one order per bar counts
            self.arrived.set()
        super().place_order(session, v)


# -- the breakdown (``--breakdown``): perf_counter_ns stamps inside the tradebridge client ----------
# perf_counter_ns is CLOCK_MONOTONIC on Linux: stamps of the client and the sandbox compare directly.
MARKS: list[tuple[str, int]] = []
CHAIN = ("recv", "rtbar", "put", "woke", "next", "journal", "journaled", "handoff", "place", "written")
SEGMENTS = (  # (label, from, to) over the chain, plus the sandbox's "sent" and "arrived"
    ("bar on the wire, sandbox -> client socket", "sent", "recv"),
    ("ib_async decodes it, IBData._on_rtbars", "recv", "rtbar"),
    ("IBData -> inbox.put returns", "rtbar", "put"),
    ("inbox wake-up of the engine thread", "put", "woke"),
    ("dispatch -> Strategy.next", "woke", "next"),
    ("buy() up to the journal", "next", "journal"),
    ("journal.record_order", "journal", "journaled"),
    ("journal -> call_soon_threadsafe", "journaled", "handoff"),
    ("handoff -> IBBroker._place on the loop", "handoff", "place"),
    ("_place -> placeOrder bytes written", "place", "written"),
    ("bytes on the wire -> sandbox decoded", "written", "arrived"),
    ("total", "sent", "arrived"),
    ("(handoff -> next() returns)", "handoff", "next_end"),
    ("(handoff -> engine thread blocks)", "handoff", "block"),
)


def _stamp(cls: Any, name: str, before: str = "", after: str = "",
           only: Any = None) -> None:
    """Wrap ``cls.name`` so each call appends a stamp before and/or after it (``only(args)``: filter)."""
    fn = getattr(cls, name)

    def stamped(*args: Any, **kwargs: Any) -> Any:
        take = only is None or only(args)
        if before and take:
            MARKS.append((before, time.perf_counter_ns()))
        try:
            return fn(*args, **kwargs)
        finally:
            if after and take:
                MARKS.append((after, time.perf_counter_ns()))

    setattr(cls, name, stamped)


def install_probes(strategy: Any) -> None:
    """Stamp the path from the bar's bytes to the order's bytes (benchmark only, this process)."""
    from ib_async.client import Client
    from ib_async.connection import Connection

    from tradebridge.engine.live import LiveLoop
    from tradebridge.live.inbox import Inbox
    from tradebridge.live.journal import Journal
    from tradebridge.venues.ib.broker import IBBroker
    from tradebridge.venues.ib.feed import IBData
    from tradebridge.venues.ib.store import IBStore

    _stamp(Client, "_onSocketHasData", before="recv")
    _stamp(IBData, "_on_rtbars", before="rtbar", after="put")
    _stamp(LiveLoop, "dispatch", before="woke")
    _stamp(strategy, "next", before="next", after="next_end")
    _stamp(Journal, "record_order", before="journal", after="journaled")
    _stamp(IBStore, "call_soon", before="handoff")
    _stamp(IBBroker, "_place", before="place")
    _stamp(Connection, "sendMsg", after="written")
    _stamp(Inbox, "drain", before="block", only=lambda a: len(a) < 2 or a[1] != 0)
    gc.callbacks.append(lambda phase, info: MARKS.append((f"gc-{phase}", time.perf_counter_ns())))
    init = Journal.__init__

    def traced(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._db.set_trace_callback(lambda sql: MARKS.append(("sql", time.perf_counter_ns())))

    Journal.__init__ = traced  # type: ignore[method-assign]


def breakdown(marks: list[tuple[str, int]], pairs: list[tuple[int, int]]) -> list[str]:
    """Per-segment p50/p99 (microseconds) of each bar's path, from the client's and sandbox's stamps."""
    by_label: dict[str, list[int]] = {}
    for label, stamp in sorted(marks, key=lambda m: m[1]):
        by_label.setdefault(label, []).append(stamp)
    seg: dict[str, list[float]] = {name: [] for name, _, _ in SEGMENTS}
    sql_hot: list[int] = []
    sql_bar: list[int] = []
    gc_in_path: list[float] = []  # microseconds of garbage collection inside each bar's path
    slow: list[tuple[int, tuple[int, str]]] = []  # (total, its longest segment) of each bar
    for i, (sent, arrived) in enumerate(pairs):
        gc_in_path.append(_inside(by_label.get("gc-start", []), by_label.get("gc-stop", []), sent, arrived))
        at = {"sent": sent, "arrived": arrived}
        t: int | None = sent
        for label in CHAIN:
            t = _first_after(by_label.get(label, []), t or 0)
            if t is None:
                break
            at[label] = t
        else:
            for side in ("next_end", "block"):
                at[side] = _first_after(by_label.get(side, []), at["handoff"]) or 0
            for name, a, b in SEGMENTS:
                if at[b]:
                    seg[name].append((at[b] - at[a]) / 1000)
            slow.append((arrived - sent, max((at[b] - at[a], name) for name, a, b in SEGMENTS[:-3])))
            sqls = by_label.get("sql", [])
            end = pairs[i + 1][0] if i + 1 < len(pairs) else arrived + 10**9
            sql_hot.append(bisect.bisect(sqls, at["handoff"]) - bisect.bisect(sqls, at["next"]))
            sql_bar.append(bisect.bisect(sqls, end) - bisect.bisect(sqls, sent))
    lines = [f"where tradebridge's time goes ({len(seg['total'])} bars), microseconds: p50 / p99"]
    for name, _, _ in SEGMENTS:
        if seg[name]:
            lines.append(f"  {name:44s} {percentile(seg[name], 50):7.0f} / {percentile(seg[name], 99):7.0f}")
    if sql_hot:
        lines.append(f"  SQLite statements per bar: {statistics.median(sql_hot):.0f} before the order "
                     f"leaves, {statistics.median(sql_bar):.0f} in all (median)")
    paused = [us for us in gc_in_path if us]
    runs = len(by_label.get("gc-start", []))
    for total, (longest, name) in sorted(slow, reverse=True)[:max(1, len(slow) // 100)]:
        lines.append(f"  a slowest bar: {total / 1000:.0f} us, of which {longest / 1000:.0f} us {name}")
    pauses = f", {statistics.median(paused):.0f} us median, {max(paused):.0f} us max" if paused else ""
    lines.append(f"  garbage collections: {runs} in the run; inside {len(paused)} of {len(pairs)} bars' "
                 f"paths{pauses}")
    return lines


def _inside(starts: list[int], stops: list[int], begin: int, end: int) -> float:
    """Microseconds of the [start, stop] intervals that began inside [begin, end]."""
    total = 0
    for k in range(bisect.bisect_left(starts, begin), bisect.bisect_right(starts, end)):
        stop = _first_after(stops, starts[k])
        total += (stop or starts[k]) - starts[k]
    return total / 1000


def _first_after(stamps: list[int], t: int) -> int | None:
    i = bisect.bisect_left(stamps, t)
    return stamps[i] if i < len(stamps) else None


# -- the clients (each runs as ``ib_latency.py --client NAME``) -------------------------------------
def run_tradebridge(port: int, bars: int, synchronous: str = "NORMAL", stamps: str = "") -> None:
    """A tradebridge strategy: on every live bar a resting limit buy, the previous one canceled."""
    import tradebridge as bt

    class TickToOrder(bt.Strategy):
        def __init__(self) -> None:
            self.live, self.last = 0, None

        def notify_data(self, data: Any, status: int, *args: Any, **kwargs: Any) -> None:
            self.live = self.live or int(data._getstatusname(status) == "LIVE")

        def next(self) -> None:
            if not self.live:
                return
            order = self.buy(size=1, exectype=bt.Order.Limit, price=round(self.data.close[0] * 0.5, 2))
            if self.last is not None:
                self.cancel(self.last)
            self.last = order
            self.live += 1
            if self.live > bars:
                self.env.runstop()

    if stamps:
        install_probes(TickToOrder)
    with tempfile.TemporaryDirectory() as tmp:
        cerebro = bt.Cerebro()
        store = bt.stores.IBStore(port=port, clientId=CLIENT_ID, journal=Path(tmp) / "journal.sqlite")
        cerebro.adddata(store.getdata(dataname="AAPL-STK-SMART-USD", rtbar=True,
                                      timeframe=bt.TimeFrame.Seconds, compression=5, backfill_start=False))
        cerebro.setbroker(store.getbroker(synchronous=synchronous))
        cerebro.addstrategy(TickToOrder)
        try:
            cerebro.run()
        finally:
            if stamps:
                Path(stamps).write_text(json.dumps(MARKS))


def run_ib_async(port: int, bars: int, synchronous: str = "", stamps: str = "") -> None:
    """The same with ib_async alone: a bar's updateEvent places the order."""
    from ib_async import IB, LimitOrder, Stock

    ib = IB()
    ib.connect("127.0.0.1", port, clientId=CLIENT_ID + 1)
    contract = Stock("AAPL", "SMART", "USD")
    ib.qualifyContracts(contract)
    state: dict[str, Any] = {"n": 0, "last": None}

    def on_bar(rt_bars: Any, has_new_bar: bool) -> None:
        if not has_new_bar:
            return
        trade = ib.placeOrder(contract, LimitOrder("BUY", 1, round(rt_bars[-1].close * 0.5, 2)))
        if state["last"] is not None:
            ib.cancelOrder(state["last"].order)
        state["last"] = trade
        state["n"] += 1
        if state["n"] >= bars:
            ib.disconnect()

    rt = ib.reqRealTimeBars(contract, 5, "TRADES", False)
    rt.updateEvent += on_bar
    try:
        while ib.isConnected():
            ib.sleep(0.05)
    except KeyboardInterrupt:
        ib.disconnect()


CLIENTS = {"tradebridge": run_tradebridge, "ib_async": run_ib_async}


# -- the measuring side -----------------------------------------------------------------------------
def measure(sb: ThreadedSandbox, client: str, bars: int, warmup: int, gap: float,
            synchronous: str = "NORMAL", stamps: str = "") -> list[float]:
    """Drive bars one at a time while ``client`` runs in a subprocess; latencies in microseconds."""
    server: StampingSandbox = sb.server  # type: ignore[assignment]
    server.latencies_ns.clear()
    server.pairs_ns.clear()
    proc = subprocess.Popen([sys.executable, __file__, "--client", client, "--port", str(sb.port),
                             "--bars", str(10 * (bars + warmup)), "--synchronous", synchronous,
                             "--stamps", stamps])
    try:
        deadline = time.monotonic() + 60
        while not any(s.rt_bars for s in list(server.sessions.values())):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{client} client did not subscribe (exit code {proc.returncode})")
            time.sleep(0.01)
        misses = 0
        while len(server.latencies_ns) < bars + warmup and misses < 50:
            server.arrived.clear()
            sb.step()
            if not server.arrived.wait(1.0):
                misses += 1  # before LIVE no order follows a bar
                print(f"{client}: no order after bar {server.steps}", file=sys.stderr)
            time.sleep(gap)
        proc.send_signal(signal.SIGINT)  # Ctrl-C: both clients stop cleanly
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    got = server.latencies_ns[warmup:]
    if len(got) < bars:
        raise SystemExit(f"{client}: only {len(got)} of {bars} orders arrived")
    return [ns / 1000 for ns in got]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by the nearest-rank rule."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def main(argv: list[str] | None = None) -> int:
    """Measure both clients in turn and print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bars", type=int, default=500, help="measured bars per client")
    ap.add_argument("--warmup", type=int, default=30, help="bars not counted, per client")
    ap.add_argument("--gap", type=float, default=0.05,
                    help="quiet seconds between bars (ib_async throttles above 45 requests/s)")
    ap.add_argument("--synchronous", default="NORMAL", choices=("NORMAL", "FULL", "EXTRA"),
                    help="tradebridge's journal: SQLite synchronous mode (NORMAL, the product default; "
                         "FULL: an fsync before each order leaves)")
    ap.add_argument("--breakdown", action="store_true",
                    help="stamp tradebridge's path from bar to order and print where the time goes "
                         "(the stamps add a few microseconds)")
    ap.add_argument("--client", choices=sorted(CLIENTS), help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--stamps", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.client:
        CLIENTS[args.client](args.port, args.bars, args.synchronous, args.stamps)
        return 0
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stamps = str(Path(tmp) / "stamps.json") if args.breakdown else ""
        for name in ("ib_async", "tradebridge"):  # a fresh sandbox each: no orders of the other
            sb = ThreadedSandbox(StampingSandbox(start=START))
            try:
                results[name] = measure(sb, name, args.bars, args.warmup, args.gap, args.synchronous,
                                        stamps if name == "tradebridge" else "")
                pairs = list(sb.server.pairs_ns[args.warmup:])  # type: ignore[attr-defined]
            finally:
                sb.stop()
        marks = [tuple(m) for m in json.loads(Path(stamps).read_text())] if stamps else []
    print(f"tick-to-order latency on loopback, {args.bars} bars each (after {args.warmup} warm-up), "
          "microseconds")
    for name, values in results.items():
        print(f"  {name:12s} p50 {percentile(values, 50):8.0f}   p99 {percentile(values, 99):8.0f}"
              f"   mean {statistics.fmean(values):8.0f}   max {max(values):8.0f}")
    tb, ib = results["tradebridge"], results["ib_async"]
    for q in (50, 99):
        ratio = percentile(tb, q) / percentile(ib, q)
        added = percentile(tb, q) - percentile(ib, q)
        print(f"  p{q}: tradebridge / ib_async = {ratio:.2f}x, tradebridge adds {added:.0f} us")
    if marks:
        print("\n".join(breakdown(marks, pairs)))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
