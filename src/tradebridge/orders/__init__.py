"""Orders and their math: Order, Position, Trade, commission schemes, fillers, trade book.

Every broker (backtest, paper, live) uses this one package; none re-implements commission
or P&L.
"""

from ._autodict import AutoOrderedDict
from .comminfo import (
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
from .fillers import BarPointPerc, FixedBarPerc, FixedSize
from .order import (
    BuyOrder,
    Order,
    OrderBase,
    SellOrder,
    StopBuyOrder,
    StopLimitBuyOrder,
    StopLimitSellOrder,
    StopSellOrder,
)
from .orderdata import OrderData, OrderExecutionBit
from .position import Position
from .trade import Trade, TradeHistory
from .tradebook import TradeBook

__all__ = [
    "AutoOrderedDict",
    "BarPointPerc",
    "BuyOrder",
    "CommInfo",
    "CommInfoBase",
    "CommInfo_Futures",
    "CommInfo_Futures_Fixed",
    "CommInfo_Futures_Perc",
    "CommInfo_Stocks",
    "CommInfo_Stocks_Fixed",
    "CommInfo_Stocks_Perc",
    "CommissionInfo",
    "FixedBarPerc",
    "FixedSize",
    "Order",
    "OrderBase",
    "OrderData",
    "OrderExecutionBit",
    "Position",
    "SellOrder",
    "StopBuyOrder",
    "StopLimitBuyOrder",
    "StopLimitSellOrder",
    "StopSellOrder",
    "Trade",
    "TradeBook",
    "TradeHistory",
]
