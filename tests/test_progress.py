"""Progress: silent off a terminal, counts every step, draws in chunks when enabled."""

from __future__ import annotations

import io

from tradebridge.progress import Progress


def test_progress_is_silent_when_stream_is_not_a_tty():
    stream = io.StringIO()
    with Progress(100, stream=stream) as bar:
        for _ in range(100):
            bar.update()
    assert not bar.active and bar.count == 100 and stream.getvalue() == ""


def test_progress_draws_in_chunks_when_enabled():
    stream = io.StringIO()
    bar = Progress(100, every=10, enabled=True, stream=stream)
    for _ in range(25):
        bar.update()
    assert bar._drawn == 20
    bar.close()
    assert bar._drawn == 25 and "backtest" in stream.getvalue()
