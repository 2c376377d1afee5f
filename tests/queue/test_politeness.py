"""Politeness across three ``archiver worker`` processes, measured at the servers.

Archive jobs for three hosts wait in the queue before three workers (two jobs
at a time each) start, so every worker fetches from every host at once. The
per-host delay, a host's Crawl-delay and a Retry-After must hold for all of them
together (the gate lives in the database: ``archiver.fetch.shared``), and each
host's robots.txt is fetched once for the whole cluster.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import pytest

from archiver.config import load_settings
from archiver.queue.app import build_app
from archiver.queue.defer import defer_archive
from tests.fixtures.seedpages import seed_page
from tests.localsite import Hit, LocalSite, Page
from tests.queue.conftest import Cluster, Db, stop_all, until

# Real processes on a busy 2-core machine: starting one takes seconds of imports.
pytestmark = pytest.mark.timeout(300)

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
DELAY = 0.5  # fetch.per_host_delay
CRAWL_DELAY = 0.8  # the third host's robots.txt asks for more
RETRY_AFTER = 2  # the second host's first page answers 503 with this (whole seconds)
PAGES = 6  # per host
SLACK = 0.02  # the server's clock against the database's; connecting; scheduling


@pytest.fixture
def sites() -> Iterator[list[LocalSite]]:
    with LocalSite(HOSTS[0]) as one, LocalSite(HOSTS[1]) as two, LocalSite(HOSTS[2]) as three:
        yield [one, two, three]


def _serve(sites: list[LocalSite]) -> list[str]:
    urls = []
    for n, site in enumerate(sites):
        rules = "User-agent: *\nDisallow: /private/\n"
        if n == 2:
            rules += f"Crawl-delay: {CRAWL_DELAY}\n"
        site.set("/robots.txt", rules, content_type="text/plain")
        for i in range(PAGES):
            path = f"/news/{n}-{i}.html"
            url = site.url(path)
            html = seed_page(i % 4, url=url, edit=f"Note {n}-{i}: the council met again.").html
            if n == 1 and i == 0:
                busy = Page(b"busy", 503, {"Retry-After": str(RETRY_AFTER)})
                site.sequence(path, busy, Page(html.encode(), 200, {"Content-Type": "text/html"}))
            else:
                site.set(path, html)
            urls.append(url)
    return urls


def _gaps(hits: list[Hit]) -> list[float]:
    times = sorted(hit.at for hit in hits)
    return [later - earlier for earlier, later in itertools.pairwise(times)]


async def _defer_all(urls: list[str]) -> None:
    app = build_app(load_settings())
    async with app.open_async():
        for url in urls:  # all waiting before any worker runs: they take them all at once
            assert await defer_archive(app, url, None)


def test_per_host_delay_retry_after_and_robots_hold_across_three_workers(
    cluster: Cluster, db: Db, sites: list[LocalSite]
) -> None:
    urls = _serve(sites)
    for key, value in {"ARCHIVER_FETCH__PER_HOST_DELAY": str(DELAY),
                       "ARCHIVER_FETCH__RETRY_BACKOFF": "0.1"}.items():  # fmt: skip
        cluster.env[key] = value
        cluster.monkeypatch.setenv(key, value)
    assert cluster.cli("migrate").code == 0
    asyncio.run(_defer_all(urls))
    workers = [cluster.start("worker", "--concurrency", "2") for _ in range(3)]
    done = ("SELECT count(*) FROM procrastinate_jobs "
            "WHERE task_name = 'archive_url' AND status = 'succeeded'")  # fmt: skip
    try:
        until(lambda: db.value(done) == len(urls), 120, "every archive job to succeed")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n" + "".join(w.text() for w in workers)) from None
    assert stop_all(*workers) == [0, 0, 0], "".join(w.text() for w in workers)
    active = [w for w in workers if "archiver.archive: new " in w.text()]
    assert len(active) >= 2, "the jobs were not spread over the workers"

    for n, site in enumerate(sites):
        assert len(site.hits_for("/robots.txt")) == 1, f"robots.txt of {site.host} fetched again"
        spacing = CRAWL_DELAY if n == 2 else DELAY
        gaps = _gaps(site.hits)
        assert len(gaps) == PAGES + (1 if n == 1 else 0), [h.path for h in site.hits]
        assert min(gaps) >= spacing - SLACK, (site.host, gaps)
    # The 503's Retry-After held every worker off that host, not just the one that got it.
    hits = sorted(sites[1].hits, key=lambda hit: hit.at)
    busy = next(i for i, hit in enumerate(hits) if hit.path.endswith("/1-0.html"))
    assert hits[busy + 1].at - hits[busy].at >= RETRY_AFTER - SLACK
    assert db.value("SELECT count(*) FROM robots_file WHERE status = 'ok'") == 3
    assert "Traceback" not in "".join(w.text() for w in workers)
