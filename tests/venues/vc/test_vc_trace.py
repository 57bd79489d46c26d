"""Recorded traces: a session on the fake recorded and replayed gives the same calls, results and
events; secrets are never written; bad trace files and diverging sessions are named by file and line."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebridge.orders.order import Order
from tradebridge.venues.vc.fake import FakeSymbol, FakeVC, bar_record
from tradebridge.venues.vc.mapping import order_fields
from tradebridge.venues.vc.seam import ComBackend, ComCallError, ComEvent
from tradebridge.venues.vc.trace import (
    TRACE_FORMAT,
    RecordingBackend,
    ReplayBackend,
    TraceError,
    TraceMismatchError,
    decode,
    encode,
    read_trace,
)

ES = "010001ES"
T0 = dt.datetime(2026, 11, 23, 9, 0)


def _bar(i: int, o: float) -> dict:
    return bar_record(T0 + dt.timedelta(minutes=i), o, o + 2, o - 1, o + 1, volume=50)


def _fake() -> FakeVC:
    info_extra = {"ApiPassword": "hunter2"}  # a credential-like key must never reach the trace
    symbol = FakeSymbol.future("E-mini", [_bar(i, 100 + i) for i in range(3)])
    symbol.info.update(info_extra)
    return FakeVC({ES: symbol}, accounts={"A1": 50_000.0, "B2": 10_000.0}, liquidity=2)


def _order(exectype, size, **kw) -> dict:
    return order_fields(account="A1", symbol=ES, exectype=exectype, isbuy=size > 0, size=size,
                        client_id=f"tb-S3cr3t-{exectype}", now=T0, **kw)


def _session(backend: ComBackend, fake: FakeVC | None) -> tuple[list, list[ComEvent]]:
    """A store's conversation: the same on the fake (``fake`` drives the market) and on a replay."""
    results, events = [], []

    def drive(action, *args):
        if fake is not None:
            getattr(fake, action)(*args)

    def pump():
        events.extend(backend.pump(0))

    backend.connect()
    results.append(backend.call("trader", "accounts"))
    results.append(backend.call("datasource", "symbol_info", symbol=ES))
    serie = backend.call("datasource", "open_serie", symbol=ES, ct="CT_Minutes", compression=1, start=T0,
                         live=True)
    results.append(backend.call("datasource", "serie_bars", serie=serie, first=1, last=3))
    backend.call("realtime", "request_feed", symbol=ES)
    pump()
    market = backend.call("trader", "send_order", order=_order(Order.Market, 3))
    limit = backend.call("trader", "send_order", order=_order(Order.Limit, -1, price=110.0))
    backend.call("trader", "send_order", order=_order(Order.StopLimit, 1, price=104.0, pricelimit=104.5))
    pump()
    drive("push_bar", ES, _bar(3, 103))
    drive("push_tick", ES, 104.0, 1, T0 + dt.timedelta(minutes=3, seconds=5))
    pump()
    backend.call("trader", "modify_order", order_id=limit, price=111.0)
    backend.call("trader", "cancel_order", order_id=limit)
    try:
        backend.call("trader", "cancel_order", order_id=limit)
    except ComCallError as exc:
        results.append(str(exc))
    drive("shutdown")
    pump()
    drive("push_bar", ES, _bar(4, 104))
    drive("restore")
    pump()
    results.append(backend.call("trader", "positions", account="A1"))
    results.append(backend.call("trader", "balance", account="A1"))
    results.append(backend.call("trader", "orders", account="A1"))
    results.append(market)
    backend.close()
    return results, events


def test_a_session_recorded_on_the_fake_replays_with_the_same_results_and_events(tmp_path) -> None:
    path = tmp_path / "session.vctrace"
    fake = _fake()
    recorded = _session(RecordingBackend(fake, path, secrets=["S3cr3t"]), fake)
    replay = ReplayBackend(path, secrets=["S3cr3t"])
    replayed = _session(replay, None)
    assert replay.finished
    names = [e.name for e in recorded[1]]
    for name in ("OnOrderInMarket", "OnPartialExecutedOrder", "OnTotalExecutedOrder", "OnModifiedOrder",
                 "OnCancelledOrder", "OnChangedBalance", "OnChangedOpenPositions", "OnServerShutDown",
                 "OnInternalEvent", "OnNewTicks", "OnNewDataSerieBar"):
        assert name in names
    # the client id carried a secret: it is written as *** and replays as such
    secret_free = json.loads(json.dumps(encode(recorded[0])).replace("S3cr3t", "***"))
    for r in secret_free[1:2]:
        r.pop("ApiPassword")
    assert encode(replayed[0]) == secret_free
    assert [(e.source, e.name) for e in replayed[1]] == [(e.source, e.name) for e in recorded[1]]
    assert [e.args for e in replayed[1]] == [
        json.loads(json.dumps(encode(e.args)).replace("S3cr3t", "***")) for e in recorded[1]]


def test_secrets_and_credential_keys_never_reach_the_file(tmp_path) -> None:
    path = tmp_path / "s.vctrace"
    fake = _fake()
    _session(RecordingBackend(fake, path, secrets=["S3cr3t"]), fake)
    text = path.read_text(encoding="utf-8")
    assert "S3cr3t" not in text and "hunter2" not in text and "ApiPassword" not in text
    assert "tb-***-" in text
    header = json.loads(text.splitlines()[0])
    assert (header["format"], header["version"], header["backend"]) == (TRACE_FORMAT, 1, "FakeVC")


def test_events_are_released_only_after_the_calls_recorded_before_them(tmp_path) -> None:
    path = tmp_path / "s.vctrace"
    fake = _fake()
    _session(RecordingBackend(fake, path), fake)
    replay = ReplayBackend(path)
    replay.connect()
    replay.call("trader", "accounts")
    replay.call("datasource", "symbol_info", symbol=ES)
    assert replay.pump(0.01) == []  # the feed events wait for request_feed
    serie = replay.call("datasource", "open_serie", symbol=ES, ct="CT_Minutes", compression=1, start=T0,
                        live=True)
    replay.call("datasource", "serie_bars", serie=serie, first=1, last=3)
    replay.call("realtime", "request_feed", symbol=ES)
    (event,) = replay.pump(0)
    assert event.name == "OnNewTicks" and event.args["ticks"][0]["Field"] == "Field_Description"


def test_a_diverging_call_is_named_by_file_and_line(tmp_path) -> None:
    path = tmp_path / "s.vctrace"
    fake = _fake()
    _session(RecordingBackend(fake, path), fake)
    replay = ReplayBackend(path)
    replay.call("trader", "accounts")
    with pytest.raises(TraceMismatchError, match=f"{path}:3: expected datasource.symbol_info"):
        replay.call("datasource", "symbol_info", symbol="010002NQ")


def test_a_recorded_com_error_is_raised_again_on_replay(tmp_path) -> None:
    path = tmp_path / "e.vctrace"
    fake = FakeVC()
    fake.connect()
    recorder = RecordingBackend(fake, path)
    with pytest.raises(ComCallError, match="no order '7'") as live:
        recorder.call("trader", "cancel_order", order_id="7")
    recorder.close()
    with pytest.raises(ComCallError) as again:
        ReplayBackend(path).call("trader", "cancel_order", order_id="7")
    assert str(again.value) == str(live.value)


_HEADER = json.dumps({"format": TRACE_FORMAT, "version": 1})
_CALL = json.dumps({"kind": "call", "target": "trader", "verb": "accounts", "args": {}, "result": []})


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([_HEADER, _CALL, "{not json"], ":3: not JSON"),
        ([_HEADER, "[1, 2]"], ":2: a record must be a JSON object"),
        ([_HEADER, json.dumps({"kind": "note"})], ":2: unknown record kind 'note'"),
        ([_HEADER, json.dumps({"kind": "call", "target": "trader", "verb": "fly", "args": {}, "result": 1})],
         ":2: unknown verb 'fly' for trader"),
        ([_HEADER, json.dumps({"kind": "call", "target": "trader", "verb": "accounts", "args": {}})],
         ":2: a call needs args and exactly one of result or error"),
        ([_HEADER, "", json.dumps({"kind": "event", "source": "trader", "name": "OnChangedBalance",
                                   "args": {}})], ":3: trader event OnChangedBalance takes \\['account'\\]"),
        (['{"format": "other"}'], ":1: not a tradebridge-vc-trace file"),
        ([json.dumps({"format": TRACE_FORMAT, "version": 9})], ":1: trace version 9 is not supported"),
        (["garbage"], ":1: not a trace header"),
        ([], ":1: empty file"),
    ],
)
def test_a_malformed_trace_is_refused_naming_the_file_and_line(tmp_path, lines, message) -> None:
    path = tmp_path / "bad.vctrace"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(TraceError, match=f"{path}{message}"):
        ReplayBackend(path)


def test_a_missing_trace_file_is_named(tmp_path) -> None:
    with pytest.raises(TraceError, match="nothing.vctrace: cannot read the trace"):
        read_trace(tmp_path / "nothing.vctrace")


_plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats()
    | st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


def _same(a, b) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b and type(a) is type(b)


@given(_plain)
def test_plain_values_survive_the_trace_encoding(value) -> None:
    assert _same(decode(json.loads(json.dumps(encode(value)))), value)


def test_values_the_seam_does_not_carry_are_refused_by_type() -> None:
    with pytest.raises(TypeError, match="a set is not a plain value"):
        encode({"x": {1, 2}})


def test_the_event_sequence_does_not_depend_on_when_the_replay_pumps(tmp_path) -> None:
    path = tmp_path / "s.vctrace"
    fake = _fake()
    _, recorded_events = _session(RecordingBackend(fake, path), fake)
    replay = ReplayBackend(path)
    for _, record in read_trace(path):
        if record["kind"] == "call":
            try:
                replay.call(record["target"], record["verb"], **record["args"])
            except ComCallError:
                pass
    events = replay.pump(0)
    assert [(e.name, e.args) for e in events] == [(e.name, decode(encode(e.args))) for e in recorded_events]
    assert replay.finished and replay.pump(0.01) == []


def test_wake_ends_a_replay_pump_that_is_waiting_for_a_call(tmp_path) -> None:
    import threading
    import time

    path = tmp_path / "t.vctrace"
    fake = FakeVC({"010001ES": FakeSymbol.future("ES")})
    recorder = RecordingBackend(fake, path)
    recorder.connect()
    recorder.call("datasource", "symbol_info", symbol="010001ES")
    recorder.close()
    replay = ReplayBackend(path)
    threading.Timer(0.05, replay.wake).start()
    started = time.monotonic()
    assert replay.pump(10.0) == []
    assert time.monotonic() - started < 5.0
