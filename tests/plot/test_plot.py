"""cerebro.plot() renders headless figures with the panels, lines and markers plotinfo asks for."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

import tradebridge as bt


class _Cross(bt.Strategy):
    def __init__(self) -> None:
        self.fast = bt.indicators.SMA(period=10)
        self.slow = bt.indicators.SMA(period=30)
        self.cross = bt.indicators.CrossOver(self.fast, self.slow)

    def next(self) -> None:
        if not self.position and self.cross > 0:
            self.buy(size=10)
        elif self.position and self.cross < 0:
            self.close()


@pytest.fixture(scope="module")
def cerebro(bars_short):
    c = bt.Cerebro()
    c.adddata(bt.feeds.PandasData(dataname=bars_short), name="syn")
    c.addstrategy(_Cross)
    c.run()
    return c


def _labels(ax) -> list[str]:
    return ax.get_legend_handles_labels()[1]


def test_plot_returns_headless_figures_per_strategy(cerebro):
    figs = cerebro.plot(dpi=50)
    assert len(figs) == 1 and len(figs[0]) == 1
    assert isinstance(figs[0][0], Figure)


def test_panels_are_broker_trades_price_volume_and_crossover(cerebro):
    fig = cerebro.plot(dpi=50)[0][0]
    # Broker, Trades, price, its volume twin, CrossOver (SMAs plot over the price)
    assert len(fig.axes) == 5
    assert any("Broker cash" in s for s in _labels(fig.axes[0]))
    assert any("CrossOver" in s for s in _labels(fig.axes[-1]))


def test_each_sma_draws_one_line_on_the_price_panel(cerebro):
    price = cerebro.plot(dpi=50)[0][0].axes[2]
    labels = _labels(price)
    assert sum("MovingAverageSimple" in s for s in labels) == 2
    assert any(s.startswith("syn") for s in labels)


def test_buy_markers_sit_on_the_bars_with_buy_executions(cerebro):
    strat = cerebro.runstrats[0][0]
    price = cerebro.plot(dpi=50)[0][0].axes[2]
    buys = [ln for ln in price.get_lines() if ln.get_label().endswith(" buy")][0]
    marked = np.flatnonzero(np.isfinite(np.asarray(buys.get_ydata(), dtype=float)))
    executed = [o for o in {o.ref: o for o in strat._orders}.values()
                if o.isbuy() and o.executed.size]
    assert len(marked) == len(executed) > 0
    assert buys.get_marker() == "^"


def test_candle_style_draws_one_body_per_bar(cerebro, bars_short):
    price = cerebro.plot(style="candle", dpi=50)[0][0].axes[2]
    bodies = [c for c in price.collections if isinstance(c, PolyCollection)]
    assert len(bodies[0].get_paths()) == len(bars_short)


def test_numfigs_splits_the_bars_over_figures(cerebro):
    figs = cerebro.plot(numfigs=3, dpi=50)[0]
    assert len(figs) == 3
    assert figs[0].axes[-1].get_xlim()[1] < figs[2].axes[-1].get_xlim()[0] + 1


def test_unknown_plot_option_names_it(cerebro):
    with pytest.raises(TypeError, match="nosuchoption"):
        cerebro.plot(nosuchoption=1)


def test_subplot_false_indicator_of_indicator_plots_on_its_panel(bars_short):
    class S(bt.Strategy):
        def __init__(self) -> None:
            x = bt.indicators.CrossOver(bt.indicators.SMA(period=5), bt.indicators.SMA(period=9))
            bt.indicators.SMA(x, period=3)

    c = bt.Cerebro(stdstats=False)
    c.adddata(bt.feeds.PandasData(dataname=bars_short))
    c.addstrategy(S)
    c.run()
    fig = c.plot(dpi=50)[0][0]
    assert len(fig.axes) == 3  # price, volume twin, CrossOver (+ its SMA over it)
    assert sum("MovingAverageSimple" in s for s in _labels(fig.axes[-1])) == 1


def test_png_is_written(cerebro, tmp_path):
    out = tmp_path / "p.png"
    cerebro.plot(dpi=40)[0][0].savefig(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
