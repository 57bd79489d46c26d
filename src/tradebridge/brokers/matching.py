"""Bar matching: decide whether an order fills on the current bar and at which price.

``Matcher.match`` returns ``(ago, price, dtcoc)`` or None; a None price means "triggered
but no price could be offered" (slippage refused). Rules follow backtrader 1.9.78, with
one fix: a sell Limit opening through its limit caps slippage at ``max(low, limit)``
(backtrader caps at the limit only and can fill below the bar's low).
"""

from __future__ import annotations

from typing import Any

from tradebridge.orders.order import Order

from .slippage import Slipper

__all__ = ["Matcher", "bar_of"]

Fill = tuple[int, Any, Any]


def bar_of(data: Any) -> tuple[float, float, float, float]:
    """Open, high, low, close of the current bar (tick values first, as in replay)."""
    if getattr(data, "tick_close", None) is None and hasattr(data, "_clk"):
        i = data._clk.idx  # a feed with no replayed tick: read its arrays directly
        return data.open._a[i], data.high._a[i], data.low._a[i], data.close._a[i]
    popen = getattr(data, "tick_open", None)
    phigh = getattr(data, "tick_high", None)
    plow = getattr(data, "tick_low", None)
    pclose = getattr(data, "tick_close", None)
    return (
        data.open[0] if popen is None else popen,
        data.high[0] if phigh is None else phigh,
        data.low[0] if plow is None else plow,
        data.close[0] if pclose is None else pclose,
    )


class Matcher:
    """Price rules for every exec type, reading the broker's params."""

    def __init__(self, p: Any) -> None:
        self.p = p
        self.slip = Slipper(p)
        self._rules = {
            Order.Market: self.market, Order.Close: self.close, Order.Limit: self.limit,
            Order.StopLimit: self.stoplimit, Order.StopTrailLimit: self.stoplimit,
            Order.Stop: self.stop, Order.StopTrail: self.stop, Order.Historical: self.historical,
        }

    def match(self, order: Any, bar: tuple[float, float, float, float] | None = None
              ) -> Fill | None:
        """Fill for ``order`` on this bar (``bar``: its open, high, low, close when the caller
        already read them), or None; adjusts trailing stops afterwards via ``trails``."""
        rule = self._rules.get(order.exectype)
        if rule is None:
            return None
        return rule(order, bar_of(order.data) if bar is None else bar)

    @staticmethod
    def historical(order: Any, bar: tuple[float, ...]) -> Fill | None:
        """At the price it was created with."""
        return (0, order.created.price, None)

    def market(self, order: Any, bar: tuple[float, ...]) -> Fill | None:
        """Next open (or, cheating, the creation bar's close/the current open)."""
        p = self.p
        if p.coc and order.info.get("coc", True):
            dtcoc, exprice = order.created.dt, order.created.pclose
        else:
            if not p.coo and order.data.datetime[0] <= order.created.dt:
                return None  # only after the creation bar
            dtcoc, exprice = None, bar[0]
        if not (p.slip_open and (p.slip_perc or p.slip_fixed)):
            return (0, exprice, dtcoc)  # no slippage to apply
        if order.ordtype == order.Buy:
            return (0, self.slip.up(bar[1], exprice, doslip=True), dtcoc)
        return (0, self.slip.down(bar[2], exprice, doslip=True), dtcoc)

    def close(self, order: Any, bar: tuple[float, ...]) -> Fill | None:
        """Close of the session-end bar (or the previous close once past it)."""
        pclose = bar[3]
        fill = None
        dt0 = order.data.datetime[0]
        if dt0 > order.created.dt and dt0 >= order.dteos:
            annotated = getattr(order, "pannotated", None)
            if annotated and dt0 > order.dteos:
                fill = (-1, annotated, None)
            else:
                fill = (0, pclose, None)
        order.pannotated = pclose
        return fill

    def limit(self, order: Any, bar: tuple[float, ...], plimit: float | None = None
              ) -> Fill | None:
        """At the open if it is better than the limit (default: the order's price), else at
        the limit if the bar reaches it."""
        if plimit is None:
            plimit = order.created.price
        popen, phigh, plow = bar[0], bar[1], bar[2]
        doslip = self.p.slip_open
        if order.isbuy():
            if plimit >= popen:
                return (0, self.slip.up(min(phigh, plimit), popen, doslip=doslip, lim=True),
                        None)
            if plimit >= plow:
                return (0, plimit, None)
        else:
            if plimit <= popen:
                return (0, self.slip.down(max(plow, plimit), popen, doslip=doslip, lim=True),
                        None)
            if plimit <= phigh:
                return (0, plimit, None)
        return None

    def stop(self, order: Any, bar: tuple[float, ...]) -> Fill | None:
        """At the open when it gaps through the stop, else at the stop when the bar hits it."""
        popen, phigh, plow = bar[0], bar[1], bar[2]
        pstop = order.created.price
        slip = self.slip
        if order.isbuy():
            if popen >= pstop:
                return (0, slip.up(phigh, popen, doslip=self.p.slip_open), None)
            if phigh >= pstop:
                return (0, slip.up(phigh, pstop), None)
        else:
            if popen <= pstop:
                return (0, slip.down(plow, popen, doslip=self.p.slip_open), None)
            if plow <= pstop:
                return (0, slip.down(plow, pstop), None)
        return None

    def stoplimit(self, order: Any, bar: tuple[float, ...]) -> Fill | None:
        """Trigger at the stop; then fill as a limit, within the triggering bar as possible."""
        if order.triggered:
            return self.limit(order, bar, order.created.pricelimit)
        popen, phigh, plow, pclose = bar
        pstop, plimit = order.created.price, order.created.pricelimit
        if order.isbuy():
            if popen >= pstop:
                order.triggered = True
                return self.limit(order, bar, plimit)
            if phigh >= pstop:
                order.triggered = True
                if plimit >= pstop:
                    return (0, self.slip.up(phigh, pstop, lim=True), None)
                if popen > pclose and plimit >= pclose:
                    return (0, plimit, None)
        else:
            if popen <= pstop:
                order.triggered = True
                return self.limit(order, bar, plimit)
            if plow <= pstop:
                order.triggered = True
                if plimit <= pstop:
                    return (0, self.slip.down(plow, pstop, lim=True), None)
                if popen <= pclose and plimit <= pclose:
                    return (0, plimit, None)
        return None

    @staticmethod
    def trails(order: Any, was_triggered: bool) -> bool:
        """Whether a still-alive order's trailing stop follows this bar's close."""
        if order.exectype == Order.StopTrail:
            return True
        return order.exectype == Order.StopTrailLimit and not was_triggered
