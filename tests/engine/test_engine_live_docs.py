"""docs/live.md's live engine example runs as written and prints what it claims."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "live.md"


def test_the_live_engine_docs_example_runs_and_prints_its_claimed_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = [b for b in re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
               if "ReplayLiveData" in b]
    script = tmp_path / "live_engine_example.py"
    script.write_text(code)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out == ["status CONNECTED", "status DELAYED", "status LIVE", "status CONNBROKEN",
                   "status DELAYED", "status LIVE", "filled 1 at 100.0", "status DISCONNECTED",
                   "bars 30 duplicates dropped 1 value 10000.5"]
    claimed = [line.split("# ", 1)[1] for line in code.splitlines() if line.startswith("# bars")]
    assert claimed == [out[-1]]
