"""Property: any well-formed CSV loads to the very values and date numbers backtrader loads."""

from __future__ import annotations

import datetime as dt
import io
import math

import backtrader
from hypothesis import given, settings
from hypothesis import strategies as st

import tradebridge

_START = dt.datetime(1995, 1, 2, 0, 0)


class _PerLine(tradebridge.feeds.GenericCSVData):
    """Forces the line-by-line path (a subclass overriding ``_loadline``)."""

    def _loadline(self, linetokens: list[str]) -> bool:
        return super()._loadline(linetokens)


def _arrays(bt, text: str, feedcls=None, **kwargs) -> list[list[float]]:  # type: ignore[no-untyped-def]
    feedcls = feedcls or bt.feeds.GenericCSVData
    data = feedcls(dataname=io.StringIO(text), name="random", **kwargs)
    data.setenvironment(bt.Cerebro())
    data._start()
    data.preload()
    return [list(line.array)[: data.buflen()] for line in data.lines]


@st.composite
def csv_files(draw):  # type: ignore[no-untyped-def]
    """(text, feed kwargs): random rows, layout, separator, header, time column, precision."""
    n = draw(st.integers(1, 40))
    daily = draw(st.booleans())
    gaps = draw(st.lists(st.integers(1, 600), min_size=n, max_size=n))
    stamps, t = [], _START
    for gap in gaps:
        # daily rows keep a time of day sometimes: the session end replaces it if later
        t += dt.timedelta(days=gap % 3 + 1, seconds=gap % 2 * gap) if daily else \
            dt.timedelta(seconds=gap)
        stamps.append(t)
    price = st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False)
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    split_time = draw(st.booleans())
    headers = draw(st.booleans())
    decimals = draw(st.integers(0, 8))
    rows = ["Date" + sep + "whatever"] if headers else []
    for stamp in stamps:
        vals = [f"{draw(price):.{decimals}f}" for _ in range(6)]
        if split_time:
            lead = [f"{stamp:%Y-%m-%d}", f"{stamp:%H:%M:%S}"]
        else:
            lead = [f"{stamp:%Y-%m-%d %H:%M:%S}"]
        rows.append(sep.join(lead + vals))
    kwargs = dict(separator=sep, headers=headers)
    first = 2 if split_time else 1
    kwargs.update({name: first + k for k, name in
                   enumerate(("open", "high", "low", "close", "volume", "openinterest"))})
    if split_time:
        kwargs.update(time=1, dtformat="%Y-%m-%d")
    if not daily:
        kwargs["timeframe"] = tradebridge.TimeFrame.Minutes
    trailing = draw(st.sampled_from(["\n", ""]))
    return "\n".join(rows) + trailing, kwargs


@settings(max_examples=150, deadline=None)
@given(csv_files(), st.booleans())
def test_random_well_formed_csv_equals_backtrader(case, perline) -> None:  # type: ignore[no-untyped-def]
    text, kwargs = case
    expected = _arrays(backtrader, text, **kwargs)
    got = _arrays(tradebridge, text, _PerLine if perline else None, **kwargs)
    assert expected[-1], "backtrader loaded no bar"
    assert len(got) == len(expected)
    for a, b in zip(expected, got):
        assert len(a) == len(b) and all(x == y or (math.isnan(x) and math.isnan(y))
                                         for x, y in zip(a, b)), (a[:3], b[:3])
