"""docs/venues/vc.md's example runs as written, on the fake Visual Chart, and shows what it claims."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "venues" / "vc.md"


def test_the_vc_docs_example_buys_when_live_and_the_cash_matches_the_venue(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    script = tmp_path / "vc_example.py"
    script.write_text(code)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "data: CONNECTED\ndata: DELAYED\ndata: LIVE" in out
    assert "order: Completed 2.0 103.0" in out
    assert "cash: 9794.0 | venue cash: 9794.0" in out
