"""Capture a read-only Visual Chart session into a trace file, so it can become a test anywhere.

On Windows, with Visual Chart 6 running and logged in::

    python -m tradebridge.venues.vc.capture session.vctrace 001ES --seconds 300 --secret MYACCOUNT

It reads the accounts with their balances, positions and open orders, each symbol's
information, opens a live one-minute serie with its history and the symbol's real-time feed,
then records every event for the given time. It sends no order. Strings given with
``--secret`` (account names, say) are written as ``***``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from tradebridge.utils.timeframe import TimeFrame

from .marketdata import data_spec
from .seam import ComBackend
from .trace import RecordingBackend

__all__ = ["capture", "main"]


def capture(backend: ComBackend, path: str | Path, symbols: Iterable[str], seconds: float,
            secrets: Iterable[str] = (), now: _dt.datetime | None = None,
            clock: Callable[[], float] = time.monotonic) -> int:
    """Record the read-only session described above through ``backend``; return how many events came."""
    recorder = RecordingBackend(backend, path, secrets)
    recorder.connect()
    events = 0
    try:
        for account in recorder.call("trader", "accounts"):
            for verb in ("balance", "positions", "orders"):
                recorder.call("trader", verb, account=account["Account"])
        start = (now or _dt.datetime.now()) - _dt.timedelta(days=2)
        for dataname in symbols:
            spec = data_spec(dataname, timeframe=TimeFrame.Minutes)
            recorder.call("datasource", "symbol_info", symbol=spec.symbol)
            serie = recorder.call("datasource", "open_serie", symbol=spec.symbol, ct=spec.ct,
                                  compression=spec.compression, start=start, live=True)
            size = recorder.call("datasource", "serie_size", serie=serie)
            if size:
                recorder.call("datasource", "serie_bars", serie=serie, first=1, last=size)
            recorder.call("realtime", "request_feed", symbol=spec.symbol)
        deadline = clock() + seconds
        while (left := deadline - clock()) > 0:
            events += len(recorder.pump(min(left, 1.0)))
    finally:
        recorder.close()
    return events


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: capture a session with the real (comtypes) backend."""
    parser = argparse.ArgumentParser(prog="python -m tradebridge.venues.vc.capture", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="trace file to write")
    parser.add_argument("symbols", nargs="+", help="Visual Chart symbols as VCData takes them (e.g. 001ES)")
    parser.add_argument("--seconds", type=float, default=120.0, help="how long to record events")
    parser.add_argument("--secret", action="append", default=[], help="a string to write as ***")
    args = parser.parse_args(argv)
    from .comtypes_backend import ComtypesBackend

    count = capture(ComtypesBackend(), args.path, args.symbols, args.seconds, args.secret)
    print(f"{args.path}: {count} events recorded")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
