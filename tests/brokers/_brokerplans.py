"""Reusable plans for differential tests (pure functions of the bar and a seeded RNG)."""

from __future__ import annotations

import random
from typing import Any

ALL_TYPES = ("Market", "Close", "Limit", "Stop", "StopLimit", "StopTrail", "StopTrailLimit")


def _kwargs_for(et: str, rng: random.Random, close: float) -> dict[str, Any]:
    """Prices/trail settings for an order of exec type ``et`` near ``close``."""
    if et in ("Market", "Close"):
        return {}
    price = round(close * (1 + rng.uniform(-0.02, 0.02)), 2)
    if et in ("Limit", "Stop"):
        return {"price": price}
    if et == "StopLimit":
        return {"price": price, "plimit": round(price * (1 + rng.uniform(-0.01, 0.01)), 2)}
    trail = ({"trailamount": round(close * rng.uniform(0.005, 0.02), 2)} if rng.random() < 0.5
             else {"trailpercent": rng.uniform(0.005, 0.02)})
    if et == "StopTrailLimit":
        trail["plimit"] = round(close * (1 + rng.uniform(-0.01, 0.01)), 2)
        trail["price"] = close
    return trail


def random_plan(seed: int, types: tuple[str, ...] = ALL_TYPES, p_order: float = 0.35,
                p_cancel: float = 0.1, max_size: int = 20, valids: bool = False,
                tradeids: bool = False) -> Any:
    """Random orders of ``types`` (and cancels) placed with a seeded RNG."""

    def plan(s: Any, O: Any) -> None:
        rng = s.mem.setdefault("rng", random.Random(seed))
        placed = s.mem.setdefault("placed", [])
        if rng.random() < p_order:
            side = s.buy if rng.random() < 0.5 else s.sell
            et = rng.choice(types)
            kw = _kwargs_for(et, rng, s.data.close[0])
            if valids and rng.random() < 0.5:
                kw["valid"] = rng.choice([O.DAY, s.data.datetime.date(0) + _days(rng),
                                          _days(rng)])
            if tradeids:
                kw["tradeid"] = rng.randint(0, 2)
            placed.append(side(size=rng.randint(1, max_size), exectype=getattr(O, et), **kw))
        if placed and rng.random() < p_cancel:
            s.cancel(rng.choice(placed))

    return plan


def _days(rng: random.Random) -> Any:
    import datetime as dt

    return dt.timedelta(days=rng.randint(1, 4))
