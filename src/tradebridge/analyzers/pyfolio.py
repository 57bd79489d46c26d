"""PyFolio: the returns, positions, transactions and gross leverage pyfolio expects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..utils.timeframe import TimeFrame
from .base import Analyzer
from .leverage import GrossLeverage
from .positions import PositionsValue, Transactions
from .timereturn import TimeReturn

__all__ = ["PyFolio"]


class PyFolio(Analyzer):
    """Collects four child analyses; ``get_pf_items()`` turns them into pandas objects."""

    params = (("timeframe", TimeFrame.Days), ("compression", 1))

    def __init__(self) -> None:
        self._returns = TimeReturn(timeframe=self.p.timeframe, compression=self.p.compression)
        self._positions = PositionsValue(headers=True, cash=True)
        self._transactions = Transactions(headers=True)
        self._gross_lev = GrossLeverage()

    def stop(self) -> None:
        self.rets["returns"] = self._returns.get_analysis()
        self.rets["positions"] = self._positions.get_analysis()
        self.rets["transactions"] = self._transactions.get_analysis()
        self.rets["gross_lev"] = self._gross_lev.get_analysis()

    def get_pf_items(self) -> tuple[Any, Any, Any, Any]:
        """(returns Series, positions DataFrame, transactions DataFrame, gross leverage
        Series), each indexed by UTC datetimes."""
        returns = _frame(self.rets["returns"].items(), ["index", "return"])["return"]
        rows = [[k, *v[-2:]] for k, v in self.rets["positions"].items()]
        positions = _frame(rows[1:], rows[0])
        txs = [[k, *entry] for k, entries in self.rets["transactions"].items() for entry in entries]
        transactions = _frame(txs[1:], txs[0])
        gross_lev = _frame(self.rets["gross_lev"].items(), ["index", "gross_lev"])["gross_lev"]
        return returns, positions, transactions, gross_lev


def _frame(records: Iterable[Any], columns: list[str]) -> Any:
    """DataFrame from ``records`` indexed by the first column, as UTC datetimes."""
    import pandas as pd

    df = pd.DataFrame.from_records(list(records), index=columns[0], columns=columns)
    df.index = pd.to_datetime(df.index).tz_localize("UTC")
    return df
