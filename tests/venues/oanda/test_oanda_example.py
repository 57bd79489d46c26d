"""examples/oandatest.py: backtrader's oandatest arguments, run against the in-process v20 sandbox."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

# Every argument of backtrader's samples/oandatest/oandatest.py, with its default there.
OANDATEST_DEFAULTS = {
    "--exactbars": 1, "--stopafter": 0, "--no-store": False, "--debug": False, "--token": None,
    "--account": None, "--live": None, "--qcheck": 0.5, "--data0": None, "--data1": None,
    "--timezone": None, "--bidask": None, "--useask": None, "--no-backfill_start": False,
    "--no-backfill": False, "--historical": False, "--fromdate": None, "--smaperiod": 5,
    "--replay": False, "--resample": False, "--timeframe": "Ticks", "--compression": 1,
    "--timeframe1": None, "--compression1": None, "--no-takelate": False, "--no-bar2edge": False,
    "--no-adjbartime": False, "--no-rightedge": False, "--broker": False, "--trade": False,
    "--sell": False, "--usebracket": False, "--donotcounter": False, "--exectype": "Market",
    "--stake": 10, "--valid": None, "--cancel": 0, "--plot": None,
}
V20_DEFAULTS = {"--data0": "EUR_USD"}  # v20: not required, the sandbox serves it


@pytest.fixture
def oandatest(monkeypatch: pytest.MonkeyPatch):
    # runs are paced in wall time with room for order round trips on a loaded machine
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.delenv("OANDA_TOKEN", raising=False)
    import oandatest as module

    yield module
    sys.modules.pop("oandatest", None)
    sys.modules.pop("ibtest", None)


def test_it_takes_every_argument_of_backtraders_oandatest_with_the_same_default(oandatest, capsys):
    with pytest.raises(SystemExit):
        oandatest.parse_args(["--help"])
    text = capsys.readouterr().out
    assert [a for a in OANDATEST_DEFAULTS if a not in text] == []
    args = vars(oandatest.parse_args([]))
    expected = {**OANDATEST_DEFAULTS, **V20_DEFAULTS}
    got = {name: args[name[2:].replace("-", "_")] for name in expected}
    assert got == expected
    for v20 in ("v20: not required", "v20 refuses a stand-alone StopTrail", "v20 extra"):
        assert v20 in " ".join(text.split())


def test_live_takes_a_value_as_in_backtrader_and_without_a_token_says_it_needs_one(oandatest, capsys):
    args = oandatest.parse_args(["--token", "t0k", "--live", "yes"])
    assert args.live == "yes"
    with pytest.raises(SystemExit):
        oandatest.parse_args(["--live"])
    assert "--live needs a token (--token or OANDA_TOKEN)" in capsys.readouterr().err


def test_plot_kwargs_are_read_as_literals_not_evaluated(oandatest):
    assert oandatest.plot_kwargs(True) == {"style": "line"}
    assert oandatest.plot_kwargs('style="candle", volume=False') == {"style": "candle", "volume": False}
    with pytest.raises(ValueError, match="malformed node"):
        oandatest.plot_kwargs("style=__import__('os')")


def test_without_a_token_it_trades_on_the_sandbox_entering_live_and_countering_half_a_stake_twice(
        oandatest, capsys, tmp_path):
    args = oandatest.parse_args(["--broker", "--trade", "--stopafter", "30", "--sandbox-speed", "0.05",
                                 "--journal", str(tmp_path / "j.sqlite")])
    assert oandatest.run(args) == 0
    out = capsys.readouterr().out
    assert "OANDA v20 sandbox at http://127.0.0.1:" in out
    assert "DATA NOTIF: EUR_USD: LIVE" in out
    assert "Buy Completed size 10 executed 10.0" in out
    assert out.count("Sell Completed size -5 executed -5.0") == 2
    assert re.search(r"TRADE \d+ closed", out)  # trade refs count per process
    assert "stopping after 30 live bars" in out


def test_a_resampled_bracket_without_the_store_pattern_on_two_datas(oandatest, capsys, tmp_path):
    args = oandatest.parse_args(["--broker", "--trade", "--usebracket", "--donotcounter", "--no-store",
                                 "--resample", "--timeframe", "Seconds", "--compression", "10",
                                 "--data1", "USD_JPY", "--stopafter", "10", "--sandbox-speed", "0.05",
                                 "--journal", str(tmp_path / "j.sqlite")])
    assert oandatest.run(args) == 0
    out = capsys.readouterr().out
    assert "USING BRACKET" in out and "Buy Completed size 10" in out
    assert out.count("Sell Accepted size -10") == 2  # the stop-loss and take-profit rest at OANDA
    assert " USD_JPY " in out and "stopping after 10 live bars" in out


def test_a_limit_sell_is_cancelled_after_cancel_bars(oandatest, capsys, tmp_path):
    args = oandatest.parse_args(["--broker", "--trade", "--sell", "--exectype", "Limit", "--cancel", "2",
                                 "--stopafter", "12", "--sandbox-speed", "0.05",
                                 "--journal", str(tmp_path / "j.sqlite")])
    assert oandatest.run(args) == 0
    out = capsys.readouterr().out
    assert "Sell Accepted size -10" in out and "Sell Canceled size -10" in out and "CLIENT_REQUEST" in out
