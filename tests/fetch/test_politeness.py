"""Politeness measured where it matters: on the servers' own clocks."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler

import pytest

from archiver.fetch import Fetcher
from tests.fetch.clock import FakeClock
from tests.fetch.helpers import quick
from tests.localsite import LocalSite, Page

pytestmark = pytest.mark.anyio

CLOCK_SLACK = 0.005  # server-side timestamps jitter slightly around the client's


async def test_per_host_delay_spaces_one_host_but_not_another(
    site: LocalSite, other_site: LocalSite
) -> None:
    site.set("/", "a")
    other_site.set("/", "b")

    async with Fetcher(quick(per_host_delay=0.3)) as fetcher:
        await asyncio.gather(
            *(fetcher.fetch(site.url(f"/?n={n}")) for n in range(3)),
            fetcher.fetch(other_site.url("/")),
        )

    times = [hit.at for hit in site.hits]
    assert len(times) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 0.3 - CLOCK_SLACK for gap in gaps), gaps
    (other,) = other_site.hits
    assert other.at - times[0] < 0.15  # not queued behind the first host's delay


async def test_each_redirect_hop_waits_for_its_own_host(
    site: LocalSite, other_site: LocalSite
) -> None:
    site.redirect("/a", "/b")
    site.redirect("/b", other_site.url("/c"))
    other_site.set("/c", "done")

    async with Fetcher(quick(per_host_delay=0.2)) as fetcher:
        result = await fetcher.fetch(site.url("/a"))

    assert result.body == b"done"
    first, second = site.hits
    assert second.at - first.at >= 0.2 - CLOCK_SLACK  # same host: spaced
    assert other_site.hits[0].at - second.at < 0.15  # new host: no wait


class _InFlight:
    """Counts concurrent requests across any number of servers."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self._lock = threading.Lock()

    def serve(self, site: LocalSite, hold: float = 0.05) -> None:
        def handle(req: BaseHTTPRequestHandler) -> None:
            with self._lock:
                self.now += 1
                self.most = max(self.most, self.now)
            site.stopping.wait(hold)  # the server "works" on the request
            with self._lock:
                self.now -= 1
            req.send_response(200)
            req.send_header("Content-Length", "2")
            req.end_headers()
            req.wfile.write(b"ok")

        site.handle("/work", handle)


async def test_at_most_one_request_in_flight_per_host(site: LocalSite) -> None:
    counter = _InFlight()
    counter.serve(site)

    async with Fetcher(quick(concurrency=8)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(site.url("/work")) for _ in range(5)))

    assert [r.status for r in results] == [200] * 5
    assert counter.most == 1


async def test_global_concurrency_cap_across_hosts() -> None:
    counter = _InFlight()
    with ExitStack() as stack:
        sites = [stack.enter_context(LocalSite(f"127.0.0.{n}")) for n in range(1, 5)]
        for s in sites:
            counter.serve(s, hold=0.1)
        async with Fetcher(quick(concurrency=2)) as fetcher:
            await asyncio.gather(*(fetcher.fetch(s.url("/work")) for s in sites))

    assert counter.most == 2  # hosts ran in parallel, but never more than the cap


async def test_a_long_spacing_and_a_backoff_pass_on_the_fetchers_clock(
    site: LocalSite, other_site: LocalSite
) -> None:
    """A 30 s per-host delay and a 503's 120 s Retry-After, honoured without a real wait."""
    site.set("/", "a")
    other_site.sequence(
        "/busy",
        Page(b"busy", 503, {"Retry-After": "120"}),
        Page(b"fine"),
    )
    clock = FakeClock()
    settings = quick(per_host_delay=30.0, max_retries=1, max_retry_after=600.0)
    started = time.monotonic()
    async with Fetcher(settings, clock=clock) as fetcher:
        for n in range(3):
            await fetcher.fetch(site.url(f"/?n={n}"))
        assert clock.slept == [30.0, 30.0]  # the first request waits for nobody
        clock.slept.clear()
        result = await fetcher.fetch(other_site.url("/busy"))
    assert result.status == 200
    assert sum(clock.slept) >= 120.0  # Retry-After, on the clock the code was given
    assert time.monotonic() - started < 5  # and none of it on the real one
