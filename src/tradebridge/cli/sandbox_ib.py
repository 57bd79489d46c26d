"""``tradebridge sandbox ib``: run the local IB (TWS API) sandbox until Ctrl-C.

With no ``--data`` it serves AAPL (SMART, USD) and EUR.USD (IDEALPRO) from seeded synthetic
bars; each ``--data FILE`` (a header CSV) adds an instrument named after the file (``MSFT.csv``
a stock, ``GBP.USD.csv`` a forex pair) whose first 80 % is history (moved in time to end now)
and the rest is replayed live.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(venues: Any) -> None:
    """Register ``ib`` under the ``sandbox`` command's venue subparsers."""
    ib = venues.add_parser("ib", help="run the IB sandbox (a TWS API server) on loopback")
    ib.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    ib.add_argument("--port", type=int, default=7497, help="port (7497, TWS paper; 0 picks a free one)")
    ib.add_argument("--data", nargs="+", action="extend", default=[], metavar="FILE",
                    help="CSV files of bars (datetime,open,high,low,close[,volume]) named after "
                         "their instrument (MSFT.csv, GBP.USD.csv); default: synthetic AAPL, EUR.USD")
    ib.add_argument("--account", default="DU000001", help="the account id (DU000001)")
    ib.add_argument("--cash", type=float, default=1_000_000.0, help="starting cash in USD (1000000)")
    ib.add_argument("--speed", type=float, default=5.0, metavar="SECONDS",
                    help="wall seconds per 5-second bar (5: real time; 0.05: 100 times faster)")
    ib.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; the exit code (2 for bad arguments or a busy port)."""
    from ..venues.ib.sandbox.server import SandboxServer
    from .loader import UsageError

    if args.speed <= 0:
        raise UsageError(f"--speed must be positive, got {args.speed}")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be 0..65535, got {args.port}")
    try:
        server = SandboxServer(args.host, args.port, account=args.account, data=args.data,
                               bar_interval=args.speed, cash=args.cash)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc

    async def serve() -> None:
        try:
            await server.start()
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc
        symbols = ", ".join(server.instruments)
        print(f"IB sandbox listening on {server.host}:{server.port} "
              f"(account {args.account}; {symbols}); Ctrl-C stops", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows: Ctrl-C only
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await server.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    print("IB sandbox stopped", file=sys.stderr)
    return 0
