"""Cash effect of a fill's closing and opening parts, shared by the backtest and live brokers."""

from __future__ import annotations

from typing import Any, NamedTuple

from .risk import cash_reason

__all__ = ["Settlement", "closing_part", "opening_part", "settle"]


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


class Settlement(NamedTuple):
    """A fill's arithmetic: cash after it, the position after it and its closed/opened parts."""

    cash: float
    psize: float
    pprice: float
    pnl: float
    closed: float
    closedvalue: float
    closedcomm: float
    opened: float
    openedvalue: float
    openedcomm: float
    refused: str | None  # why the opening part was refused for lack of cash (then opened == 0)


def settle(comminfo: Any, cinfocomp: Any, position: Any, size: float, price: float, cash: float,
           shortcash: bool, check_cash: bool = True) -> Settlement:
    """Settle a fill of ``size`` at ``price`` against ``position`` (its ``adjbase`` is updated,
    not its size); with ``check_cash`` an opening part the cash cannot pay is refused."""
    pprice_orig = position.price
    psize, pprice, opened, closed = position.pseudoupdate(size, price)
    pnl = comminfo.profitandloss(-closed, pprice_orig, price)
    closedvalue = closedcomm = openedvalue = openedcomm = 0.0
    refused = None
    if closed:
        closedvalue, delta, closedcomm = closing_part(comminfo, closed, pprice_orig, price, pnl, shortcash)
        cash += delta
        cash -= closedcomm
        cash += comminfo.cashadjust(-closed, position.adjbase, price)
    if opened:
        openedvalue, spent, openedcomm = opening_part(comminfo, cinfocomp, opened, price, shortcash)
        after = cash - spent
        after -= openedcomm
        if check_cash and after < 0.0:
            refused = cash_reason(after + spent + openedcomm, after)
            opened = 0
            openedvalue = openedcomm = 0.0
        else:
            cash = after
            if abs(psize) > abs(opened):
                cash += comminfo.cashadjust(psize - opened, position.adjbase, price)
            position.adjbase = price
    return Settlement(cash, psize, pprice, pnl, closed, closedvalue, closedcomm,
                      opened, openedvalue, openedcomm, refused)
