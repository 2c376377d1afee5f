"""Fetcher behaviour against real local servers: redirects, cookies, caching, errors."""

from __future__ import annotations

import re
import socket
import time
import zlib
from datetime import UTC
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from archiver.errors import FetchError, TooManyRedirectsError, UnsupportedURLError
from archiver.fetch import Fetcher, FetchResult
from tests.fetch.helpers import quick
from tests.localsite import LocalSite

pytestmark = pytest.mark.anyio


async def fetch(url: str, **settings: object) -> FetchResult:
    async with Fetcher(quick(**settings)) as fetcher:
        return await fetcher.fetch(url)


async def test_redirect_chain_is_followed_and_recorded(site: LocalSite) -> None:
    site.redirect("/start", "/middle", 301)  # relative Location
    site.redirect("/middle", site.url("/end"), 302)  # absolute Location
    site.set("/end", "<p>story</p>", headers={"X-Thing": "A"})

    started = time.monotonic()
    result = await fetch(site.url("/start"))
    took = time.monotonic() - started

    assert result.status == 200
    assert result.body == b"<p>story</p>"
    assert result.requested_url == site.url("/start")
    assert result.final_url == site.url("/end")
    assert result.redirects == (site.url("/start"), site.url("/middle"))
    assert result.headers["x-thing"] == "A"
    assert all(name == name.lower() for name in result.headers)
    assert result.content_type == "text/html"
    assert result.fetched_at.tzinfo is UTC
    assert 0 < result.elapsed <= took  # the three requests, timed inside the call


async def test_every_request_carries_our_headers(site: LocalSite) -> None:
    site.redirect("/r", "/page")
    site.set("/page", "ok")
    async with Fetcher(quick(user_agent="test-agent/1")) as fetcher:
        await fetcher.fetch(site.url("/r"), accept="text/html")

    assert [h.path for h in site.hits] == ["/r", "/page"]
    for hit in site.hits:
        assert hit.headers["User-Agent"] == "test-agent/1"
        assert hit.headers["Accept"] == "text/html"
        assert hit.headers["Accept-Encoding"] == "gzip, deflate, br"


@pytest.mark.parametrize("cycle", [["/a"], ["/a", "/b"], ["/a", "/b", "/c"]])
async def test_redirect_loops_are_stopped(site: LocalSite, cycle: list[str]) -> None:
    for here, there in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
        site.redirect(here, there, 302)

    with pytest.raises(TooManyRedirectsError, match="redirect loop"):
        await fetch(site.url("/a"))
    assert len(site.hits) == len(cycle)  # detected on the first repeat


@pytest.mark.parametrize(("hops", "allowed"), [(3, True), (4, False)])
async def test_hop_limit(site: LocalSite, hops: int, allowed: bool) -> None:
    for n in range(hops):
        site.redirect(f"/{n}", f"/{n + 1}", 307)
    site.set(f"/{hops}", "arrived")

    if allowed:
        result = await fetch(site.url("/0"), max_redirects=3)
        assert result.body == b"arrived"
        assert len(result.redirects) == hops
    else:
        with pytest.raises(TooManyRedirectsError, match="more than 3 redirects"):
            await fetch(site.url("/0"), max_redirects=3)
        assert len(site.hits) == 4  # the fourth redirect is not followed


async def test_redirect_to_other_scheme_is_refused(site: LocalSite) -> None:
    site.redirect("/r", "file:///etc/passwd")

    with pytest.raises(FetchError, match="redirect to unsupported scheme 'file'"):
        await fetch(site.url("/r"))


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "javascript:alert(1)", "no scheme", "http:///x"]
)
async def test_unfetchable_urls_are_input_errors(url: str) -> None:
    with pytest.raises(UnsupportedURLError):
        await fetch(url)


def _members(req: BaseHTTPRequestHandler) -> None:
    allowed = "session=42" in req.headers.get("Cookie", "")
    req.send_response(200 if allowed else 403)
    req.send_header("Content-Length", "2")
    req.end_headers()
    req.wfile.write(b"in" if allowed else b"no")


def _wall(req: BaseHTTPRequestHandler) -> None:
    """Cookie wall: first visit sets a cookie and redirects to itself."""
    if "consent=yes" in req.headers.get("Cookie", ""):
        req.send_response(200)
        req.send_header("Content-Length", "7")
        req.end_headers()
        req.wfile.write(b"article")
        return
    req.send_response(302)
    req.send_header("Set-Cookie", "consent=yes; Path=/")
    req.send_header("Location", req.path)
    req.send_header("Content-Length", "0")
    req.end_headers()


async def test_cookies_follow_the_chain_but_not_the_next_fetch(site: LocalSite) -> None:
    login = {"Location": "/members", "Set-Cookie": "session=42; Path=/"}
    site.set("/login", b"", status=302, headers=login)
    site.handle("/members", _members)
    site.handle("/wall", _wall)

    async with Fetcher(quick()) as fetcher:
        chained = await fetcher.fetch(site.url("/login"))
        walled = await fetcher.fetch(site.url("/wall"))
        alone = await fetcher.fetch(site.url("/members"))

    assert (chained.status, chained.body) == (200, b"in")
    assert (walled.status, walled.body) == (200, b"article")
    assert walled.redirects == (site.url("/wall"),)
    assert alone.status == 403  # nothing persisted from the earlier chains


async def test_conditional_get_returns_304(site: LocalSite) -> None:
    site.set("/p", "<p>v1</p>", headers={"ETag": '"v1"'})
    when = "Wed, 21 Oct 2015 07:28:00 GMT"

    async with Fetcher(quick()) as fetcher:
        result = await fetcher.fetch(site.url("/p"), etag='"v1"', last_modified=when)
        fresh = await fetcher.fetch(site.url("/p"), etag='"v0"')

    assert result.status == 304
    assert result.body == b""
    assert result.etag == '"v1"'
    assert site.hits[0].headers["If-None-Match"] == '"v1"'
    assert site.hits[0].headers["If-Modified-Since"] == when
    assert (fresh.status, fresh.body) == (200, b"<p>v1</p>")


@pytest.mark.parametrize("status", [404, 410, 500, 503])
async def test_error_statuses_are_results(site: LocalSite, status: int) -> None:
    site.set("/x", "gone", status=status)

    result = await fetch(site.url("/x"))

    assert (result.status, result.body) == (status, b"gone")


@pytest.mark.parametrize(
    ("encoding", "wbits"),
    [("gzip", 31), ("deflate", 15), ("deflate", -15)],  # -15: raw deflate, seen in the wild
)
async def test_compressed_bodies_are_decoded(site: LocalSite, encoding: str, wbits: int) -> None:
    text = b"<p>news</p>" * 5000
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    site.set("/z", packer.compress(text) + packer.flush(), headers={"Content-Encoding": encoding})

    result = await fetch(site.url("/z"))

    assert result.body == text


async def test_unknown_content_encoding_is_refused(site: LocalSite) -> None:
    # zstd is not advertised: zstandard's decompressobj cannot bound its output.
    site.set("/zstd", b"(\xb5/\xfd\x04\x00\x11\x00\x00hi", headers={"Content-Encoding": "zstd"})

    with pytest.raises(FetchError, match="unsupported Content-Encoding 'zstd'"):
        await fetch(site.url("/zstd"))


async def test_corrupt_gzip_is_a_fetch_error(site: LocalSite) -> None:
    site.set("/bad", b"\x1f\x8bnot really gzip", headers={"Content-Encoding": "gzip"})

    with pytest.raises(FetchError, match="corrupt gzip body"):
        await fetch(site.url("/bad"))


async def test_unresolvable_host() -> None:
    with pytest.raises(FetchError, match=r"cannot resolve host 'no-such-host\.invalid'"):
        await fetch("http://no-such-host.invalid/")


async def test_connection_refused() -> None:
    with socket.socket() as probe:  # find a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FetchError, match=re.escape(f"connection refused by 127.0.0.1:{port}")):
        await fetch(f"http://127.0.0.1:{port}/")


def _garbage(req: BaseHTTPRequestHandler) -> None:
    req.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
    req.close_connection = True


async def test_malformed_response_is_a_fetch_error(site: LocalSite) -> None:
    site.handle("/junk", _garbage)

    with pytest.raises(FetchError, match="malformed HTTP response") as caught:
        await fetch(site.url("/junk"))
    assert "\n" not in str(caught.value)


async def test_an_injected_transport_is_used_as_is() -> None:
    """The pipeline's tests can swap the network out; results keep the same shape."""

    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<p>hi</p>")

    async with Fetcher(quick(), transport=httpx.MockTransport(respond)) as fetcher:
        result = await fetcher.fetch("http://news.example/old")

    assert (result.status, result.body) == (200, b"<p>hi</p>")
    assert result.redirects == ("http://news.example/old",)
    assert result.final_url == "http://news.example/new"
