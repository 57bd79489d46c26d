"""Oscillator and the per-average oscillators (SMAOsc, EMAOscillator, ... every alias) match
backtrader at every bar, both modes, with backtrader's names, params, lines and plotting."""

from __future__ import annotations

from typing import Any

import backtrader
import pytest
from _decl import assert_same_declarations
from _diff import check_too_short, compare_same, record

import tradebridge

# one spelling per moving average, each with a short period and a non-default param if it has one;
# the ZeroLagIndicator's oscillator is a backtrader bug fixed here (test_zlind_mixins.py)
OSC_CASES = {
    "SMAOsc": dict(period=7),
    "EMAOscillator": dict(period=7),
    "SmoothedMovingAverageOsc": dict(period=7),
    "MovingAverageWeightedOscillator": dict(period=7),
    "DEMAOsc": dict(period=7),
    "TripleExponentialMovingAverageOscillator": dict(period=7),
    "HullMAOsc": dict(period=9),
    "ZLEMAOsc": dict(period=8),
    "KAMAOsc": dict(period=7, fast=3, slow=20),
    "DMAOsc": dict(period=12, hperiod=5),
}


def _generated_names(mod: Any) -> list[str]:
    """Every name of an oscillator or envelope class (one per moving average, Envelope, Oscillator)."""
    mixins = (mod.ind.OscillatorMixIn, mod.ind.EnvelopeMixIn)
    names = [n for n, c in vars(mod.ind).items()
             if n[:1].isupper() and isinstance(c, type) and issubclass(c, mixins) and c not in mixins]
    return sorted({*names, "Oscillator"})


@pytest.mark.parametrize("runonce", [True, False])
@pytest.mark.parametrize("name", list(OSC_CASES))
def test_ma_oscillators_match_backtrader(bars: Any, name: str, runonce: bool) -> None:
    kwargs = OSC_CASES[name]
    assert compare_same(lambda i, d: [getattr(i, name)(d), getattr(i, name)(d.high, **kwargs)],
                        bars, runonce) == len(bars)


@pytest.mark.parametrize("runonce", [True, False])
def test_oscillator_with_one_or_two_datas_matches_backtrader(bars: Any, runonce: bool) -> None:
    def make(i: Any, d: Any) -> list[Any]:
        return [
            i.Oscillator(i.SMA(d, period=5)),
            i.Oscillator(i.EMA(d.low, period=9)),
            i.Oscillator(d.high, d.low),
            i.Oscillator(d.close, i.WMA(d, period=4)),
        ]

    assert compare_same(make, bars, runonce) == len(bars)


def test_every_generated_name_of_backtrader_exists_with_its_declarations() -> None:
    names = _generated_names(backtrader)
    assert len(names) > 100
    assert names == _generated_names(tradebridge)
    assert_same_declarations(names)


def test_mixins_are_the_bases_of_the_generated_classes() -> None:
    ind = tradebridge.ind
    assert issubclass(ind.SMAOsc, ind.OscillatorMixIn) and not issubclass(ind.Oscillator, ind.OscillatorMixIn)
    assert issubclass(ind.DMAEnvelope, ind.EnvelopeMixIn) and issubclass(ind.Envelope, ind.EnvelopeMixIn)
    assert ind.SMAOsc is ind.MovingAverageSimpleOscillator is ind.SimpleMovingAverageOsc


def test_plotted_line_is_named_after_the_mean(bars: Any) -> None:
    seen: list[str] = []

    def make(d: Any) -> list[Any]:
        inds = [tradebridge.ind.SMAOsc(d, period=5), tradebridge.ind.Oscillator(tradebridge.ind.EMA(d))]
        seen.extend(i.plotlines._0["_name"] for i in inds)
        return inds

    record(tradebridge, make, bars.iloc[:40], True)
    assert seen == ["sma_osc", "ema_osc"]  # backtrader's labels after _plotinit


def test_period_longer_than_data_gives_nan_without_crash(bars: Any) -> None:
    check_too_short(lambda i, d: [i.SMAOsc(d, period=50), i.KAMAOscillator(d, period=50)], bars.iloc[:20])


def test_oscillator_of_a_data_feed_alone_is_a_clear_type_error(bars: Any) -> None:
    # backtrader: AttributeError ('Lines_...' object has no attribute 'data') from deep inside
    with pytest.raises(TypeError, match="with one data it must be an indicator"):
        record(tradebridge, lambda d: tradebridge.ind.Oscillator(d), bars.iloc[:10], True)
