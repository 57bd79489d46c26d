"""PlotScheme: the look of a plot (price style, volume, colours, panel heights).

``cerebro.plot(style='candle', volume=False, barup='green')`` sets these attributes, as in
backtrader; an unknown name is an error instead of being silently ignored.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PlotScheme", "STYLES"]

STYLES = ("line", "candle", "bar", "ohlc")

# colour cycle for lines without an explicit colour (tableau 10)
_TABLEAU10 = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown",
              "tab:pink", "tab:gray", "tab:olive", "tab:cyan")


class PlotScheme:
    """Plot settings; keyword arguments override the defaults below."""

    style = "line"            # price drawing: line (close), candle, bar/ohlc
    volume = True             # draw the volume when the data has any
    voloverlay = True         # volume over the price panel (True) or in its own panel
    volscaling = 0.33         # overlaid volume fills this fraction of the price panel height
    volalpha = 0.5
    barup = "#3b8f3b"         # candle/bar colour when close >= open
    bardown = "#c0392b"
    volup = "#8fbf8f"
    voldown = "#e6a09a"
    loc = "black"             # colour of the close line in style='line'
    linewidth = 1.0
    barwidth = 0.7            # candle body / volume bar width, in bars
    grid = True
    rowsmajor = 5             # height weight of a data panel
    rowsminor = 1             # height weight of any other panel
    legendfontsize = "small"
    tickfontsize = "small"
    hlinescolor = "0.66"
    hlinesstyle = "--"
    lcolors = _TABLEAU10
    fmt_x_ticks: str | None = None   # strftime format for the date axis (None: by bar spacing)
    xticks = 8                # about how many date labels on the x axis

    def __init__(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            if not hasattr(type(self), key) or key.startswith("_"):
                raise TypeError(f"plot: unknown option {key!r} (see docs/plotting.md)")
            setattr(self, key, value)
        if self.style not in STYLES:
            raise ValueError(f"plot: style must be one of {', '.join(STYLES)}, not {self.style!r}")

    def color(self, i: int) -> str:
        """The i-th colour of the cycle."""
        return self.lcolors[i % len(self.lcolors)]
