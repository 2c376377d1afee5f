"""The daemon fetches like a good citizen: robots.txt, per-host delay, Retry-After."""

from __future__ import annotations

import asyncio
import itertools
from http.server import BaseHTTPRequestHandler

from archiver.config import Settings
from archiver.sources.specs import make_spec
from archiver.store import Store
from tests.daemon.conftest import running, until
from tests.daemon.newssite import NewsSite


def test_robots_disallow_is_respected(settings: Settings, store: Store, news: NewsSite) -> None:
    news.site.set("/robots.txt", "User-agent: *\nDisallow: /news/2026/11/private\n",
                  content_type="text/plain")  # fmt: skip
    news.publish("private-memo", 0)
    allowed = news.publish("public-story", 1)
    store.add_source(make_spec(news.url("/rss.xml"), kind="feed", every="1h"))

    async def scenario() -> None:
        async with running(settings):
            await until(lambda: store.counts()["articles"] == 1, what="allowed article")
            await until(lambda: store.sources()[0].last_poll_at is not None, what="poll recorded")

    asyncio.run(scenario())
    assert news.site.hits_for(news.article_path("private-memo")) == []
    assert store.article(allowed).version_count == 1
    assert store.sources()[0].articles_found == 2


def test_per_host_delay_is_measured_between_requests(
    settings: Settings, store: Store, news: NewsSite
) -> None:
    settings.fetch.per_host_delay = 0.4
    for i in range(4):
        news.publish(f"story-{i}", i)
    store.add_source(make_spec(news.url("/world/"), kind="page", every="1h"))

    async def scenario() -> None:
        async with running(settings):
            await until(lambda: store.counts()["articles"] == 4, what="four articles")

    asyncio.run(scenario())
    times = sorted(h.at for h in news.site.hits)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) >= 5  # robots.txt, section page, four articles
    assert min(gaps) >= 0.4 - 0.01, gaps


def test_retry_after_is_honoured(settings: Settings, store: Store, news: NewsSite) -> None:
    url = news.publish("busy", 3)
    path = news.article_path("busy")
    page = news.site.pages[path]
    served: list[float] = []

    def busy_once(req: BaseHTTPRequestHandler) -> None:
        served.append(0)
        if len(served) == 1:
            req.send_response(503)
            req.send_header("Retry-After", "1")
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        req.send_response(200)
        req.send_header("Content-Type", "text/html; charset=utf-8")
        req.send_header("Content-Length", str(len(page.body)))
        req.end_headers()
        req.wfile.write(page.body)

    news.site.handle(path, busy_once)
    store.add_source(make_spec(url, kind="url", every="1h"))

    async def scenario() -> None:
        async with running(settings):
            await until(lambda: store.counts()["articles"] == 1, what="article after retry")

    asyncio.run(scenario())
    first, second = news.site.hits_for(path)[:2]
    assert second.at - first.at >= 1.0
    assert store.sources()[0].consecutive_failures == 0
