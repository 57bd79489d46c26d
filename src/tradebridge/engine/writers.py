"""The engine's side of writers: what datas and strategies report (csv headers, the values
of a step, the summary), and the writers of one run fed in backtrader's order.

backtrader's order: data headers before the datas start, each strategy's headers once it
has started (its indicators and observers exist), ``start`` before the first step, a row
after every strategy step, and the summary after everything has stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..utils.timeframe import TimeFrame

__all__ = [
    "RunWriters", "series_headers", "series_info", "series_values", "strategy_headers",
    "step_calls", "strategy_info", "strategy_values",
]

# a data's columns: datetime first, then the prices (backtrader's LineOrder)
_LINE_ORDER = ("datetime", "open", "high", "low", "close", "volume", "openinterest")


# -- datas -------------------------------------------------------------------------------------
def series_headers(data: Any) -> list[str]:
    """A data's csv columns: its name, ``len``, the OHLC lines, then any extra lines."""
    names = data.lines.getlinealiases()
    return [data._name, "len", *_LINE_ORDER, *(n for n in names if n not in _LINE_ORDER)]


def series_values(data: Any) -> list[Any]:
    """A data's csv values now (empty fields before its first bar)."""
    n = len(data)
    if not n:
        return [data._name, n, *([""] * data.lines.size())]
    lines = data.lines
    extra = [getattr(lines, name)[0] for name in lines.getlinealiases() if name not in _LINE_ORDER]
    return [data._name, n, data.datetime.datetime(0),
            *(getattr(lines, name)[0] for name in _LINE_ORDER[1:]), *extra]


def series_info(data: Any) -> dict[str, Any]:
    """A data's part of the summary."""
    return {"Name": data._name, "Timeframe": TimeFrame.TName(data._timeframe),
            "Compression": data._compression}


# -- strategies --------------------------------------------------------------------------------
def _csv_name(obj: Any) -> str:
    return obj.plotinfo.plotname or type(obj).__name__


def strategy_headers(strat: Any) -> list[str]:
    """The strategy's csv columns, and which objects fill them (kept in ``indobscsv``):
    itself, then its indicators and observers whose ``csv`` is true."""
    items = (*strat.getindicators_lines(), *strat.getobservers())
    strat.indobscsv = [strat, *(x for x in items if x.csv)]
    headers: list[str] = []
    for obj in strat.indobscsv:
        headers += [_csv_name(obj), "len", *obj.lines.getlinealiases()]
    return headers


def strategy_values(strat: Any) -> list[Any]:
    """The csv values of the strategy's objects now (empty fields before their first bar)."""
    values: list[Any] = []
    for obj in strat.indobscsv:
        n = len(obj)
        values += [_csv_name(obj), n]
        values += [line[0] for line in obj.lines.itersize()] if n else [""] * obj.lines.size()
    return values


def strategy_info(strat: Any) -> dict[str, Any]:
    """The strategy's part of the summary: params, indicators, observers, analyses."""
    info: dict[str, Any] = {"Params": strat.p._getkwargs()}
    for section, items in (("Indicators", strat.getindicators_lines()),
                           ("Observers", strat.getobservers())):
        part: dict[str, Any] = {}
        for item in items:  # keyed by class name: a second object of a class replaces the first
            part.setdefault(type(item).__name__, {}).update(
                Lines=item.lines.getlinealiases() or None, Params=item.p._getkwargs() or None)
        info[section] = part
    broker = strat.broker
    analyzers: dict[str, Any] = {"Value": {"Begin": broker.startingcash, "End": broker.getvalue()}}
    for name, analyzer in strat.analyzers.getitems():
        analyzers.setdefault(name, {}).update(
            Params=analyzer.p._getkwargs() or None, Analysis=analyzer.get_analysis())
    info["Analyzers"] = analyzers
    return info


# -- one run's writers -------------------------------------------------------------------------
class RunWriters:
    """The writers of one ``cerebro.run``: cerebro's default one (``writer=True``) and
    those added with ``addwriter``, built before anything else runs."""

    def __init__(self, writers: list[Any] | None = None) -> None:
        self.writers = writers or []
        self.csv = [w for w in self.writers if w.p.csv]
        self._seen: list[int] | None = None  # the datas' indicator clocks at the last full step

    @classmethod
    def of(cls, cerebro: Any) -> RunWriters:
        """Build cerebro's writers now (a bad ``out`` path fails here, before the run)."""
        from ..writer import WriterFile

        writers = [WriterFile()] if cerebro.p.writer is True else []
        writers += [wcls(*args, **kwargs) for wcls, args, kwargs in cerebro.writers]
        return cls(writers)

    def add_data_headers(self, datas: list[Any]) -> None:
        """Before the datas start: their columns."""
        if self.csv:
            headers = [h for d in datas if d.csv for h in d.getwriterheaders()]
            for w in self.csv:
                w.addheaders(headers)

    def add_strategy_headers(self, strat: Any) -> None:
        """Once ``strat`` has started: its columns."""
        for w in self.csv:
            w.addheaders(strat.getwriterheaders())

    def start(self) -> None:
        """Before the first step (once per combination when optimizing)."""
        self._seen = None
        for w in self.writers:
            w.start()

    def step(self, datas: list[Any], runstrats: list[Any], stepped: int) -> None:
        """After ``runstrats[stepped]`` stepped: one row of every csv writer. The strategies
        after it have not stepped yet: their indicators show the previous step (in
        backtrader an indicator moves on with its strategy; here with its data)."""
        values = [v for d in datas if d.csv for v in d.getwritervalues()]
        for strat in runstrats[: stepped + 1]:
            values += strat.getwritervalues()
        clocks = [d._iclk for d in datas]
        if stepped + 1 < len(runstrats):
            now = [c.idx for c in clocks]
            for c, idx in zip(clocks, self._seen or [-1] * len(clocks)):
                c.idx = idx
            try:
                for strat in runstrats[stepped + 1:]:
                    values += strat.getwritervalues()
            finally:
                for c, idx in zip(clocks, now):
                    c.idx = idx
        else:
            self._seen = [c.idx for c in clocks]
        for w in self.csv:
            w.addvalues(values)
            w.next()

    def stop(self, datas: list[Any], runstrats: list[Any]) -> None:
        """After the run: the summary, then each writer stops."""
        summary = {"Cerebro": {
            "Datas": {f"Data{i}": d.getwriterinfo() for i, d in enumerate(datas)},
            "Strategies": {type(s).__name__: s.getwriterinfo() for s in runstrats},
        }}
        for w in self.writers:
            w.writedict(summary)
            w.stop()


def step_calls(cerebro: Any, runstrats: list[Any]) -> list[Callable[..., None]]:
    """What the loops call to step each strategy, decided once per run: its ``_step``, or
    that followed by a csv row when a writer wants rows (no per-step test otherwise)."""
    if not cerebro._runwriters.csv:
        return [strat._step for strat in runstrats]
    return [_write_after(cerebro, runstrats, i) for i in range(len(runstrats))]


def _write_after(cerebro: Any, runstrats: list[Any], i: int) -> Callable[..., None]:
    """Strategy ``i``'s step followed by a csv row, unless the step asked to stop."""
    step = runstrats[i]._step
    writers = cerebro._runwriters
    datas = cerebro.datas

    def step_and_write(*args: Any) -> None:
        step(*args)
        if not cerebro._event_stop:
            writers.step(datas, runstrats, i)

    return step_and_write
