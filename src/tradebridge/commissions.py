"""backtrader's ``bt.commissions`` module: the ready-made commission schemes."""

from .orders.comminfo import (
    CommInfo,
    CommInfo_Futures,
    CommInfo_Futures_Fixed,
    CommInfo_Futures_Perc,
    CommInfo_Stocks,
    CommInfo_Stocks_Fixed,
    CommInfo_Stocks_Perc,
    CommInfoBase,
    CommissionInfo,
)

__all__ = [
    "CommInfo", "CommInfoBase", "CommInfo_Futures", "CommInfo_Futures_Fixed",
    "CommInfo_Futures_Perc", "CommInfo_Stocks", "CommInfo_Stocks_Fixed", "CommInfo_Stocks_Perc",
    "CommissionInfo",
]
