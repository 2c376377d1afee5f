"""The shared gate and robots.txt shelf: several Fetchers (as several workers would)
on one store, measured on the server's clock. The store is real: SQLite, and
PostgreSQL when ``ARCHIVER_TEST_POSTGRES_URL`` is set (a schema of its own)."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from archiver.errors import BlockedAddressError, RobotsDisallowedError
from archiver.fetch import Fetcher
from archiver.fetch.shared import SharedGate
from archiver.store import Store
from tests.fetch.helpers import quick
from tests.localsite import LocalSite, Page
from tests.store.conftest import backends, database_url

pytestmark = pytest.mark.anyio

SLACK = 0.01  # server-side timestamps jitter slightly around the database's clock


@pytest.fixture(params=backends())
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store every Fetcher of the test shares, as workers share the database."""
    with database_url(request.param, tmp_path) as url, Store(url) as store:
        yield store


@asynccontextmanager
async def workers(count: int, store: Store | None, **settings: Any) -> AsyncIterator[list[Fetcher]]:
    """``count`` Fetchers, each with its own gate: shared through ``store``, or not at all."""
    fetch = quick(**settings)
    async with AsyncExitStack() as stack:
        made = []
        for _ in range(count):
            gate = None if store is None else SharedGate.from_settings(fetch, store)
            made.append(await stack.enter_async_context(Fetcher(fetch, gate=gate, robots=store)))
        yield made


def gaps(site: LocalSite, path: str | None = None) -> list[float]:
    times = sorted(h.at for h in site.hits if path is None or h.path.startswith(path))
    return [later - earlier for earlier, later in itertools.pairwise(times)]


async def _three_fetch_twice(site: LocalSite, store: Store | None) -> list[float]:
    site.set("/", "a page")
    async with workers(3, store, per_host_delay=0.25) as fetchers:
        await asyncio.gather(*(
            fetcher.fetch(site.url(f"/?worker={w}&n={n}"))
            for w, fetcher in enumerate(fetchers) for n in range(2)
        ))  # fmt: skip
    assert len(site.hits) == 6
    return gaps(site)


async def test_starts_are_spaced_across_fetchers(site: LocalSite, shared: Store) -> None:
    spaced = await _three_fetch_twice(site, shared)
    assert min(spaced) >= 0.25 - SLACK, spaced


async def test_without_the_shared_gate_fetchers_do_not_space_each_other(site: LocalSite) -> None:
    """The control: per-process gates (the inline runner's) let three workers hit one host
    at once, which is what the test above would see without the shared gate."""
    spaced = await _three_fetch_twice(site, None)
    assert min(spaced) < 0.1, spaced


async def test_retry_after_seen_by_one_holds_the_others_off(
    site: LocalSite, shared: Store, caplog: pytest.LogCaptureFixture
) -> None:
    site.sequence("/busy", Page(b"busy", 503, {"Retry-After": "1"}), Page(b"fine"))
    site.set("/", "a page")
    caplog.set_level(logging.INFO, logger="archiver.fetch")
    async with workers(3, shared, retry_backoff=0.05) as (first, second, third):
        assert (await first.fetch(site.url("/busy"))).status == 503
        assert (await second.fetch(site.url("/"))).status == 200  # waits for the Retry-After
        assert (await third.fetch(site.url("/?again"))).status == 200  # the host recovered
    busy, page, again = (h.at for h in site.hits)
    assert page - busy >= 1.0 - SLACK
    assert again - page < 0.5  # the success ended the streak: no backoff left
    messages = [r.getMessage() for r in caplog.records]
    assert any("backing off 1 s after 503 (Retry-After)" in m for m in messages), messages
    assert any("answering again after 1 failed request" in m for m in messages), messages


async def test_failures_seen_by_different_fetchers_grow_one_backoff(
    site: LocalSite, shared: Store
) -> None:
    site.set("/", "down", status=503)
    async with workers(2, shared, retry_backoff=0.2, host_backoff_max=5) as (first, second):
        for fetcher in (first, second, first):
            assert (await fetcher.fetch(site.url("/"))).status == 503
    one, two, three = (h.at for h in site.hits)
    assert two - one >= 0.2 - SLACK  # failure 1: 0.2 s
    assert three - two >= 0.4 - SLACK  # failure 2 (seen by the other fetcher): 0.4 s


async def test_robots_txt_is_fetched_once_for_every_fetcher(site: LocalSite, shared: Store) -> None:
    site.set("/robots.txt", "User-agent: *\nDisallow: /private\nCrawl-delay: 0.2\n",
             content_type="text/plain")  # fmt: skip
    site.set("/", "a page")
    async with workers(3, shared, respect_robots=True) as fetchers:
        await asyncio.gather(*(f.fetch(site.url(f"/?w={w}")) for w, f in enumerate(fetchers)))
        for fetcher in fetchers:
            with pytest.raises(RobotsDisallowedError, match="disallows /private"):
                await fetcher.fetch(site.url("/private"))
    assert len(site.hits_for("/robots.txt")) == 1
    assert len(site.hits) == 4  # the file and three pages: /private was never asked for
    assert min(gaps(site)) >= 0.2 - SLACK  # its Crawl-delay holds across the fetchers too


async def test_an_unreachable_robots_txt_is_shared_too(site: LocalSite, shared: Store) -> None:
    site.set("/robots.txt", "down", status=503)
    site.set("/", "a page")
    async with workers(2, shared, respect_robots=True) as (first, second):
        for fetcher in (first, second):
            with pytest.raises(RobotsDisallowedError, match="unreachable"):
                await fetcher.fetch(site.url("/"))
    assert [h.path for h in site.hits] == ["/robots.txt"]


async def test_a_fetch_that_raises_gives_the_robots_lease_back(
    site: LocalSite, shared: Store
) -> None:
    fetch = quick(respect_robots=True, allow_private_networks=False)
    async with Fetcher(fetch, gate=SharedGate.from_settings(fetch, shared), robots=shared) as f:
        with pytest.raises(BlockedAddressError):
            await f.fetch(site.url("/"))
    assert site.hits == []
    # No copy was stored and the lease is free: the next worker fetches the file at once.
    assert shared.claim_robots(site.url("").rstrip("/"), 10.0) is True
    assert shared.claim_robots(site.url("").rstrip("/"), 10.0) is False  # now leased to it
