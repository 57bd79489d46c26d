"""Slippage: move an execution price against the trader, capped at the bar's extremes."""

from __future__ import annotations

from typing import Any

__all__ = ["Slipper"]


class Slipper:
    """Applies the broker's ``slip_*`` params; returns None when no price can be offered."""

    def __init__(self, p: Any) -> None:
        self.p = p

    def up(self, pmax: float, price: float, doslip: bool = True, lim: bool = False) -> Any:
        """Price for a buy: slipped up, capped at ``pmax`` (the high or the limit)."""
        p = self.p
        if not doslip:
            return price
        if p.slip_perc:
            pslip = price * (1 + p.slip_perc)
        elif p.slip_fixed:
            pslip = price + p.slip_fixed
        else:
            return price
        if pslip <= pmax:
            return pslip
        return self._capped(pmax, pslip, lim)

    def down(self, pmin: float, price: float, doslip: bool = True, lim: bool = False) -> Any:
        """Price for a sell: slipped down, capped at ``pmin`` (the low or the limit)."""
        p = self.p
        if not doslip:
            return price
        if p.slip_perc:
            pslip = price * (1 - p.slip_perc)
        elif p.slip_fixed:
            pslip = price - p.slip_fixed
        else:
            return price
        if pslip >= pmin:
            return pslip
        return self._capped(pmin, pslip, lim)

    def _capped(self, cap: float, pslip: float, lim: bool) -> Any:
        """Slippage went past ``cap``: match at the cap, past it (slip_out) or not at all."""
        p = self.p
        if p.slip_match or (lim and p.slip_limit):
            return pslip if p.slip_out else cap
        return None
