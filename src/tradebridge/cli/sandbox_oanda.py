"""``tradebridge sandbox oanda``: run the OANDA v20 sandbox on loopback until Ctrl-C.

With no options it accepts any bearer token, serves account ``101-001-0000001-001`` and the
bundled EUR_USD, GBP_USD and USD_JPY prices, replayed in real time (one 5-second bar every
5 seconds) with the newest bar at the current time, so a paper-trading run can start at once.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(venues: Any) -> None:
    """Register ``oanda`` under the ``sandbox`` command's venue subparsers."""
    p = venues.add_parser("oanda", help="run the OANDA v20 sandbox (REST and streams) on loopback")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8081, help="port (8081; 0 picks a free one)")
    p.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="FILE",
        help="CSV named after its instrument (EUR_USD.csv: datetime,open,high,low,close"
        "[,volume][,spread]); repeatable; default: bundled EUR_USD, GBP_USD, USD_JPY",
    )
    p.add_argument("--token", default=None, help="require this bearer token (default: accept any)")
    p.add_argument("--account", default="101-001-0000001-001", help="account id (101-001-0000001-001)")
    p.add_argument("--balance", type=float, default=100_000.0, help="starting balance in USD (100000)")
    p.add_argument(
        "--pace",
        type=float,
        default=None,
        help="seconds between replayed bars (default: the data's bar length, i.e. real time)",
    )
    p.add_argument("--heartbeat", type=float, default=5.0, help="stream heartbeat interval in seconds (5)")
    p.add_argument("--rate-limit", type=float, default=100.0,
                   help="requests per second before answering 429, as OANDA does (100; 0 disables)")
    p.add_argument(
        "--no-shift",
        action="store_true",
        help="keep the data's own timestamps (default: move them so the newest bar is now)",
    )
    p.set_defaults(run=run)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from ..venues.oanda.sandbox.data import BUNDLED, bundled_series
    from ..venues.oanda.sandbox.pricing import Market
    from ..venues.oanda.sandbox.server import iter_series

    if args.balance <= 0:
        raise ValueError(f"--balance must be positive, got {args.balance}")
    if args.rate_limit < 0:
        raise ValueError(f"--rate-limit must be positive (or 0 to disable), got {args.rate_limit}")
    series = iter_series(args.data) if args.data else {n: bundled_series(n) for n in BUNDLED}
    if not args.no_shift:
        clock = Market(series).clock
        shift = int((time.time() - clock) // 5 * 5)
        series = {n: s.shifted(shift) for n, s in series.items()}
    return {
        "series": series,
        "host": args.host,
        "port": args.port,
        "token": args.token,
        "account_id": args.account,
        "balance": args.balance,
        "heartbeat": args.heartbeat,
        "rate_limit": args.rate_limit or None,
    }


async def _serve(args: argparse.Namespace, options: dict[str, Any]) -> None:
    from ..venues.oanda.sandbox.server import OandaSandbox

    series = options.pop("series")
    pace = args.pace if args.pace is not None else min(s.seconds for s in series.values())
    async with OandaSandbox(series, **options) as sb:
        guard = "the --token bearer token" if args.token else "any bearer token"
        print(
            f"OANDA v20 sandbox on {sb.url} (REST and streams), account {sb.account_id}, "
            f"instruments {', '.join(series)}, accepting {guard}; one bar every {pace:g} s; Ctrl-C stops",
            flush=True,
        )
        await sb.serve(pace)


def run(args: argparse.Namespace) -> int:
    """Run until interrupted; exit code 0, or 2 for bad options or data."""
    from .loader import UsageError

    try:
        options = _options(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        asyncio.run(_serve(args, options))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0
