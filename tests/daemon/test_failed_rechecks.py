"""A re-check that fails is retried, never ends the ladder; a slow tail catches late edits."""

from __future__ import annotations

import asyncio

from archiver.config import Settings
from archiver.sources.specs import make_spec
from archiver.store import Store
from tests.daemon.conftest import running, until
from tests.daemon.newssite import NewsSite

EDIT = "A correction published later: the talks will take place in Hanoi, officials said."


def test_a_host_down_across_the_last_rung_then_an_edit_is_caught(
    settings: Settings, store: Store, news: NewsSite
) -> None:
    settings.daemon.recheck_ladder = [1.0, 2.0]
    settings.daemon.recheck_retries = 2
    settings.daemon.recheck_retry_after = 0.5
    url = news.publish("late", 1)
    path = news.article_path("late")
    store.add_source(make_spec(news.url("/rss.xml"), kind="feed", every="1h"))

    async def scenario() -> None:
        async with running(settings):
            await until(lambda: store.counts()["articles"] == 1, what="article archived")
            page = news.site.pages[path]
            news.site.set(path, "gone for now", status=404, content_type="text/plain")
            # both rungs pass while the host answers 404; the failures are retried
            await until(lambda: len(news.site.hits_for(path)) >= 5, limit=30, what="retries")
            news.site.pages[path] = page
            news.edit("late", EDIT)
            await until(lambda: store.article(url).version_count == 2, limit=30, what="edit")

    asyncio.run(scenario())
    assert EDIT in store.article(url).latest.text


def test_the_slow_tail_keeps_checking_after_the_last_rung(
    settings: Settings, store: Store, news: NewsSite
) -> None:
    settings.daemon.recheck_ladder = [0.5]
    settings.daemon.recheck_tail = 1.0
    url = news.publish("tail", 2)
    path = news.article_path("tail")
    store.add_source(make_spec(news.url("/rss.xml"), kind="feed", every="1h"))

    async def scenario() -> None:
        async with running(settings):
            await until(lambda: store.counts()["articles"] == 1, what="article archived")
            await until(lambda: len(news.site.hits_for(path)) >= 4, limit=30, what="tail checks")
            news.edit("tail", EDIT)
            await until(lambda: store.article(url).version_count == 2, limit=30, what="edit")

    asyncio.run(scenario())
