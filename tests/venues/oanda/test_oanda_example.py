"""examples/oandatest.py: backtrader's oandatest arguments, run against the in-process v20 sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

# The arguments backtrader's oandatest sample takes (its docs: store, data and broker params).
OANDATEST_ARGS = """
    --exactbars --plot --stopafter --usestore --debug --token --account --practice --qcheck --data0 --data1
    --timezone --no-backfill_start --latethrough --no-backfill --no-bidask --useask --no-includeFirst
    --historical --fromdate --smaperiod --replay --resample --timeframe --compression --no-takelate
    --no-bar2edge --no-adjbartime --no-rightedge --broker --trade --donotsell --exectype --stake --valid
    --cancel
""".split()


@pytest.fixture
def oandatest(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.delenv("OANDA_TOKEN", raising=False)
    import oandatest as module

    yield module
    sys.modules.pop("oandatest", None)
    sys.modules.pop("ibtest", None)


def test_it_takes_the_arguments_of_backtraders_oandatest(oandatest, capsys):
    with pytest.raises(SystemExit):
        oandatest.parse_args(["--help"])
    text = capsys.readouterr().out
    assert [a for a in OANDATEST_ARGS if a not in text] == []


def test_without_a_token_it_trades_against_the_sandbox_buying_live_and_selling_again(
        oandatest, capsys, tmp_path):
    args = oandatest.parse_args(["--broker", "--trade", "--stopafter", "5", "--sandbox-speed", "0.02",
                                 "--journal", str(tmp_path / "j.sqlite")])
    assert oandatest.run(args) == 0
    out = capsys.readouterr().out
    assert "OANDA v20 sandbox at http://127.0.0.1:" in out
    assert "DATA NOTIF: EUR_USD: DELAYED" in out and "DATA NOTIF: EUR_USD: LIVE" in out
    assert "Buy Completed size 1000" in out and "Sell Completed size -1000" in out
    assert "stopping after 5 live bars" in out
