"""Retries, Retry-After and per-host backoff, timed on the servers' own clocks."""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from archiver.config import FetchSettings
from archiver.errors import BodyTooLargeError, FetchError, FetchTimeoutError
from archiver.fetch import Fetcher
from archiver.fetch.retry import JITTER, RetryPolicy, retry_after
from tests.fetch.helpers import quick
from tests.localsite import LocalSite, Page, send_ok

pytestmark = pytest.mark.anyio

CLOCK_SLACK = 0.005


def retrying(**overrides: Any) -> FetchSettings:
    values: dict[str, Any] = {"max_retries": 3, "retry_backoff": 0.1, "host_backoff_max": 10.0}
    return quick(**{**values, **overrides})


def gaps(site: LocalSite, path: str) -> list[float]:
    times = [hit.at for hit in site.hits_for(path)]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_retry_after_values() -> None:
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert retry_after({"retry-after": "7"}, now) == 7.0
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:30 GMT"}, now) == 30.0
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:30 -0000"}, now) == 30.0
    assert retry_after({"retry-after": "Tue, 20 Oct 2015 07:28:00 GMT"}, now) == 0.0  # past
    for junk in ("", "soon", "-5", "1.5", "Wed, 99 Foo 2015"):
        assert retry_after({"retry-after": junk}, now) is None
    assert retry_after({}, now) is None


def test_retry_policy_waits() -> None:
    policy = RetryPolicy(max_retries=3, backoff=1.0, max_retry_after=60.0)
    for attempt in range(3):
        wait = policy.wait(attempt)
        assert wait is not None and 2**attempt <= wait <= 2**attempt * (1 + JITTER)
    assert policy.wait(3) is None  # retries used up
    assert policy.wait(0, asked=30.0) == 30.0  # Retry-After beats a shorter backoff
    assert policy.wait(0, asked=61.0) is None  # ... unless it is over the cap


async def test_retry_after_is_honoured(site: LocalSite) -> None:
    site.sequence("/p", Page(b"busy", 429, {"Retry-After": "1"}), Page(b"ok"))

    async with Fetcher(retrying()) as fetcher:
        result = await fetcher.fetch(site.url("/p"))

    assert (result.status, result.body) == (200, b"ok")
    (gap,) = gaps(site, "/p")
    assert gap >= 1.0 - CLOCK_SLACK


async def test_retry_after_over_the_cap_returns_the_429_and_backs_the_host_off(
    site: LocalSite,
) -> None:
    site.sequence("/p", Page(b"later", 429, {"Retry-After": "3600"}), Page(b"ok"))
    settings = retrying(max_retry_after=0.5, host_backoff_max=0.6)

    async with Fetcher(settings) as fetcher:
        started = time.monotonic()
        result = await fetcher.fetch(site.url("/p"))
        elapsed = time.monotonic() - started
        again = await fetcher.fetch(site.url("/p"))

    assert (result.status, result.headers["retry-after"]) == (429, "3600")
    assert elapsed < 0.5  # not waited for, not retried
    assert again.status == 200
    (gap,) = gaps(site, "/p")
    assert 0.6 - CLOCK_SLACK <= gap < 1.5  # the host waited, up to host_backoff_max


async def test_runs_of_503_are_bounded_with_growing_gaps(site: LocalSite) -> None:
    site.set("/p", "down", status=503)

    async with Fetcher(retrying(max_retries=3, retry_backoff=0.1)) as fetcher:
        result = await fetcher.fetch(site.url("/p"))

    assert result.status == 503
    assert len(site.hits_for("/p")) == 4  # max_retries + 1
    spacing = gaps(site, "/p")
    for attempt, gap in enumerate(spacing):
        assert gap >= 0.1 * 2**attempt - CLOCK_SLACK, spacing
    assert spacing == sorted(spacing), spacing


@pytest.mark.parametrize("status", [404, 403, 501])
async def test_other_statuses_are_not_retried(site: LocalSite, status: int) -> None:
    site.set("/p", "no", status=status)

    async with Fetcher(retrying()) as fetcher:
        assert (await fetcher.fetch(site.url("/p"))).status == status

    assert len(site.hits) == 1


async def test_connection_refused_is_retried_then_raised() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async with Fetcher(retrying(max_retries=2, retry_backoff=0.1)) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchError, match=re.escape(f"connection refused by 127.0.0.1:{port}")):
            await fetcher.fetch(f"http://127.0.0.1:{port}/")
        elapsed = time.monotonic() - started

    assert 0.3 <= elapsed < 1.5  # waited 0.1 + 0.2 between three attempts


def _hang_up(req: BaseHTTPRequestHandler) -> None:
    req.close_connection = True  # no response at all


async def test_dropped_connections_are_retried_a_bounded_number_of_times(
    site: LocalSite,
) -> None:
    site.handle("/p", _hang_up)

    async with Fetcher(retrying(max_retries=2, retry_backoff=0.05)) as fetcher:
        with pytest.raises(FetchError, match="malformed HTTP response") as caught:
            await fetcher.fetch(site.url("/p"))

    assert len(site.hits_for("/p")) == 3
    assert "\n" not in str(caught.value)


async def test_a_timed_out_attempt_is_not_retried_at_once(site: LocalSite) -> None:
    """A hang costs the caller one deadline (issue: three deadlines were 90 s of `add`)."""
    calls = itertools.count()

    def slow_then_fine(req: BaseHTTPRequestHandler) -> None:
        if next(calls) == 0:
            site.stopping.wait(1.0)  # outlasts the first attempt's deadline
            req.close_connection = True
            return
        send_ok(req)

    site.handle("/p", slow_then_fine)

    async with Fetcher(retrying(total_timeout=0.5, retry_backoff=0.05)) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match=r"timed out after 0.5s"):
            await fetcher.fetch(site.url("/p"))
        elapsed = time.monotonic() - started
        later = await fetcher.fetch(site.url("/p"))  # the caller's own later try

    assert 0.5 <= elapsed < 0.9  # one deadline, with max_retries = 3
    assert len(site.hits_for("/p")) == 2 and later.body == b"ok"


async def test_permanent_failures_are_not_retried(site: LocalSite) -> None:
    site.set("/big", b"x" * 2000)

    async with Fetcher(retrying(max_body_bytes=1000)) as fetcher:
        with pytest.raises(BodyTooLargeError):
            await fetcher.fetch(site.url("/big"))

    assert len(site.hits) == 1


async def test_failing_host_is_backed_off_while_others_go_on(
    site: LocalSite, other_site: LocalSite
) -> None:
    """One global slot: a failing host's waits must not hold it."""
    other_site.set("/down", "down", status=503)
    site.set("/up", "ok")
    settings = retrying(
        concurrency=1, per_host_delay=0.1, max_retries=1, retry_backoff=0.2, host_backoff_max=0.8
    )

    async with Fetcher(settings) as fetcher:

        async def up() -> None:
            for n in range(6):
                await fetcher.fetch(site.url(f"/up?{n}"))

        started = time.monotonic()
        healthy = asyncio.create_task(up())
        failed = await asyncio.gather(*(fetcher.fetch(other_site.url("/down")) for _ in range(2)))
        elapsed = time.monotonic() - started
        await healthy

    assert [r.status for r in failed] == [503, 503]
    up_times = [hit.at for hit in site.hits]
    up_gaps = [b - a for a, b in itertools.pairwise(up_times)]
    assert all(0.1 - CLOCK_SLACK <= gap < 0.2 for gap in up_gaps), up_gaps  # normal pace
    down_times = [hit.at for hit in other_site.hits]
    assert len(down_times) == 4  # two fetches, one retry each
    down_gaps = [b - a for a, b in itertools.pairwise(down_times)]
    for failures, gap in enumerate(down_gaps, start=1):  # 0.2, 0.4, then capped at 0.8
        assert gap >= min(0.8, 0.2 * 2 ** (failures - 1)) - CLOCK_SLACK, down_gaps
    assert up_times[-1] < down_times[-1] - 0.5  # the healthy host finished long before
    assert elapsed >= 1.4 - CLOCK_SLACK


async def test_a_success_resets_the_backoff(site: LocalSite) -> None:
    pages = [Page(b"no", 503), Page(b"no", 503), Page(b"ok"), Page(b"ok")]
    site.sequence("/p", *pages)

    async with Fetcher(retrying(max_retries=0, retry_backoff=0.2)) as fetcher:
        statuses = [(await fetcher.fetch(site.url("/p"))).status for _ in pages]

    assert statuses == [503, 503, 200, 200]
    first, second, after_success = gaps(site, "/p")
    assert first >= 0.2 - CLOCK_SLACK
    assert second >= 0.4 - CLOCK_SLACK
    assert after_success < 0.1
