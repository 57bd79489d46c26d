"""Bundled sample data: 2,500 seeded synthetic daily bars for the demo, docs and tests.

Made with ``synthetic_ohlcv(2500, seed=2024)`` (see ``tradebridge.utils.synthetic``); not real
market prices.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SAMPLE_SEED", "SAMPLE_BARS", "sample_csv"]

SAMPLE_SEED = 2024
SAMPLE_BARS = 2500


def sample_csv() -> Path:
    """Path of the bundled daily CSV (header ``datetime,open,high,low,close,volume,openinterest``)."""
    return Path(__file__).with_name("sample_daily.csv")


def _write_sample(path: Path | None = None) -> Path:
    """Regenerate the bundled CSV from its seed (used once, kept for reproducibility)."""
    from ..utils.synthetic import synthetic_ohlcv

    out = path or sample_csv()
    df = synthetic_ohlcv(SAMPLE_BARS, seed=SAMPLE_SEED)
    df.to_csv(out, date_format="%Y-%m-%d", float_format="%.2f")
    return out
