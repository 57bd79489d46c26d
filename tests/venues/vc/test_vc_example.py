"""examples/vctest.py: backtrader's vctest arguments, run against the fake Visual Chart off Windows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

# Every argument of backtrader's vctest sample, as its documentation lists them.
VCTEST_ARGS = """
    --exactbars --plot --stopafter --nostore --qcheck --no-timeoffset --data0 --tradename --data1 --timezone
    --no-backfill_start --latethrough --historical --fromdate --todate --smaperiod --replay --resample
    --timeframe --compression --no-bar2edge --no-adjbartime --no-rightedge --broker --account --trade
    --donotsell --exectype --price --pstoplimit --stake --valid --cancel
""".split()


@pytest.fixture
def vctest(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import vctest as module

    yield module
    sys.modules.pop("vctest", None)
    sys.modules.pop("ibtest", None)


def test_it_takes_every_argument_of_backtraders_vctest(vctest, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        vctest.parse_args(["--help"])
    text = capsys.readouterr().out
    assert [a for a in VCTEST_ARGS if a not in text] == []
    args = vctest.parse_args(["--data0", "015ES", "--exectype", "StopLimit", "--valid", "2026-12-31"])
    assert (args.data0, args.exectype, args.valid, args.stake, args.qcheck) == ("015ES", "StopLimit",
                                                                               "2026-12-31", 10, 0.5)
    # backtrader's defaults, and every exec type name its --exectype accepts
    defaults = vctest.parse_args([])
    assert (defaults.exactbars, defaults.stopafter, defaults.timeframe, defaults.compression,
            defaults.smaperiod, defaults.exectype, defaults.cancel, defaults.valid) == (
        1, 0, "Ticks", 1, 5, "Market", 0, None)
    names = ("Market", "Close", "Limit", "Stop", "StopLimit", "StopTrail", "StopTrailLimit", "Historical")
    for name in names:
        assert vctest.parse_args(["--exectype", name]).exectype == name


@pytest.mark.skipif(sys.platform == "win32", reason="off Windows it must fall back to the fake")
def test_off_windows_it_says_so_and_trades_on_the_fake(vctest, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    journal = str(tmp_path / "j.sqlite")
    args = vctest.parse_args(["--timeframe", "Minutes", "--broker", "--trade", "--stake", "2",
                              "--stopafter", "8", "--fake-speed", "0.05", "--journal", journal,
                              "--record", str(tmp_path / "s.vctrace")])
    assert vctest.run(args) == 0
    out = capsys.readouterr().out
    assert "Visual Chart needs Windows with Visual Chart 6 installed" in out and "fake Visual Chart" in out
    assert "DATA NOTIF: 015ES: LIVE" in out
    assert "Buy Completed size 2 executed 2.0" in out and "Sell Completed size -2.0 executed -2.0" in out
    assert "stopping after 8 live bars" in out
    assert (tmp_path / "s.vctrace").read_text().count('"send_order"') == 2


@pytest.mark.skipif(sys.platform == "win32", reason="off Windows it must fall back to the fake")
def test_an_exec_type_visual_chart_lacks_is_taken_and_each_order_rejected(
        vctest, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = vctest.parse_args(["--timeframe", "Minutes", "--broker", "--trade", "--stake", "2",
                              "--stopafter", "3", "--fake-speed", "0.05", "--exectype", "StopTrail",
                              "--journal", str(tmp_path / "j.sqlite")])
    assert vctest.run(args) == 0
    out = capsys.readouterr().out
    assert "Buy Rejected size 2 executed 0" in out and "Completed" not in out
