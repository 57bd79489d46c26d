"""TradeAnalyzer: counts, streaks, profit/loss and lengths of closed trades."""

from __future__ import annotations

import sys
from typing import Any

from ..orders import AutoOrderedDict
from .base import Analyzer

__all__ = ["TradeAnalyzer"]

_MAXINT = sys.maxsize
_SIDES = ("long", "short")
_OUTCOMES = ("won", "lost")


def _extreme(node: Any, key: str, value: float, outcome: str) -> None:
    """Keep the best win (max) or worst loss (min) seen, starting from 0."""
    func = max if outcome == "won" else min
    node[key] = func(node[key] or 0.0, value)


class TradeAnalyzer(Analyzer):
    """Statistics over trades, nested as ``total``, ``streak``, ``pnl``, ``won``, ``lost``,
    ``long``, ``short`` and ``len`` (read with dots or keys)."""

    def create_analysis(self) -> None:
        self.rets = AutoOrderedDict()
        self.rets.total.total = 0

    def stop(self) -> None:
        self.rets._close()

    def notify_trade(self, trade: Any) -> None:
        if trade.justopened:
            self.rets.total.total += 1
            self.rets.total.open += 1
        elif trade.status == trade.Closed:
            self._closed(trade)

    def _closed(self, trade: Any) -> None:
        r = self.rets
        won = int(trade.pnlcomm >= 0.0)
        flags = {"won": won, "lost": int(not won), "long": trade.long, "short": not trade.long}
        r.total.open -= 1
        r.total.closed += 1
        for oc in _OUTCOMES:
            streak = r.streak[oc]
            streak.current *= flags[oc]
            streak.current += flags[oc]
            streak.longest = max(streak.longest or 0, streak.current)
        closed = r.total.closed
        r.pnl.gross.total += trade.pnl
        r.pnl.gross.average = r.pnl.gross.total / closed
        r.pnl.net.total += trade.pnlcomm
        r.pnl.net.average = r.pnl.net.total / closed
        self._pnl_by_outcome(trade, flags)
        self._pnl_by_side(trade, flags)
        self._lengths(trade, flags)

    def _pnl_by_outcome(self, trade: Any, flags: dict[str, Any]) -> None:
        for oc in _OUTCOMES:
            node = self.rets[oc]
            node.total += flags[oc]
            pnl = trade.pnlcomm * flags[oc]
            node.pnl.total += pnl
            node.pnl.average = node.pnl.total / (node.total or 1.0)
            _extreme(node.pnl, "max", pnl, oc)

    def _pnl_by_side(self, trade: Any, flags: dict[str, Any]) -> None:
        for side in _SIDES:
            node = self.rets[side]
            ls = flags[side]
            node.total += ls
            node.pnl.total += trade.pnlcomm * ls
            node.pnl.average = node.pnl.total / (node.total or 1.0)
            for oc in _OUTCOMES:
                wl = flags[oc]
                pnl = trade.pnlcomm * wl * ls
                node[oc] += wl * ls
                sub = node.pnl[oc]
                sub.total += pnl
                sub.average = sub.total / (node[oc] or 1.0)
                _extreme(sub, "max", pnl, oc)

    def _lengths(self, trade: Any, flags: dict[str, Any]) -> None:
        r = self.rets
        lens = r.len
        barlen = trade.barlen
        lens.total += barlen
        lens.average = lens.total / r.total.closed
        lens.max = max(lens.max or 0, barlen)
        lens.min = min(lens.min or _MAXINT, barlen)
        for oc in _OUTCOMES:
            node = lens[oc]
            blen = barlen * flags[oc]
            node.total += blen
            node.average = node.total / (r[oc].total or 1.0)
            node.max = max(node.max or 0, blen)
            if blen:
                node.min = min(node.min or _MAXINT, blen)
        for side in _SIDES:
            node = lens[side]
            blen = barlen * flags[side]
            node.total += blen
            node.average = node.total / (r[side].total or 1.0)
            node.max = max(node.max or 0, blen)
            node.min = min(node.min or _MAXINT, blen or (node.min or _MAXINT))
            for oc in _OUTCOMES:
                blen2 = barlen * flags[side] * flags[oc]
                sub = node[oc]
                sub.total += blen2
                sub.average = sub.total / (r[side][oc] or 1.0)
                sub.max = max(sub.max or 0, blen2)
                sub.min = min(sub.min or _MAXINT, blen2 or (sub.min or _MAXINT))
