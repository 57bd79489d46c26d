"""Plotting: ``cerebro.plot()`` draws prices, volume, indicators and observers with matplotlib."""

from .plotter import Plot, plot_cerebro
from .scheme import PlotScheme

Plot_OldSync = Plot

__all__ = ["Plot", "PlotScheme", "Plot_OldSync", "plot_cerebro"]
