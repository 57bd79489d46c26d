"""Stopping a sandbox while clients keep reconnecting: the listener closes first, a connection that
arrives late is refused or closed, and no thread, socket or task of the sandbox is left behind."""

from __future__ import annotations

import gc
import os
import socket
import threading
import time

from ib_sandbox_helpers import START

from tradebridge.venues.ib.protocol import FrameReader, encode_request, hello_bytes
from tradebridge.venues.ib.sandbox.server import start_in_thread


def _open_sockets() -> set[str]:
    """The sockets this process holds (by inode), read from /proc."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed while listing
        if target.startswith("socket:"):
            found.add(target)
    return found


def _session(host: str, port: int, client_id: int) -> str:
    """One client connection: handshake, startApi, its first two replies, then hang up ("served"),
    unless the server refuses or closes it first."""
    try:
        sock = socket.create_connection((host, port), timeout=2)
    except OSError:
        return "refused"
    with sock:
        try:
            sock.sendall(hello_bytes(157, 178))
            frames = FrameReader()
            for expected in (1, 2):  # the handshake reply, then managedAccounts and nextValidId
                got = 0
                while got < expected:
                    if frames.next_frame() is not None:
                        got += 1
                        continue
                    chunk = sock.recv(65536)
                    if not chunk:
                        return "closed"
                    frames.feed(chunk)
                if expected == 1:
                    sock.sendall(encode_request("startApi", {"version": 2, "clientId": client_id,
                                                             "optionalCapabilities": ""}, 178))
        except OSError:
            return "reset"
    return "served"


def _hammer(host: str, port: int, client_id: int, done: threading.Event, outcomes: list[str]) -> None:
    """Reconnect as fast as possible until the port refuses (the sandbox has stopped listening)."""
    while True:
        outcome = _session(host, port, client_id)
        outcomes.append(outcome)
        if outcome == "refused" and done.is_set():
            return


def test_stop_during_a_reconnect_storm_leaves_no_thread_socket_or_session() -> None:
    gc.collect()
    before = _open_sockets()
    threads_before = set(threading.enumerate())
    for _ in range(5):
        box = start_in_thread(start=START)
        done = threading.Event()
        outcomes: list[str] = []
        clients = [threading.Thread(target=_hammer, args=(box.host, box.port, n, done, outcomes),
                                    name=f"hammer-{n}") for n in range(1, 7)]
        for client in clients:
            client.start()
        deadline = time.monotonic() + 5
        while outcomes.count("served") < 60 and time.monotonic() < deadline:
            time.sleep(0.002)  # let the storm run: many sessions opened and hung up
        box.stop()
        done.set()
        for client in clients:
            client.join(10)
        assert not any(c.is_alive() for c in clients), "a client never saw the port refuse"
        assert box.loop.is_closed() and not box._thread.is_alive()
        assert not box.server._all_sessions and not box.server.sessions and not box.server._tasks
        assert not box.server._listener.open and not box.server._listener.listening
        assert outcomes.count("served") >= 60 and "refused" in outcomes
        with socket.socket() as probe:  # the port no longer accepts
            assert probe.connect_ex((box.host, box.port)) != 0
    gc.collect()
    assert _open_sockets() <= before, "sockets left open after stop"
    assert set(threading.enumerate()) <= threads_before, "threads left running after stop"
