"""Drawing primitives: prices (line, candles, OHLC bars), volume, and styled lines.

Every function takes bar positions ``x`` (integers on the strategy's clock) and arrays of
the same length; NaN values are gaps, as backtrader leaves them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection

from .scheme import PlotScheme

__all__ = ["draw_hlines", "draw_line", "draw_price", "draw_volume", "line_style"]

# plotlines keys that are ours, not matplotlib's
_PRIVATE = ("_name", "_plotskip", "_method", "_fill_gt", "_fill_lt", "_samecolor", "_skipnan",
            "_plotvalue", "_plotvaluetag")


def line_style(plotlines: Any, name: str) -> dict[str, Any]:
    """The style dict ``plotlines.<name>`` (a dict or an info object), or {}."""
    style = getattr(plotlines, name, None)
    if style is None:
        return {}
    if isinstance(style, Mapping):
        return dict(style)
    if hasattr(style, "_getkwargs"):
        return dict(style._getkwargs())
    return dict(vars(style))


def _bodies(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, width: float) -> list[np.ndarray]:
    """Rectangles [x-w/2, x+w/2] x [lo, hi] as polygon vertices (finite values only)."""
    w = width / 2.0
    ok = np.isfinite(lo) & np.isfinite(hi)
    xs, los, his = x[ok], lo[ok], hi[ok]
    verts = np.stack([
        np.column_stack([xs - w, los]), np.column_stack([xs - w, his]),
        np.column_stack([xs + w, his]), np.column_stack([xs + w, los]),
    ], axis=1)
    return list(verts)


def _updown(o: np.ndarray, c: np.ndarray, up: str, down: str) -> list[str]:
    return [up if cc >= oo else down for oo, cc in zip(o, c) if np.isfinite(oo) and np.isfinite(cc)]


def draw_price(ax: Any, x: np.ndarray, ohlc: dict[str, np.ndarray], label: str,
               scheme: PlotScheme) -> None:
    """Close line, candles, or OHLC bars, as ``scheme.style`` says."""
    o, h, l, c = (ohlc[k] for k in ("open", "high", "low", "close"))
    if scheme.style == "line":
        ax.plot(x, c, color=scheme.loc, lw=scheme.linewidth, label=label)
        return
    ok = np.isfinite(o) & np.isfinite(h) & np.isfinite(l) & np.isfinite(c)
    colors = [scheme.barup if cc >= oo else scheme.bardown for oo, cc in zip(o[ok], c[ok])]
    xs = x[ok]
    segs = [np.column_stack([xs, l[ok]]), np.column_stack([xs, h[ok]])]
    wicks = np.stack(segs, axis=1)
    if scheme.style == "candle":
        ax.add_collection(LineCollection(list(wicks), colors=colors, linewidths=0.8, label=label))
        lo, hi = np.minimum(o, c), np.maximum(o, c)
        bodies = PolyCollection(_bodies(x, lo, hi, scheme.barwidth), facecolors=colors,
                                edgecolors=colors, linewidths=0.5)
        ax.add_collection(bodies)
    else:
        w = scheme.barwidth / 2.0
        left = np.stack([np.column_stack([xs - w, o[ok]]), np.column_stack([xs, o[ok]])], axis=1)
        right = np.stack([np.column_stack([xs, c[ok]]), np.column_stack([xs + w, c[ok]])], axis=1)
        segments = list(wicks) + list(left) + list(right)
        ax.add_collection(LineCollection(segments, colors=colors * 3, linewidths=1.0,
                                         label=label))
    ax.autoscale_view()


def draw_volume(ax: Any, x: np.ndarray, o: np.ndarray, c: np.ndarray, v: np.ndarray,
                scheme: PlotScheme, overlay: bool) -> bool:
    """Volume bars coloured by the bar's direction; False (nothing drawn) when all zero."""
    finite = np.isfinite(v)
    if not finite.any() or not np.nanmax(np.abs(v)) > 0:
        return False
    zero = np.zeros_like(v)
    vv = np.where(finite, v, np.nan)
    colors = _updown(np.where(finite, o, np.nan), np.where(finite, c, np.nan),
                     scheme.volup, scheme.voldown)
    bars = PolyCollection(_bodies(x, zero, vv, scheme.barwidth), facecolors=colors,
                          edgecolors="none", alpha=scheme.volalpha, label="Volume")
    ax.add_collection(bars)
    top = float(np.nanmax(vv))
    ax.set_ylim(0.0, top / scheme.volscaling if overlay else top * 1.05)
    ax.set_xlim(float(x[0]) - 1, float(x[-1]) + 1)
    if overlay:
        ax.set_yticks([])
    return True


def draw_line(ax: Any, x: np.ndarray, y: np.ndarray, style: dict[str, Any], label: str,
              color: str) -> Any:
    """One indicator/observer line with its plotlines style (``_method='bar'`` for bars)."""
    kwargs = {k: v for k, v in style.items() if not k.startswith("_")}
    kwargs.setdefault("color", color)
    if style.get("_method") == "bar":
        kwargs.pop("ls", None)
        kwargs.pop("marker", None)
        ok = np.isfinite(y)
        artist = ax.bar(x[ok], y[ok], label=label, **kwargs)
    else:
        artist = ax.plot(x, y, label=label, **kwargs)[0]
    for key, cmp in (("_fill_gt", np.greater), ("_fill_lt", np.less)):
        spec = style.get(key)
        if spec:
            ref, fcolor = spec
            refy = np.full_like(y, float(ref)) if np.isscalar(ref) else np.asarray(ref)
            with np.errstate(invalid="ignore"):
                where = cmp(y, refy)
            ax.fill_between(x, y, refy, where=where, color=fcolor, alpha=0.2, interpolate=True)
    return artist


def draw_hlines(ax: Any, levels: Any, scheme: PlotScheme) -> None:
    """Horizontal reference lines (``plothlines``/``plotyhlines``)."""
    for level in levels or ():
        ax.axhline(float(level), color=scheme.hlinescolor, ls=scheme.hlinesstyle, lw=0.8)
