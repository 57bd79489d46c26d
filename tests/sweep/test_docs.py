"""docs/sweeps.md's Python example runs as written and produces what it claims."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pandas as pd

DOC = Path(__file__).resolve().parents[2] / "docs" / "sweeps.md"


def test_sweeps_doc_example_runs_and_writes_results_and_heatmap(tmp_path, monkeypatch, capsys):
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "example.py").write_text(code)
    runpy.run_path(str(tmp_path / "example.py"), run_name="__main__")
    assert "sqn.sqn" in capsys.readouterr().out
    assert len(pd.read_parquet(tmp_path / "results.parquet")) == 16
    assert (tmp_path / "heatmap.png").read_bytes()[:4] == b"\x89PNG"
