"""Observers that read their values from analyzers of their own ("slave" analyzers).

backtrader keeps such analyzers apart from the user's (``strategy.analyzers`` does not list
them) and steps them right before the observer. This mixin does the same from the observer:
it starts and stops them, hands them the step's notifications and the broker's
cash/value, then runs their prenext/nextstart/next as the strategy's period status says.
Subclasses write their lines in ``_record`` (``next`` drives the analyzers first).
"""

from __future__ import annotations

from typing import Any

from ..analyzers.base import step_analyzers

__all__ = ["SlaveAnalyzersMixin"]


class SlaveAnalyzersMixin:
    """Owns analyzers created with ``_slave`` and drives them once per strategy step."""

    _owner: Any
    _status = 1

    def _slave(self, ancls: type, **kwargs: Any) -> Any:
        """Create an analyzer of ``ancls`` fed by this observer (not listed in analyzers)."""
        analyzer = ancls(_owner=self._owner, **kwargs)
        self.__dict__.setdefault("_analyzers", []).append(analyzer)
        return analyzer

    @property
    def _slaves(self) -> list[Any]:
        return self.__dict__.get("_analyzers", [])

    def start(self) -> None:
        for analyzer in self._slaves:
            analyzer._start()

    def stop(self) -> None:
        for analyzer in self._slaves:
            analyzer._stop()

    def next(self) -> None:
        self._drive()
        self._record()

    def _record(self) -> None:
        """Write this step's line values from the analyzers' results."""

    def _drive(self) -> None:
        strat = self._owner
        self._status = status = strat._getminperstatus()
        slaves = self._slaves
        if slaves:
            self._feed(strat, slaves)
        step_analyzers(slaves, status)

    @staticmethod
    def _feed(strat: Any, slaves: list[Any]) -> None:
        """The notifications the strategy received this step, as its analyzers got them."""
        broker = strat.broker
        cash, value = broker.getcash(), broker.getvalue()
        fundvalue, shares = broker.fundvalue, broker.fundshares
        for analyzer in slaves:
            for order in strat._orderspending:
                analyzer._notify_order(order)
            for trade in strat._tradespending:
                analyzer._notify_trade(trade)
            analyzer._notify_cashvalue(cash, value)
            analyzer._notify_fund(cash, value, fundvalue, shares)
