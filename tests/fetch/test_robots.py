"""robots.txt (RFC 9309) against real local servers: what is fetched, what never is."""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
from typing import Any

import pytest

from archiver.config import FetchSettings
from archiver.errors import BlockedAddressError, RobotsDisallowedError
from archiver.fetch import Fetcher
from archiver.fetch.robots import ROBOTS_MAX_BYTES, product_token
from tests.fetch.clock import FakeClock
from tests.fetch.helpers import quick
from tests.localsite import LocalSite

pytestmark = pytest.mark.anyio

CLOCK_SLACK = 0.005
UA = "archiver/0.1 (news archiver; +https://github.com/archiver/archiver)"


def polite(**overrides: Any) -> FetchSettings:
    values: dict[str, Any] = {"respect_robots": True, "user_agent": UA, "retry_backoff": 0.01}
    return quick(**{**values, **overrides})


def robots(site: LocalSite, text: str, status: int = 200) -> None:
    site.set("/robots.txt", text, status=status, content_type="text/plain")


def paths(site: LocalSite) -> list[str]:
    return [hit.path for hit in site.hits]


async def test_disallowed_page_is_never_requested(site: LocalSite) -> None:
    robots(site, "User-agent: *\nDisallow: /private\n")
    site.set("/private/story", "secret")
    site.set("/public", "ok")

    async with Fetcher(polite()) as fetcher:
        with pytest.raises(
            RobotsDisallowedError,
            match=re.escape(f"robots.txt of 127.0.0.1:{site.port} disallows /private/story?x=1"),
        ):
            await fetcher.fetch(site.url("/private/story?x=1"))
        result = await fetcher.fetch(site.url("/public"))

    assert result.body == b"ok"
    assert paths(site) == ["/robots.txt", "/public"]
    assert site.hits[0].headers["User-Agent"] == UA


async def test_a_redirect_into_a_disallowed_path_is_not_followed(site: LocalSite) -> None:
    robots(site, "User-agent: *\nDisallow: /private\n")
    site.redirect("/teaser", "/private/story")

    async with Fetcher(polite()) as fetcher:
        with pytest.raises(RobotsDisallowedError, match="disallows /private/story"):
            await fetcher.fetch(site.url("/teaser"))

    assert paths(site) == ["/robots.txt", "/teaser"]


@pytest.mark.parametrize(
    ("agent", "allowed"),
    [(UA, False), ("Archiver/2.0", False), ("archiverbot/1.0", True), ("otherbot/1.0", True)],
)
async def test_our_product_token_picks_the_group(
    site: LocalSite, agent: str, allowed: bool
) -> None:
    robots(site, "User-agent: otherbot\nAllow: /\n\nUser-agent: archiver\nDisallow: /\n")
    site.set("/p", "ok")

    async with Fetcher(polite(user_agent=agent)) as fetcher:
        if allowed:
            assert (await fetcher.fetch(site.url("/p"))).status == 200
        else:
            with pytest.raises(RobotsDisallowedError):
                await fetcher.fetch(site.url("/p"))


def test_product_token() -> None:
    assert product_token(UA) == "archiver"
    assert product_token("My_Bot-X/1") == "my_bot-x"
    assert product_token("") == "*"


@pytest.mark.parametrize("status", [404, 401, 403, 410])
async def test_unavailable_robots_allows_everything(site: LocalSite, status: int) -> None:
    if status != 404:  # localsite answers 404 for anything unset
        robots(site, "User-agent: *\nDisallow: /\n", status=status)
    site.set("/p", "ok")

    async with Fetcher(polite()) as fetcher:
        assert (await fetcher.fetch(site.url("/p"))).status == 200
        assert (await fetcher.fetch(site.url("/p"))).status == 200

    assert paths(site) == ["/robots.txt", "/p", "/p"]


@pytest.mark.parametrize("status", [503, 500, 429])
async def test_unreachable_robots_disallows_until_the_error_period_ends(
    site: LocalSite, status: int
) -> None:
    robots(site, "oops", status=status)
    site.set("/p", "ok")

    async with Fetcher(polite(robots_error_seconds=0.4)) as fetcher:
        for _ in range(2):
            with pytest.raises(
                RobotsDisallowedError,
                match=re.escape(f"unreachable (HTTP {status}); not fetching /p for now"),
            ):
                await fetcher.fetch(site.url("/p"))
        assert paths(site) == ["/robots.txt"]  # the second refusal came from the cache
        robots(site, "User-agent: *\nAllow: /\n")
        await asyncio.sleep(0.4)
        result = await fetcher.fetch(site.url("/p"))

    assert result.status == 200
    assert paths(site) == ["/robots.txt", "/robots.txt", "/p"]


async def test_no_answer_for_robots_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async with Fetcher(polite()) as fetcher:
        with pytest.raises(RobotsDisallowedError, match=f"connection refused by 127.0.0.1:{port}"):
            await fetcher.fetch(f"http://127.0.0.1:{port}/story")


async def test_blocked_host_reports_the_block_not_robots(site: LocalSite) -> None:
    site.set("/p", "secret")

    async with Fetcher(polite(allow_private_networks=False)) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(site.url("/p"))

    assert site.hits == []


async def test_only_the_first_500_kib_are_parsed(site: LocalSite) -> None:
    filler = b"# " + b"x" * 1000 + b"\n"
    body = b"User-agent: *\nDisallow: /early\n" + filler * (ROBOTS_MAX_BYTES // len(filler))
    body += b"Disallow: /edge\n"  # ends just inside the limit
    assert len(body) < ROBOTS_MAX_BYTES < len(body + filler)
    body += filler + b"Disallow: /late\n"
    body += filler * (10 * 1024 * 1024 // len(filler))  # 10 MB in all
    site.set("/robots.txt", body, content_type="text/plain")
    site.set("/late", "ok")

    async with Fetcher(polite()) as fetcher:
        for path in ("/early", "/edge"):
            with pytest.raises(RobotsDisallowedError):
                await fetcher.fetch(site.url(path))
        result = await fetcher.fetch(site.url("/late"))  # its Disallow is past the limit

    assert result.status == 200


async def test_redirects_are_followed_within_five_hops(
    site: LocalSite, other_site: LocalSite
) -> None:
    for n in range(4):
        site.redirect("/robots.txt" if n == 0 else f"/r{n}", f"/r{n + 1}")
    site.redirect("/r4", other_site.url("/robots.txt"))  # fifth hop, to another host
    robots(other_site, "User-agent: *\nDisallow: /x\n")

    async with Fetcher(polite()) as fetcher:
        with pytest.raises(RobotsDisallowedError, match=f"of 127.0.0.1:{site.port} disallows /x"):
            await fetcher.fetch(site.url("/x"))

    assert paths(other_site) == ["/robots.txt"]


async def test_more_than_five_redirects_means_unavailable(site: LocalSite) -> None:
    for n in range(6):
        site.redirect("/robots.txt" if n == 0 else f"/r{n}", f"/r{n + 1}")
    site.set("/r6", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    site.set("/x", "ok")

    async with Fetcher(polite()) as fetcher:
        assert (await fetcher.fetch(site.url("/x"))).status == 200

    assert "/r6" not in paths(site)


@pytest.mark.parametrize(
    ("crawl_delay", "cap", "per_host", "low", "high"),
    [
        ("0.3", 60.0, 0.0, 0.3, 0.6),  # Crawl-delay raises the spacing
        ("86400", 0.25, 0.0, 0.25, 0.5),  # ... up to max_crawl_delay
        ("0.05", 60.0, 0.3, 0.3, 0.6),  # ... but never lowers per_host_delay
    ],
)
async def test_crawl_delay_spaces_requests(
    site: LocalSite,
    crawl_delay: str,
    cap: float,
    per_host: float,
    low: float,
    high: float,
) -> None:
    robots(site, f"User-agent: *\nCrawl-delay: {crawl_delay}\n")
    site.set("/", "ok")
    settings = polite(max_crawl_delay=cap, per_host_delay=per_host)

    async with Fetcher(settings) as fetcher:
        await asyncio.gather(*(fetcher.fetch(site.url(f"/?n={n}")) for n in range(3)))

    times = [hit.at for hit in site.hits]
    assert len(times) == 4  # robots.txt, then three pages
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(low - CLOCK_SLACK <= gap < high for gap in gaps), gaps


async def test_robots_is_fetched_once_per_origin_until_it_expires(
    site: LocalSite, other_site: LocalSite
) -> None:
    robots(site, "User-agent: *\nDisallow: /no\n")
    site.set("/", "ok")
    other_site.set("/", "ok")

    clock = FakeClock()
    async with Fetcher(polite(robots_cache_seconds=3600), clock=clock) as fetcher:
        await asyncio.gather(
            *(fetcher.fetch(site.url(f"/?n={n}")) for n in range(10)),
            fetcher.fetch(other_site.url("/")),
        )
        assert len(site.hits_for("/robots.txt")) == 1
        assert paths(other_site) == ["/robots.txt", "/"]
        clock.advance(3599)
        await fetcher.fetch(site.url("/"))
        assert len(site.hits_for("/robots.txt")) == 1  # still fresh
        clock.advance(1)
        await fetcher.fetch(site.url("/"))

    assert len(site.hits_for("/robots.txt")) == 2


async def test_check_robots_false_and_respect_robots_off(site: LocalSite) -> None:
    robots(site, "User-agent: *\nDisallow: /\n")
    site.set("/p", "ok")

    async with Fetcher(polite()) as fetcher:
        assert (await fetcher.fetch(site.url("/p"), check_robots=False)).status == 200
    async with Fetcher(polite(respect_robots=False)) as fetcher:
        assert (await fetcher.fetch(site.url("/p"))).status == 200

    assert paths(site) == ["/p", "/p"]
