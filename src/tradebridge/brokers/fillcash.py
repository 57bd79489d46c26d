"""Cash effect of a fill's closing and opening parts, shared by real and pseudo execution."""

from __future__ import annotations

from typing import Any

__all__ = ["closing_part", "opening_part"]


def closing_part(
    comminfo: Any, closed: float, pprice_orig: float, price: float, pnl: float, shortcash: bool
) -> tuple[float, float, float]:
    """(closedvalue, cash delta, closedcomm) of closing ``closed`` opened at ``pprice_orig``."""
    if shortcash:
        closedvalue = comminfo.getvaluesize(-closed, pprice_orig)
    else:
        closedvalue = comminfo.getoperationcost(closed, pprice_orig)
    closecash = closedvalue
    if closedvalue > 0:  # a long closed: margin/leverage returns less cash
        closecash /= comminfo.get_leverage()
    closedcomm = comminfo.getcommission(closed, price)
    return closedvalue, closecash + pnl * comminfo.stocklike, closedcomm


def opening_part(
    comminfo: Any, cinfocomp: Any, opened: float, price: float, shortcash: bool
) -> tuple[float, float, float]:
    """(openedvalue, cash spent, openedcomm) of opening ``opened`` at ``price``."""
    if shortcash:
        openedvalue = comminfo.getvaluesize(opened, price)
    else:
        openedvalue = comminfo.getoperationcost(opened, price)
    opencash = openedvalue
    if openedvalue > 0:  # a long opened: leverage lowers the cash needed
        opencash /= comminfo.get_leverage()
    return openedvalue, opencash, cinfocomp.getcommission(opened, price)
