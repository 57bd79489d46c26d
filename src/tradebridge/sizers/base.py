"""The sizer base: how many units an order gets when the strategy does not say."""

from __future__ import annotations

from typing import Any

from ..lines.params import ParamsInitMixin

__all__ = ["Sizer", "SizerBase"]


class Sizer(ParamsInitMixin):
    """Base sizer; subclasses implement ``_getsizing(comminfo, cash, data, isbuy)``."""

    strategy: Any = None
    broker: Any = None

    def getsizing(self, data: Any, isbuy: bool) -> float:
        """The size for an order on ``data``, from the broker's commission info and cash."""
        comminfo = self.broker.getcommissioninfo(data)
        return self._getsizing(comminfo, self.broker.getcash(), data, isbuy)

    def _getsizing(self, comminfo: Any, cash: float, data: Any, isbuy: bool) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement _getsizing")

    def set(self, strategy: Any, broker: Any) -> None:
        """Bind to the strategy that asks and the broker that holds the cash."""
        self.strategy = strategy
        self.broker = broker


SizerBase = Sizer
