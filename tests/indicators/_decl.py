"""Test helper: an indicator's declarations (params, line names, plotinfo, plotlines) equal
backtrader's, class by class."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import backtrader

import tradebridge

__all__ = ["assert_same_declarations"]


def _bt_plotlines(cls: Any) -> dict[str, dict[str, Any]]:
    pairs = cls.plotlines._getpairs().items()
    return {k: dict(v if isinstance(v, dict) else v._getpairs()) for k, v in pairs}


def _tb_plotlines(cls: Any) -> dict[str, dict[str, Any]]:
    return {k: dict(v) for k, v in cls.plotlines._defaults.items()}


def _same_param(ours: Any, theirs: Any) -> bool:
    """Equal values; a class (``_movav=EMA``) matches by name anywhere in backtrader's class
    line (its ``EMA`` is an alias subclass of ``ExponentialMovingAverage``)."""
    if isinstance(ours, type) and isinstance(theirs, type):
        return ours.__name__ in {k.__name__ for k in theirs.__mro__}
    return bool(ours == theirs)


def assert_same_declarations(names: Iterable[str]) -> None:
    """Each name is in both indicator namespaces with the same params (in order), lines,
    plotinfo values (the keys tradebridge has) and plotlines styles (empty ones aside)."""
    for name in names:
        ours, theirs = getattr(tradebridge.ind, name, None), getattr(backtrader.ind, name, None)
        assert ours is not None and theirs is not None, f"missing indicator name: {name}"
        mine, want = ours.params._getitems(), list(theirs.params._getitems())
        assert [k for k, _ in mine] == [k for k, _ in want], name
        assert all(_same_param(a, b) for (_, a), (_, b) in zip(mine, want)), name
        assert ours.getlinealiases() == theirs.lines.getlinealiases(), name
        info = dict(theirs.plotinfo._getpairs())
        assert {k: info[k] for k in ours.plotinfo._defaults} == ours.plotinfo._defaults, name
        want = {k: v for k, v in _bt_plotlines(theirs).items() if v}
        assert {k: v for k, v in _tb_plotlines(ours).items() if v} == want, name
