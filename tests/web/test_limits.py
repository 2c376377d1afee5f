"""``archiver serve`` under uvicorn limits, with real sockets against a real server.

Connections that send nothing, half a request head, a head byte by byte or
half a body are closed after ``request_timeout``; idle keep-alive connections
after ``keep_alive`` (or ``request_timeout`` if shorter: the next request is
due); beyond ``max_connections`` requests get a 503; uvicorn's own answers
(malformed request, oversized head, too busy) carry the security headers.
Every wait is a socket read bounded by a timeout, never a sleep.
"""

from __future__ import annotations

import http.client
import select
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from archiver.config import Settings
from archiver.web.server import Limits
from tests.web.conftest import TOKEN
from tests.web.live import LiveServer, live_server

TIMEOUT = 0.5
QUICK = Limits(request_timeout=TIMEOUT, keep_alive=1, max_connections=50, max_head_bytes=4096)
BOUND = 10.0  # no wait below lasts longer than this


@pytest.fixture
def quick(web_settings: Settings) -> Iterator[LiveServer]:
    with live_server(web_settings, QUICK) as server:
        yield server


def _address(server: LiveServer) -> tuple[str, int]:
    parts = urlsplit(server.url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(_address(server), timeout=BOUND)
    sock.settimeout(BOUND)
    return sock


def _read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes (b''), and when it closed."""
    got = b""
    while chunk := sock.recv(65536):
        got += chunk
    return got, time.monotonic()


@pytest.mark.parametrize(
    "sent",
    [
        b"",  # connected, and silent
        b"GET /api/articles HTTP/1.1\r\nHost: x\r\n",  # a head without its blank line
        b"GET /api/art",  # half a request line
    ],
)
def test_a_connection_without_a_whole_request_is_closed(quick: LiveServer, sent: bytes) -> None:
    with _connect(quick) as sock:
        start = time.monotonic()
        sock.sendall(sent)
        got, closed = _read_until_closed(sock)
    assert got == b""  # closed without an answer: there is no request to answer
    assert TIMEOUT * 0.8 <= closed - start < BOUND


def test_a_head_sent_byte_by_byte_is_closed_at_the_deadline(quick: LiveServer) -> None:
    head = b"GET /api/articles HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    with _connect(quick) as sock:
        start = time.monotonic()
        for byte in head:  # one byte every 50 ms: 10 s in all, if the server allowed it
            try:
                sock.send(bytes([byte]))
            except OSError:  # reset: closed
                break
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable and sock.recv(1024) == b"":
                break
        closed = time.monotonic()
    assert TIMEOUT * 0.8 <= closed - start < TIMEOUT + 3  # the deadline does not move


def test_a_body_that_stops_coming_is_closed(quick: LiveServer) -> None:
    head = (
        "POST /api/urls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Length: 100\r\n\r\n"
    )
    with _connect(quick) as sock:
        start = time.monotonic()
        sock.sendall(head.encode() + b'{"url": "')
        got, closed = _read_until_closed(sock)
    assert got == b"" and TIMEOUT * 0.8 <= closed - start < BOUND


def test_an_idle_keep_alive_connection_is_closed(web_settings: Settings) -> None:
    limits = Limits(request_timeout=BOUND, keep_alive=1)
    with live_server(web_settings, limits) as server, _connect(server) as sock:
        sock.sendall(b"GET /api/sources HTTP/1.1\r\nHost: x\r\n\r\n")
        asked = time.monotonic()
        got, closed = _read_until_closed(sock)
    assert got.startswith(b"HTTP/1.1 200 ")
    assert limits.keep_alive * 0.8 <= closed - asked < BOUND


def _head(raw: bytes) -> dict[str, str]:
    lines = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8000,  # still no end past max_head_bytes
    ],
)
def test_uvicorns_400_carries_the_security_headers(quick: LiveServer, request_bytes: bytes) -> None:
    with _connect(quick) as sock:
        sock.sendall(request_bytes)
        got, _ = _read_until_closed(sock)
    assert got.startswith(b"HTTP/1.1 400 ")
    headers = _head(got)
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["connection"] == "close" and "server" not in headers


def _get(conn: http.client.HTTPConnection, path: str) -> http.client.HTTPResponse:
    conn.request("GET", path)
    answer = conn.getresponse()
    answer.read()
    return answer


def test_connections_over_the_cap_get_a_503(web_settings: Settings) -> None:
    limits = Limits(request_timeout=BOUND, keep_alive=60, max_connections=2)
    with live_server(web_settings, limits) as server:
        host, port = _address(server)
        held = [http.client.HTTPConnection(host, port, timeout=BOUND) for _ in range(2)]
        try:
            for conn in held:  # answered, and kept open (keep-alive): the cap is reached
                assert _get(conn, "/api/sources").status == 200
            over = http.client.HTTPConnection(host, port, timeout=BOUND)
            busy = _get(over, "/api/sources")
            assert busy.status == 503 and busy.getheader("retry-after") == "1"
            assert busy.getheader("x-frame-options") == "DENY"
            assert busy.getheader("connection") == "close"
            over.close()
            page = http.client.HTTPConnection(host, port, timeout=BOUND)
            assert _get(page, "/").status == 503  # pages too, as text
            page.close()
            for conn in held:  # the held connections are still served
                assert _get(conn, "/api/sources").status == 200
        finally:
            for conn in held:
                conn.close()
