"""Every source kind finds new articles through the running daemon."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from archiver.config import Settings
from archiver.sources.specs import make_spec
from archiver.store import Store
from tests.daemon.conftest import running, until
from tests.daemon.newssite import NewsSite


@pytest.mark.parametrize(
    ("kind", "path"),
    [("feed", "/rss.xml"), ("sitemap", "/sitemap_index.xml"), ("page", "/world/")],
)
def test_source_kind_discovers_new_articles(
    settings: Settings, store: Store, news: NewsSite, kind: str, path: str
) -> None:
    first = news.publish("dmz-handshake", 0)
    store.add_source(make_spec(news.url(path), kind=kind, name=kind, every="1s"))

    async def scenario() -> None:
        async with running(settings):
            await until(lambda: store.counts()["articles"] == 1, what="first article")
            second = news.publish("dmz-talks", 1)
            await until(lambda: store.counts()["articles"] == 2, what="second article")
            assert store.article(second).latest.title.startswith("Trump invites")

    asyncio.run(scenario())
    assert store.article(first).version_count == 1
    (src,) = store.sources()
    assert src.consecutive_failures == 0
    assert src.last_success_at is not None
    assert src.article_count == 2
    assert src.total_new == 2
    # known articles are left to the re-check ladder, not re-archived by every poll
    assert len(news.site.hits_for(news.article_path("dmz-handshake"))) <= 1 + 3


def test_sitemaps_are_fetched_conditionally(
    settings: Settings, store: Store, news: NewsSite
) -> None:
    news.publish("first", 0)
    store.add_source(make_spec(news.url("/sitemap_index.xml"), kind="sitemap", every="1s"))

    async def scenario() -> None:
        async with running(settings) as daemon:
            await until(lambda: store.counts()["articles"] == 1, what="first article")
            await until(lambda: daemon.sitemaps.not_modified >= 2, what="a 304 poll")
            news.publish("second", 1)  # the index stays the same; its child sitemap changes
            await until(lambda: store.counts()["articles"] == 2, what="second article")

    asyncio.run(scenario())
    index_hits = news.site.hits_for("/sitemap_index.xml")
    child_hits = news.site.hits_for("/sitemap-news.xml")
    assert len(index_hits) >= 3
    assert all("If-None-Match" in h.headers for h in index_hits[1:])
    assert all("If-None-Match" in h.headers for h in child_hits[1:])


def test_url_source_and_sitemap_from_robots(
    settings: Settings, store: Store, news: NewsSite
) -> None:
    single = news.publish("single", 2)
    news.site.set(
        "/robots.txt",
        f"User-agent: *\nAllow: /\nSitemap: {news.url('/sitemap_index.xml')}\n",
        content_type="text/plain",
    )
    news.publish("via-robots", 3)
    store.add_source(make_spec(single, kind="url", name="one", every="1h"))
    store.add_source(make_spec(news.url("/robots.txt"), kind="sitemap", name="rb", every="1h"))

    async def scenario() -> None:
        async with running(settings):
            await until(lambda: store.counts()["articles"] == 2, what="both articles")

    asyncio.run(scenario())
    by_name = {s.name: s for s in store.sources()}
    assert by_name["one"].articles_found == 1
    assert by_name["rb"].articles_found == 2


def test_cli_edits_reach_the_running_daemon(
    settings: Settings, store: Store, news: NewsSite
) -> None:
    news.publish("later", 0)

    async def scenario() -> None:
        async with running(settings) as daemon:

            def source_jobs() -> list[str]:
                return [j.id for j in daemon.scheduler.get_jobs() if j.id.startswith("source:")]

            other = Store(settings.db_url)  # what `archiver source add` does, in its own process
            try:
                spec = make_spec(news.url("/rss.xml"), kind="feed", every="1h")
                await asyncio.to_thread(other.add_source, spec)
                await until(lambda: store.counts()["articles"] == 1, what="new source polled")
                assert source_jobs() == ["source:127.0.0.1"]
                await asyncio.to_thread(other.set_paused, "127.0.0.1", True)
                await until(lambda: source_jobs() == [], what="paused source unscheduled")
                await asyncio.to_thread(other.set_paused, "127.0.0.1", False)
                await until(lambda: source_jobs() == ["source:127.0.0.1"], what="resumed")
                await asyncio.to_thread(other.remove_source, "127.0.0.1")
                await until(lambda: source_jobs() == [], what="removed source unscheduled")
            finally:
                other.close()

    asyncio.run(scenario())


def test_sources_file_is_synced_at_start(
    settings: Settings, store: Store, news: NewsSite, archiver_env: Path
) -> None:
    news.publish("from-file", 1)
    Path(settings.daemon.sources_file).write_text(
        f'[[source]]\nname = "filefeed"\nkind = "feed"\nurl = "{news.url("/rss.xml")}"\n'
        'every = "1h"\n'
    )

    async def scenario() -> None:
        async with running(settings):
            await until(lambda: store.counts()["articles"] == 1, what="file source polled")

    asyncio.run(scenario())
    (src,) = store.sources()
    assert (src.name, src.origin, src.every_seconds) == ("filefeed", "file", 3600.0)
