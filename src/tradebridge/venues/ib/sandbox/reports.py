"""Account values, portfolio and position updates built from the account and the last bars."""

from __future__ import annotations

from collections.abc import Iterable

from .accounts import Account
from .events import AccountValue, PortfolioValue, PositionUpdate
from .instruments import Instrument

__all__ = ["account_values", "fx_rate", "portfolio", "position_updates", "summary"]


def fx_rate(currency: str, base: str, instruments: Iterable[Instrument]) -> float:
    """Value of one ``currency`` unit in ``base`` from a listed forex pair's last close (1.0 if none)."""
    if currency == base:
        return 1.0
    for inst in instruments:
        c, last = inst.contract, inst.last
        if c.sec_type != "CASH" or last is None or not last.close:
            continue
        if c.symbol == currency and c.currency == base:
            return last.close
        if c.symbol == base and c.currency == currency:
            return 1.0 / last.close
    return 1.0


def _fmt(value: float) -> str:
    return f"{value:.2f}"


def _totals(account: Account, insts: list[Instrument]) -> dict[str, dict[str, float]]:
    """Per currency: cash, stock value, other position value, unrealized and realized P&L."""
    out: dict[str, dict[str, float]] = {}

    def row(cur: str) -> dict[str, float]:
        return out.setdefault(cur, dict.fromkeys(("cash", "stock", "other", "unreal", "real"), 0.0))

    for cur, cash in account.cash.items():
        row(cur)["cash"] += cash
    for inst in insts:
        con_id = inst.contract.con_id
        if con_id not in account.positions:
            continue
        r = row(inst.contract.currency)
        r["stock" if inst.contract.sec_type == "STK" else "other"] += account.market_value(inst)
        r["unreal"] += account.unrealized(inst)
        r["real"] += account.realized.get(con_id, 0.0)
    return out


def summary(account: Account, insts: list[Instrument]) -> dict[str, float]:
    """The account-wide figures in the base currency (NetLiquidation, AvailableFunds, ...)."""
    base = account.base
    cash = gross = value = 0.0
    for cur, amount in account.cash.items():
        cash += amount * fx_rate(cur, base, insts)
    for inst in insts:
        mv = account.market_value(inst) * fx_rate(inst.contract.currency, base, insts)
        value += mv
        gross += abs(mv)
    netliq = cash + value
    init = gross * account.margin
    available = netliq - init
    return {"NetLiquidation": netliq, "TotalCashValue": cash, "GrossPositionValue": gross,
            "EquityWithLoanValue": netliq, "InitMarginReq": init, "MaintMarginReq": init,
            "FullInitMarginReq": init, "AvailableFunds": available, "FullAvailableFunds": available,
            "ExcessLiquidity": available, "BuyingPower": available / account.margin}


def account_values(account: Account, insts: list[Instrument], targets: frozenset[int]) -> list[AccountValue]:
    """The updateAccountValue keys TWS sends, per currency and in BASE, for ``account``."""
    base, code = account.base, account.code
    totals = _totals(account, insts)
    out = [AccountValue("AccountCode", code, "", code, targets),
           AccountValue("AccountType", "INDIVIDUAL", "", code, targets),
           AccountValue("AccountReady", "true", "", code, targets)]
    summed = dict.fromkeys(("cash", "stock", "other", "unreal", "real"), 0.0)
    for cur in sorted(totals):
        rate = fx_rate(cur, base, insts)
        r = totals[cur]
        for key in summed:
            summed[key] += r[key] * rate
        out += _currency_rows(cur, r, rate, code, targets)
    out += _currency_rows("BASE", summed, 1.0, code, targets)
    out += [AccountValue(key, _fmt(value), base, code, targets)
            for key, value in summary(account, insts).items()]
    return out


def _currency_rows(cur: str, r: dict[str, float], rate: float, code: str,
                   targets: frozenset[int]) -> list[AccountValue]:
    """The per-currency keys of one currency (or BASE)."""
    rows = [("CashBalance", r["cash"]), ("TotalCashBalance", r["cash"]), ("StockMarketValue", r["stock"]),
            ("NetLiquidationByCurrency", r["cash"] + r["stock"] + r["other"]),
            ("UnrealizedPnL", r["unreal"]), ("RealizedPnL", r["real"])]
    out = [AccountValue(key, _fmt(value), cur, code, targets) for key, value in rows]
    out.append(AccountValue("ExchangeRate", f"{rate:.8g}", cur, code, targets))
    return out


def portfolio(account: Account, insts: Iterable[Instrument], targets: frozenset[int]) -> list[PortfolioValue]:
    """updatePortfolio for every contract the account has held (flat ones with position 0)."""
    out = []
    for inst in insts:
        pos = account.positions.get(inst.contract.con_id)
        if pos is None:
            continue
        price = inst.last.close if inst.last is not None else 0.0
        out.append(PortfolioValue(
            inst.contract, pos.size, price, account.market_value(inst), pos.price * inst.multiplier,
            account.unrealized(inst), account.realized.get(inst.contract.con_id, 0.0), account.code, targets))
    return out


def position_updates(account: Account, insts: Iterable[Instrument],
                     targets: frozenset[int]) -> list[PositionUpdate]:
    """position messages (reqPositions) for every contract the account has held."""
    out = []
    for inst in insts:
        pos = account.positions.get(inst.contract.con_id)
        if pos is not None:
            avg_cost = pos.price * inst.multiplier
            out.append(PositionUpdate(account.code, inst.contract, pos.size, avg_cost, targets))
    return out
