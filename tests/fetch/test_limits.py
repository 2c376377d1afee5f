"""Hostile or broken servers: decompression bombs, huge bodies, silence, slow drips."""

from __future__ import annotations

import asyncio
import functools
import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler

import pytest

from archiver.errors import BodyTooLargeError, FetchTimeoutError
from archiver.fetch import Fetcher
from tests.fetch.helpers import quick
from tests.localsite import LocalSite, send_chunk

pytestmark = pytest.mark.anyio

MB = 1024 * 1024


@functools.cache
def _bomb() -> bytes:
    """Gzip that inflates to 50 MB of HTML-ish text."""
    line = b"<p>All the news that fits, and then some more of it.</p>\n"
    return gzip.compress(line * (50 * MB // len(line)), compresslevel=6)


async def test_gzip_bomb_is_stopped_at_the_cap_with_bounded_memory(site: LocalSite) -> None:
    bomb = _bomb()
    site.set("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    site.set("/warm-up", "hi")

    async with Fetcher(quick(max_body_bytes=MB)) as fetcher:
        await fetcher.fetch(site.url("/warm-up"))  # keep one-off import costs out of the peak
        tracemalloc.start()
        try:
            with pytest.raises(BodyTooLargeError, match=f"exceeds the {MB}-byte limit"):
                await fetcher.fetch(site.url("/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    # Inflating whole network chunks (httpx's aiter_bytes) peaks near 50 MB here.
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB"


async def test_endless_gzip_stream_is_abandoned(site: LocalSite) -> None:
    """A body that never ends: the fetch must give up at the cap, not read forever."""
    finished = threading.Event()
    sent = [0]

    def endless(req: BaseHTTPRequestHandler) -> None:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        first = packer.compress(b"\0" * MB) + packer.flush(zlib.Z_SYNC_FLUSH)
        repeat = packer.compress(b"\0" * MB) + packer.flush(zlib.Z_SYNC_FLUSH)
        req.send_response(200)
        req.send_header("Content-Encoding", "gzip")
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        try:
            send_chunk(req, first)
            while not site.stopping.is_set():
                send_chunk(req, repeat)
                sent[0] += 1
        except OSError:
            pass  # the client hung up: what we want
        finally:
            req.close_connection = True
            finished.set()

    site.handle("/endless", endless)

    async with Fetcher(quick(max_body_bytes=4 * MB)) as fetcher:
        with pytest.raises(BodyTooLargeError):
            await fetcher.fetch(site.url("/endless"))

    assert finished.wait(5), "server is still streaming: the client did not hang up"
    assert sent[0] > 3  # it really was more than the cap on offer


async def test_declared_huge_body_is_refused_before_reading(site: LocalSite) -> None:
    def huge(req: BaseHTTPRequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Length", str(10**12))
        req.end_headers()
        req.wfile.flush()
        site.stopping.wait(10)  # never sends a byte of body
        req.close_connection = True

    site.handle("/huge", huge)

    async with Fetcher(quick(max_body_bytes=MB, read_timeout=10, total_timeout=10)) as fetcher:
        started = time.monotonic()
        with pytest.raises(BodyTooLargeError, match=f"is {10**12} bytes, over the {MB}-byte"):
            await fetcher.fetch(site.url("/huge"))

    assert time.monotonic() - started < 2  # refused from the headers, no body wait


async def test_body_at_exactly_the_cap_is_accepted(site: LocalSite) -> None:
    site.set("/exact", b"x" * 1000)
    site.set("/over", b"x" * 1001)

    async with Fetcher(quick(max_body_bytes=1000)) as fetcher:
        assert len((await fetcher.fetch(site.url("/exact"))).body) == 1000
        with pytest.raises(BodyTooLargeError):
            await fetcher.fetch(site.url("/over"))


async def test_server_that_never_answers_hits_the_total_deadline() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts via backlog, never replies
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        async with Fetcher(quick(total_timeout=1.0, read_timeout=30)) as fetcher:
            started = time.monotonic()
            with pytest.raises(FetchTimeoutError, match="timed out after 1s"):
                await fetcher.fetch(url)
            elapsed = time.monotonic() - started

    assert 0.9 <= elapsed < 1.8


async def test_slow_drip_hits_the_total_deadline(site: LocalSite) -> None:
    """One byte every 50 ms never trips the read timeout, only the total deadline."""

    def drip(req: BaseHTTPRequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Length", "100000")
        req.end_headers()
        try:
            while not site.stopping.wait(0.05):
                req.wfile.write(b"x")
                req.wfile.flush()
        except OSError:
            pass
        req.close_connection = True

    site.handle("/drip", drip)

    async with Fetcher(quick(total_timeout=1.0, read_timeout=30)) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match="timed out after 1s"):
            await fetcher.fetch(site.url("/drip"))
        elapsed = time.monotonic() - started

    assert 0.9 <= elapsed < 1.8


async def test_read_timeout_is_reported_as_a_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        async with Fetcher(quick(read_timeout=0.3, total_timeout=5)) as fetcher:
            with pytest.raises(FetchTimeoutError, match=r"sent nothing for 0\.3s"):
                await fetcher.fetch(url)


async def test_waiting_for_politeness_does_not_eat_the_deadline(site: LocalSite) -> None:
    """Queueing behind a host's delay is not the site's fault: only network time counts."""
    site.set("/", "ok")

    async with Fetcher(quick(per_host_delay=0.6, total_timeout=0.5)) as fetcher:
        first, second = await asyncio.gather(
            fetcher.fetch(site.url("/?1")), fetcher.fetch(site.url("/?2"))
        )

    assert (first.status, second.status) == (200, 200)
    assert site.hits[1].at - site.hits[0].at >= 0.6 - 0.005
