"""``tradebridge sandbox ib`` as a real process: it listens, ib_async trades against it with bars
arriving on the accelerated clock, Ctrl-C stops it cleanly; bad arguments exit 2 with the cause."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import signal
import subprocess
import sys

import pytest
from ib_async import IB, Stock

from tradebridge.cli.main import main
from tradebridge.utils.synthetic import synthetic_ohlcv


def _spawn(*args: str) -> tuple[subprocess.Popen[str], str, int]:
    proc = subprocess.Popen([sys.executable, "-m", "tradebridge.cli.main", "sandbox", "ib", "--port", "0",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"listening on ([\d.]+):(\d+)", line)
    assert match, f"no listening line: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
    return proc, match.group(1), int(match.group(2))


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl-C the process; (exit code, its stderr), pipes closed."""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    return proc.returncode, err


def test_cli_sandbox_serves_ib_async_with_live_bars_and_stops_on_ctrl_c():
    proc, host, port = _spawn("--speed", "0.02", "--account", "DU42")

    async def go():
        ib = IB()
        await ib.connectAsync(host, port, clientId=1, timeout=5)
        assert ib.managedAccounts() == ["DU42"]
        bars = ib.reqRealTimeBars(Stock("AAPL", "SMART", "USD"), 5, "TRADES", False)
        for _ in range(200):
            if len(bars) >= 3:
                break
            await asyncio.sleep(0.02)
        ib.disconnect()
        return [b.time for b in bars]

    try:
        times = asyncio.run(go())
    finally:
        code, err = _stop(proc)
    assert len(times) >= 3 and all((b - a).total_seconds() == 5 for a, b in zip(times, times[1:]))
    assert code == 0 and "IB sandbox stopped" in err


def test_cli_sandbox_serves_a_data_file_as_an_instrument(tmp_path):
    frame = synthetic_ohlcv(300, seed=3, freq="D", start="2024-01-01")
    path = tmp_path / "MSFT.csv"
    frame.to_csv(path)
    proc, host, port = _spawn("--data", str(path), "--speed", "60")

    async def go():
        ib = IB()
        await ib.connectAsync(host, port, clientId=1, timeout=5)
        (details,) = await ib.reqContractDetailsAsync(Stock("MSFT", "SMART", "USD"))
        bars = await ib.reqHistoricalDataAsync(details.contract, "", "1 Y", "1 day", "TRADES", True)
        ib.disconnect()
        return details, bars

    try:
        details, bars = asyncio.run(go())
    finally:
        code, _ = _stop(proc)
    assert code == 0
    assert details.contract.secType == "STK" and details.contract.exchange == "SMART"
    history = frame.iloc[:240]  # the first 80 % of the file is history
    assert [b.close for b in bars] == history["close"].tolist()[-len(bars):]
    assert len(bars) == 240 and bars[-1].date < dt.date.today() + dt.timedelta(days=1)


@pytest.mark.parametrize(("args", "message"), [
    (["--data", "/no/such/file.csv"], "data file not found: /no/such/file.csv"),
    (["--speed", "0"], "--speed must be positive"),
    (["--account", "DU 1"], "account id must be letters and digits"),
])
def test_cli_sandbox_bad_arguments_exit_2_naming_the_cause(args, message, capsys):
    assert main(["sandbox", "ib", "--port", "0", *args]) == 2
    assert message in capsys.readouterr().err


def test_cli_sandbox_busy_port_exits_2(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sandbox", "ib", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
