"""``tradebridge sandbox oanda`` as a real process: it serves v20 on the port it prints, with
prices at the current time, and refuses bad options naming them."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx

from tradebridge.cli.main import build_parser, main


def test_sandbox_oanda_options_parse_with_documented_defaults() -> None:
    args = build_parser().parse_args(["sandbox", "oanda"])
    assert (args.host, args.port, args.account, args.balance, args.token) == (
        "127.0.0.1",
        8081,
        "101-001-0000001-001",
        100_000.0,
        None,
    )
    args = build_parser().parse_args(
        ["sandbox", "oanda", "--data", "a.csv", "--data", "b.csv", "--token", "t"]
    )
    assert args.data == ["a.csv", "b.csv"] and args.token == "t"


def test_bad_balance_and_missing_data_file_exit_2_naming_the_cause(tmp_path, capsys) -> None:  # noqa: ANN001
    assert main(["sandbox", "oanda", "--balance", "0"]) == 2
    assert "--balance" in capsys.readouterr().err
    assert main(["sandbox", "oanda", "--data", str(tmp_path / "EUR_USD.csv")]) == 2
    assert "EUR_USD.csv" in capsys.readouterr().err


def test_cli_process_serves_the_account_with_prices_at_the_current_time() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradebridge.cli.main",
            "sandbox",
            "oanda",
            "--port",
            "0",
            "--token",
            "cli-secret",
            "--pace",
            "0.05",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert "cli-secret" not in line
        url = re.search(r"http://[\d.]+:\d+", line).group(0)  # type: ignore[union-attr]
        headers = {"Authorization": "Bearer cli-secret"}
        with httpx.Client(base_url=url, headers=headers, timeout=5) as c:
            price = c.get(
                "/v3/accounts/101-001-0000001-001/pricing",
                params={"instruments": "EUR_USD"},
                headers={"Accept-Datetime-Format": "UNIX"},
            ).json()["prices"][0]
            assert abs(float(price["time"]) - time.time()) < 60
            time.sleep(0.3)
            later = c.get(
                "/v3/accounts/101-001-0000001-001/pricing",
                params={"instruments": "EUR_USD"},
                headers={"Accept-Datetime-Format": "UNIX"},
            ).json()["prices"][0]
            assert float(later["time"]) > float(price["time"])  # --pace replays bars
            assert c.get("/v3/accounts", headers={"Authorization": "Bearer nope"}).status_code == 401
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]


def test_without_options_any_bearer_token_trades_one_funded_account_in_the_three_bundled_pairs() -> None:
    # only --port 0 (the default 8081 may be taken on a shared machine); everything else as shipped
    proc = subprocess.Popen([sys.executable, "-m", "tradebridge.cli.main", "sandbox", "oanda", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = re.search(r"http://[\d.]+:\d+", proc.stdout.readline()).group(0)  # type: ignore[union-attr]
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer whatever"}, timeout=5) as c:
            (account,) = c.get("/v3/accounts").json()["accounts"]
            base = f"/v3/accounts/{account['id']}"
            assert c.get(f"{base}/summary").json()["account"]["balance"] == "100000.0000"
            names = {i["name"] for i in c.get(f"{base}/instruments").json()["instruments"]}
            assert names == {"EUR_USD", "GBP_USD", "USD_JPY"}
            order = {"order": {"type": "MARKET", "instrument": "GBP_USD", "units": "100"}}
            assert "orderFillTransaction" in c.post(f"{base}/orders", json=order).json()
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
