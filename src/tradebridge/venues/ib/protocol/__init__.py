"""Sans-IO codec of the TWS API socket protocol (server versions 157..178).

Framing and handshake in ``codec``, message layouts as tables in ``requests`` (client ->
server), ``responses`` (server -> client) and ``orders`` (the large order messages).
"""

from .codec import (
    MAX_VERSION,
    MIN_VERSION,
    BadRequest,
    FrameReader,
    Hello,
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
from .layout import UNSET_DOUBLE, UNSET_INTEGER, ProtocolError

__all__ = [
    "MAX_VERSION", "MIN_VERSION", "UNSET_DOUBLE", "UNSET_INTEGER", "BadRequest", "FrameReader",
    "Hello", "ProtocolError", "Request", "ServerProtocol", "decode_request", "decode_response",
    "encode_request", "encode_response", "frame", "hello_bytes", "negotiate", "pack_fields",
    "parse_hello", "split_fields",
]
