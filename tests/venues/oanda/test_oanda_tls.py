"""HTTPS with certificate verification: a self-signed loopback server is refused unless verify=False."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from test_oanda_client import FAST, TOKEN, aio

from tradebridge.venues.oanda.client import OandaClient
from tradebridge.venues.oanda.errors import OandaConnectionError

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")

BODY = b'{"accounts":[{"id":"101-001-0000001-001","tags":[]}]}'


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    folder: Path = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A minimal HTTPS peer: reads one request head, answers one JSON body."""
    try:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(BODY)).encode() + b"\r\nConnection: close\r\n\r\n" + BODY)
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


@aio
async def test_a_self_signed_server_is_refused_because_certificates_are_verified(tls_context):
    server = await asyncio.start_server(_answer, "127.0.0.1", 0, ssl=tls_context)
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server, OandaClient(TOKEN, "1", base_url=url, retry=FAST) as client:
        with pytest.raises(OandaConnectionError, match="CERTIFICATE_VERIFY_FAILED.* after 1 attempts"):
            await client.accounts()  # not retried: a certificate does not get better


@aio
async def test_the_same_server_answers_when_verification_is_turned_off(tls_context):
    server = await asyncio.start_server(_answer, "127.0.0.1", 0, ssl=tls_context)
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server, OandaClient(TOKEN, "1", base_url=url, retry=FAST, verify=False) as client:
        assert [a.id for a in await client.accounts()] == ["101-001-0000001-001"]
