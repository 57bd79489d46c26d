"""Time frame constants with backtrader's values and names."""

from __future__ import annotations

__all__ = ["TimeFrame"]


class TimeFrame:
    """Bar periods: ``TimeFrame.Days`` etc., numbered as in backtrader."""

    (Ticks, MicroSeconds, Seconds, Minutes, Days, Weeks, Months, Years, NoTimeFrame) = range(1, 10)
    Names = [
        "", "Ticks", "MicroSeconds", "Seconds", "Minutes", "Days", "Weeks", "Months", "Years",
        "NoTimeFrame",
    ]
    names = Names

    @classmethod
    def getname(cls, tframe: int, compression: int | None = None) -> str:
        """Name of a time frame, singular when ``compression`` is 1 (``Day``)."""
        tname = cls.Names[tframe]
        if compression == 1 and tframe not in (cls.NoTimeFrame, cls.Ticks):
            return tname[:-1]
        return tname

    @classmethod
    def TFrame(cls, name: str) -> int:  # noqa: N802 - backtrader's name
        """The constant for a name (``'Days'``)."""
        return getattr(cls, name)

    @classmethod
    def TName(cls, tframe: int) -> str:  # noqa: N802 - backtrader's name
        """The name for a constant."""
        return cls.Names[tframe]

    @classmethod
    def getshortname(cls, tframe: int, compression: int | None = None) -> str:
        """Short name used in plots and analyzers (``'m'`` for Minutes...)."""
        tname = cls.getname(tframe, compression)
        return {"Minutes": "min", "Minute": "min"}.get(tname, tname)
