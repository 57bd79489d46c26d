"""Plot: draws one strategy as matplotlib figures; ``plot_cerebro`` does every strategy.

Headless by default: with a non-interactive backend (Agg, or no display) figures are plain
``matplotlib.figure.Figure`` objects, never registered with pyplot; with an interactive
backend they are pyplot figures and ``show()`` opens them, as ``cerebro.plot()`` does in
backtrader.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..lines.lineiterator import as_array
from ..utils.dates import date2num, num2date
from .draw import draw_hlines, draw_line, draw_price, draw_volume, line_style
from .layout import Panel, build_panels
from .scheme import PlotScheme

__all__ = ["Plot", "plot_cerebro"]

_NONINTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


def interactive_backend() -> bool:
    """True when matplotlib's backend can open windows (figures then go through pyplot)."""
    backend = str(matplotlib.get_backend()).lower()
    return backend not in _NONINTERACTIVE and "inline" not in backend


class Plot:
    """backtrader's ``bt.plot.Plot``: ``Plot(style='candle').plot(strategy)`` -> figures."""

    def __init__(self, **kwargs: Any) -> None:
        self.scheme = PlotScheme(**kwargs)

    def plot(self, strategy: Any, figid: int = 0, numfigs: int = 1, iplot: bool = False,
             start: Any = None, end: Any = None, width: float = 16, height: float = 9,
             dpi: int = 300, tight: bool = True, use: Any = None) -> list[Any]:
        """One figure per ``numfigs`` slice of the bars between ``start`` and ``end``."""
        dts = np.asarray(strategy.lines.datetime._a, dtype=np.float64)
        if not len(dts):
            raise ValueError("plot: the strategy has no bars (run cerebro before plotting)")
        first, last = _bar_range(dts, start, end)
        panels = build_panels(strategy)
        bounds = np.linspace(first, last + 1, max(1, int(numfigs)) + 1).astype(int)
        figs = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            if b <= a:
                continue
            fig = _new_figure(width, height, dpi)
            _draw_figure(fig, strategy, panels, slice(int(a), int(b)), dts, self.scheme)
            if tight:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fig.tight_layout()
            figs.append(fig)
        return figs

    def show(self) -> None:
        """Open the figures (only with an interactive backend)."""
        if interactive_backend():
            import matplotlib.pyplot as plt

            plt.show()


def plot_cerebro(cerebro: Any, plotter: Any = None, numfigs: int = 1, start: Any = None,
                 end: Any = None, width: float = 16, height: float = 9, dpi: int = 300,
                 tight: bool = True, show: bool | None = None, **kwargs: Any) -> list[list[Any]]:
    """Figures for every strategy of the last run: a list (per strategy) of lists of figures."""
    if plotter is None:
        plotter = Plot(**kwargs)
    elif kwargs:
        raise TypeError(f"plot: options {sorted(kwargs)} go to the plotter, not with plotter=")
    runs = getattr(cerebro, "runstrats", None)
    if not runs:
        raise ValueError("plot: nothing to plot; call cerebro.run() first")
    if getattr(cerebro, "_dooptimize", False):
        raise ValueError("plot: optimization runs cannot be plotted (run one parameter set)")
    figs = []
    for stratlist in runs:
        for strat in stratlist:
            figs.append(plotter.plot(strat, figid=len(figs), numfigs=numfigs, start=start,
                                     end=end, width=width, height=height, dpi=dpi, tight=tight))
    if show or (show is None and interactive_backend()):
        plotter.show()
    return figs


def _new_figure(width: float, height: float, dpi: int) -> Any:
    if interactive_backend():
        import matplotlib.pyplot as plt

        return plt.figure(figsize=(width, height), dpi=dpi)
    return Figure(figsize=(width, height), dpi=dpi)


def _bar_index(dts: np.ndarray, when: Any, side: str) -> int:
    if isinstance(when, (int, np.integer)) and not isinstance(when, bool):
        return int(when) if when >= 0 else len(dts) + int(when)
    if isinstance(when, _dt.date) and not isinstance(when, _dt.datetime):
        when = _dt.datetime.combine(when, _dt.time.max if side == "right" else _dt.time.min)
    num = date2num(when) if isinstance(when, _dt.datetime) else float(when)
    pos = int(np.searchsorted(dts, num, side=side))
    return pos if side == "left" else pos - 1


def _bar_range(dts: np.ndarray, start: Any, end: Any) -> tuple[int, int]:
    """First and last bar index to draw, from ints (bar numbers), dates or datetimes."""
    first = 0 if start is None else _bar_index(dts, start, "left")
    last = len(dts) - 1 if end is None else _bar_index(dts, end, "right")
    first, last = max(0, first), min(len(dts) - 1, last)
    if last < first:
        raise ValueError(f"plot: start={start!r} / end={end!r} select no bars")
    return first, last


def _draw_figure(fig: Any, strategy: Any, panels: list[Panel], sl: slice, dts: np.ndarray,
                 scheme: PlotScheme) -> None:
    weights = [scheme.rowsmajor if p.kind == "data" else scheme.rowsminor for p in panels]
    grid = fig.add_gridspec(len(panels), 1, height_ratios=weights, hspace=0.05)
    x = np.arange(len(dts), dtype=np.float64)[sl]
    first_ax = None
    axes = []
    for i, panel in enumerate(panels):
        ax = fig.add_subplot(grid[i, 0], sharex=first_ax)
        first_ax = first_ax or ax
        axes.append(ax)
        _draw_panel(ax, strategy, panel, x, sl, scheme)
    _format_x(axes, dts, x, scheme)


def _draw_panel(ax: Any, strategy: Any, panel: Panel, x: np.ndarray, sl: slice,
                scheme: PlotScheme) -> None:
    ci = [0]
    if panel.kind == "data":
        for data in panel.datas:
            _draw_data(ax, strategy, data, x, sl, scheme, _position(strategy.datas, data))
    else:
        _draw_lines(ax, strategy, panel.owner, x, sl, scheme, ci)
        info = panel.owner.plotinfo
        draw_hlines(ax, list(getattr(info, "plothlines", []) or [])
                    + list(getattr(info, "plotyhlines", []) or []), scheme)
        yticks = getattr(info, "plotyticks", None)
        if yticks:
            ax.set_yticks(list(yticks))
    datas = {id(d) for d in panel.datas}
    for obj in panel.overlays:
        if id(obj) not in datas:
            _draw_lines(ax, strategy, obj, x, sl, scheme, ci)
    if panel.kind != "data":
        ax.margins(y=max(0.05, float(getattr(panel.owner.plotinfo, "plotymargin", 0.0) or 0.0)))
    ax.grid(scheme.grid, alpha=0.3)
    ax.tick_params(labelsize=scheme.tickfontsize)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper left", fontsize=scheme.legendfontsize,
                  framealpha=0.6)


def _draw_data(ax: Any, strategy: Any, data: Any, x: np.ndarray, sl: slice,
               scheme: PlotScheme, idx: int) -> None:
    cols = {k: as_array(getattr(data.lines, k), strategy)[sl]
            for k in ("open", "high", "low", "close", "volume")}
    name = data._name or f"data{idx}"
    close = cols["close"]
    last = close[np.isfinite(close)]
    label = f"{name} C:{last[-1]:.2f}" if len(last) else name
    draw_price(ax, x, cols, label, scheme)
    if scheme.volume:
        vax = ax.twinx() if scheme.voloverlay else None
        if vax is not None and not draw_volume(vax, x, cols["open"], cols["close"], cols["volume"],
                                               scheme, overlay=True):
            vax.remove()
        elif vax is not None:
            ax.set_zorder(vax.get_zorder() + 1)
            ax.patch.set_visible(False)


def _label(obj: Any) -> str:
    """The legend title of an indicator/observer: plotname, or class name and its params."""
    name = getattr(obj.plotinfo, "plotname", "") or type(obj).__name__
    keys = type(obj).params._getkeys() if getattr(obj, "_ltype", 0) != 2 else []
    vals = [getattr(obj.p, k) for k in keys]
    shown = [str(v) for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return f"{name} ({', '.join(shown)})" if shown else name


def _draw_lines(ax: Any, strategy: Any, obj: Any, x: np.ndarray, sl: slice,
                scheme: PlotScheme, ci: list[int]) -> None:
    title = _label(obj)
    names = type(obj)._line_names
    for name in names:
        style = line_style(obj.plotlines, name)
        if style.get("_plotskip"):
            continue
        y = as_array(getattr(obj.lines, name), strategy)[sl]
        if len(y) < len(x):
            y = np.concatenate([y, np.full(len(x) - len(y), np.nan)])
        for key in ("_fill_gt", "_fill_lt"):
            spec = style.get(key)
            if spec and isinstance(spec[0], str):
                ref = as_array(getattr(obj.lines, spec[0]), strategy)[sl]
                style[key] = (ref, spec[1])
        lname = style.get("_name", name)
        label = title if len(names) == 1 and "_name" not in style else f"{title} {lname}"
        draw_line(ax, x, y, style, label, scheme.color(ci[0]))
        ci[0] += 1


def _format_x(axes: list[Any], dts: np.ndarray, x: np.ndarray, scheme: PlotScheme) -> None:
    """Dates on the bottom axis (bars are placed by index so there are no weekend gaps)."""
    span = dts[-1] - dts[0] if len(dts) > 1 else 0.0
    intraday = len(dts) > 1 and np.any(np.diff(dts) < 1.0)
    fmt = scheme.fmt_x_ticks or ("%Y-%m-%d %H:%M" if intraday and span < 60 else "%Y-%m-%d")

    def label(pos: float, _: Any = None) -> str:
        i = int(round(pos))
        return num2date(dts[i]).strftime(fmt) if 0 <= i < len(dts) else ""

    bottom = axes[-1]
    bottom.xaxis.set_major_locator(MaxNLocator(scheme.xticks, integer=True))
    bottom.xaxis.set_major_formatter(FuncFormatter(label))
    bottom.set_xlim(float(x[0]) - 1, float(x[-1]) + 1)
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    for tick in bottom.get_xticklabels():
        tick.set_rotation(20)
        tick.set_horizontalalignment("right")


def _position(items: list[Any], obj: Any) -> int:
    """Index of ``obj`` by identity (line objects overload ``==``)."""
    return next(i for i, item in enumerate(items) if item is obj)
