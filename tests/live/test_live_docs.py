"""docs/live.md's example runs as written and shows what it claims."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "live.md"


def test_the_live_docs_example_reconciles_a_restart_and_then_finds_nothing_to_do(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = next(block for block in re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
                if "reconcile" in block)
    script = tmp_path / "live_example.py"
    script.write_text(code)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "external order ext:permId=4242 on EUR.USD" in out
    assert "Rejected (never reached the venue" in out
    assert "AAPL position: 100.0 | buy: Completed | sell: Rejected" in out
    assert "again: []" in out


def test_the_quicknotify_example_tells_an_ack_at_once_only_with_quicknotify(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = next(block for block in re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
                if "quicknotify" in block)
    script = tmp_path / "quicknotify_example.py"
    script.write_text(code)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert out == ("quicknotify=False:\n  Accepted told while the strategy is at bar 4\n"
                   "quicknotify=True:\n  Accepted told while the strategy is at bar 3\n")
