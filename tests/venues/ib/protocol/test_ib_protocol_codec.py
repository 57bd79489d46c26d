"""The sans-IO TWS codec: framing, handshake and every message layout, without sockets."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebridge.venues.ib.protocol import (
    BadRequest,
    FrameReader,
    Hello,
    ProtocolError,
    Request,
    ServerProtocol,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
    frame,
    hello_bytes,
    negotiate,
    pack_fields,
    parse_hello,
    split_fields,
)
from tradebridge.venues.ib.protocol.layout import F, Rep, When, decode_layout, encode_layout
from tradebridge.venues.ib.protocol.orders import CONDITION_FIELDS
from tradebridge.venues.ib.protocol.requests import REQUESTS
from tradebridge.venues.ib.protocol.responses import RESPONSES

VERSIONS = (157, 163, 166, 170, 176, 177, 178)
_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
_fields = st.lists(_text, max_size=20)


@given(_fields, st.lists(st.integers(1, 7), min_size=1, max_size=30))
def test_frames_survive_any_split_of_the_byte_stream(fields, cuts):
    data = frame(pack_fields(fields)) * 3
    reader = FrameReader()
    got, pos = [], 0
    for cut in cuts * (len(data) // len(cuts) + 1):
        if pos >= len(data):
            break
        reader.feed(data[pos:pos + cut])
        pos += cut
        while (payload := reader.next_frame()) is not None:
            got.append(split_fields(payload))
    assert got == [fields] * 3


def test_frame_is_a_big_endian_length_then_nul_terminated_fields():
    assert frame(pack_fields(["9", "1", "42"])) == struct.pack(">I", 7) + b"9\x001\x0042\x00"


def test_oversized_frame_is_refused_with_its_size():
    reader = FrameReader(max_frame=10)
    reader.feed(struct.pack(">I", 11) + b"x" * 11)
    with pytest.raises(ProtocolError, match="11 bytes exceeds the limit of 10"):
        reader.next_frame()


def test_payload_without_terminator_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="NUL"):
        split_fields(b"9\x001")


@given(st.integers(1, 300), st.integers(0, 300), _text)
def test_hello_round_trips(lo, span, options):
    options = options.strip().replace(" ", "")
    data = hello_bytes(lo, lo + span, options)
    assert data[:4] == b"API\0"
    assert parse_hello(data[8:]) == Hello(lo, lo + span, options)


@pytest.mark.parametrize("text", ["157..178", "vX..178", "v157-178", "v157.."])
def test_bad_handshake_is_named(text):
    with pytest.raises(ProtocolError, match="bad handshake"):
        parse_hello(text.encode())


def test_negotiation_picks_the_highest_common_version_or_refuses():
    assert negotiate(Hello(100, 225)) == 178
    assert negotiate(Hello(157, 176)) == 176
    with pytest.raises(ProtocolError, match="no common version"):
        negotiate(Hello(100, 150))


# --- layouts: round trips of every message -------------------------------------------------

_SPECIAL = {
    "secType": st.sampled_from(["STK", "CASH", "BAG", ""]),
    "orderType": st.sampled_from(["LMT", "MKT", "PEG BENCH", "PEG BEST", "PEG MID", "TRAIL"]),
    "exchange": st.sampled_from(["SMART", "IBKRATS", ""]),
    "competeAgainstBestOffset": st.sampled_from([None, 0.5, math.inf]),
    "condType": st.sampled_from(sorted(CONDITION_FIELDS)),
    "scalePriceIncrement": st.sampled_from([None, 0.0, 0.25]),
}
_KIND = {
    "s": _text, "i": st.none() | st.integers(-2**31, 2**31 - 1), "b": st.booleans(),
    "f": st.none() | st.floats(allow_nan=False, allow_infinity=False, width=64),
    "d": st.none() | st.floats(0, 1e9, allow_nan=False),
}


def _names(layout):
    for spec in layout:
        if isinstance(spec, F):
            yield spec, None
        elif isinstance(spec, When):
            yield from _names(spec.body)
        else:
            yield spec, spec.body


def _values(layout, depth=0):
    parts = {}
    for spec, body in _names(layout):
        if body is None:
            parts[spec.name] = _SPECIAL.get(spec.name, _KIND[spec.kind])
        else:
            parts[spec.name] = st.lists(_values(body, depth + 1), max_size=0 if depth else 2)
    return st.fixed_dictionaries(parts)


def _same(a, b):
    if isinstance(a, list):
        return len(a) == len(b) and all(all(_same(x[k], y.get(k)) for k in x) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _check_round_trip(layout, values, version, name):
    fields = encode_layout(layout, values, version, name)
    decoded, end = decode_layout(layout, fields, version, name)
    assert end == len(fields)
    assert encode_layout(layout, decoded, version, name) == fields
    for key, value in decoded.items():
        sent = values.get(key)
        assert _same(value, False if sent is None and isinstance(value, bool) else sent), key


@pytest.mark.parametrize("msg_id", sorted(REQUESTS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_request_layout_round_trips(msg_id, data):
    name, layout = REQUESTS[msg_id]
    version = data.draw(st.sampled_from(VERSIONS))
    _check_round_trip(layout, data.draw(_values(layout)), version, name)


@pytest.mark.parametrize("name", sorted(RESPONSES))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_response_layout_round_trips(name, data):
    layout = RESPONSES[name][1]
    version = data.draw(st.sampled_from(VERSIONS))
    _check_round_trip(layout, data.draw(_values(layout)), version, name)


def test_version_ranges_add_and_remove_fields():
    values = {"orderId": 1, "status": "Submitted"}
    open_176 = encode_layout(RESPONSES["openOrder"][1], values, 176)
    open_177 = encode_layout(RESPONSES["openOrder"][1], values, 177)
    assert len(open_176) == len(open_177) + 1  # faProfile is gone from 177
    exec_177 = encode_layout(RESPONSES["execDetails"][1], {}, 177)
    assert len(encode_layout(RESPONSES["execDetails"][1], {}, 178)) == len(exec_177) + 1


def test_response_bytes_decode_back_with_the_fixed_message_version():
    data = encode_response("nextValidId", {"orderId": 42}, 176)
    name, values = decode_response(split_fields(data[4:]), 176)
    assert (name, values) == ("nextValidId", {"version": 1, "orderId": 42})


def test_encoding_names_the_message_and_field_of_a_bad_value():
    with pytest.raises(ProtocolError, match=r"nextValidId: field orderId: 1.5 is not an integer"):
        encode_response("nextValidId", {"orderId": 1.5}, 176)
    with pytest.raises(ProtocolError, match="field errorString: text contains NUL"):
        encode_response("error", {"reqId": 1, "errorCode": 2, "errorString": "a\0b"}, 176)
    with pytest.raises(ProtocolError, match="unknown response message 'nope'"):
        encode_response("nope", {}, 176)


# --- decoding client requests -------------------------------------------------------------

def test_truncated_request_is_a_bad_request_naming_the_missing_field():
    event = decode_request(["9", "8", "7"], 176)
    assert isinstance(event, BadRequest)
    assert event.msg_id == 9 and "ends before field conId" in event.reason


def test_bad_number_is_named_and_a_broken_place_order_keeps_its_order_id():
    event = decode_request(["3", "17", "notanint"], 176)
    assert isinstance(event, BadRequest)
    assert "field conId: bad value 'notanint'" in event.reason
    assert event.values == {"orderId": 17}


def test_unknown_message_id_is_named():
    event = decode_request(["250", "1"], 176)
    assert isinstance(event, BadRequest) and "message id 250 is not supported" in event.reason


def test_unknown_order_condition_type_is_named():
    values = {"orderId": 1, "symbol": "AAPL", "orderType": "LMT",
              "conditions": [{"condType": 1, "conjunction": "a", "isMore": True, "price": 1.0}]}
    fields = encode_layout(REQUESTS[3][1], values, 176)
    at = next(i for i in range(len(fields) - 2) if fields[i:i + 3] == ["1", "1", "a"])
    fields[at + 1] = "99"  # the condition's type
    event = decode_request(["3", *fields], 176)
    assert isinstance(event, BadRequest) and "condition type 99 is unknown" in event.reason


def test_server_protocol_handshake_then_requests_in_one_stream():
    server = ServerProtocol()
    events = server.receive_data(hello_bytes(100, 225, "+PACEAPI") + encode_request(
        "startApi", {"clientId": 7, "optionalCapabilities": ""}, 178))
    assert events == [Hello(100, 225, "+PACEAPI")]
    reply = server.accept(events[0], "20261124 12:00:00 UTC")
    assert split_fields(reply[4:]) == ["178", "20261124 12:00:00 UTC"]
    (start,) = server.receive_data(b"")
    assert isinstance(start, Request) and start.name == "startApi" and server.client_id == 7
    data = server.send("managedAccounts", accountsList="DU1")
    assert split_fields(data[4:]) == ["15", "1", "DU1"]


def test_server_protocol_refuses_a_stream_without_the_api_prefix():
    with pytest.raises(ProtocolError, match="does not start with 'API"):
        ServerProtocol().receive_data(b"GET / HTTP/1.1\r\n")


def test_rep_count_must_be_a_non_negative_number():
    layout = (Rep("items", (F("x"),)),)
    with pytest.raises(ProtocolError, match="count of items is negative"):
        decode_layout(layout, ["-1"], 176)
    with pytest.raises(ProtocolError, match="count of items: bad value 'x'"):
        decode_layout(layout, ["x"], 176)


_junk = st.one_of(_text, st.integers(-5, 5).map(str),
                  st.sampled_from(["", "BAG", "PEG BENCH", "1e308", "Infinite"]))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(REQUESTS)), st.lists(_junk, max_size=120), st.sampled_from(VERSIONS))
def test_decoding_arbitrary_fields_never_raises(msg_id, fields, version):
    event = decode_request([str(msg_id), *fields], version)
    assert isinstance(event, Request | BadRequest)
    if isinstance(event, BadRequest):
        assert event.reason


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=40))
def test_server_protocol_events_do_not_depend_on_how_bytes_arrive(cuts):
    stream = (encode_request("startApi", {"clientId": 3, "optionalCapabilities": ""}, 178)
              + encode_request("reqIds", {"numIds": 1}, 178)
              + encode_request("reqCurrentTime", {}, 178))
    server = ServerProtocol()
    events = server.receive_data(hello_bytes(157, 178))
    server.accept(events[0], "t")
    got, pos = [], 0
    for cut in cuts * (len(stream) // len(cuts) + 1):
        got += server.receive_data(stream[pos:pos + cut])
        pos += cut
        if pos >= len(stream):
            break
    assert [e.name for e in got] == ["startApi", "reqIds", "reqCurrentTime"]
