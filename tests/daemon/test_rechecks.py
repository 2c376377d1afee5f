"""The re-check ladder turns edits into versions, and skips work when nothing changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from archiver.config import Settings
from archiver.sources.specs import make_spec
from archiver.store import Store
from archiver.version import diff_versions
from tests.daemon.conftest import running, until
from tests.daemon.newssite import NewsSite

EDIT = "Officials said on Monday that working-level talks would begin in Stockholm."


def test_edit_becomes_version_two_through_the_ladder(
    settings: Settings, store: Store, news: NewsSite
) -> None:
    url = news.publish("ladder", 1)
    store.add_source(make_spec(news.url("/rss.xml"), kind="feed", every="1h"))

    async def scenario() -> None:
        async with running(settings) as daemon:
            await until(lambda: store.counts()["articles"] == 1, what="article archived")
            first_seen = store.article(url).first_seen
            news.churn("ladder")  # rail/ad churn before the first re-check: not an edit
            await until(lambda: len(news.site.hits_for(news.article_path("ladder"))) >= 2,
                        what="first re-check")  # fmt: skip
            assert store.article(url).version_count == 1
            news.edit("ladder", EDIT)
            await until(lambda: store.article(url).version_count == 2, what="version 2")
            v2_at = datetime.now(UTC)
            assert (v2_at - first_seen).total_seconds() >= 1.0  # not before the first rung
            assert daemon.services.stats.extracted >= 2

    asyncio.run(scenario())
    old, new = store.versions(store.article(url).id)
    ops = diff_versions(old, new).ops
    inserted = {w for op in ops if op.kind == "insert" for w in op.text.split()}
    assert {"working-level", "Stockholm."} <= inserted
    assert EDIT in "".join(op.text for op in ops if op.kind != "delete")
    # the change restarted the ladder: the next check is one first rung after the change
    state = store.article(url)
    assert state.version_count == 2


@pytest.mark.parametrize("etags", [True, False], ids=["304", "identical-body"])
def test_unchanged_rechecks_skip_extraction(
    settings: Settings, store: Store, news: NewsSite, etags: bool
) -> None:
    news.etags = etags
    url = news.publish("quiet", 2)
    store.add_source(make_spec(news.url("/rss.xml"), kind="feed", every="1h"))

    async def scenario() -> None:
        async with running(settings) as daemon:
            stats = daemon.services.stats
            await until(lambda: stats.not_modified + stats.identical >= 2, what="two re-checks")
            assert stats.extracted == 1  # only the first capture was extracted
            if etags:
                assert stats.not_modified >= 2
                assert stats.identical == 0
                hits = news.site.hits_for(news.article_path("quiet"))
                assert all(h.headers.get("If-None-Match") for h in hits[1:])
            else:
                assert stats.identical >= 2
                assert stats.not_modified == 0

    asyncio.run(scenario())
    counts = store.counts()
    assert (counts["articles"], counts["versions"], counts["bodies"]) == (1, 1, 1)
    assert counts["captures"] >= 3
    assert store.article(url).version_count == 1


def test_due_rechecks_survive_a_restart(settings: Settings, store: Store, news: NewsSite) -> None:
    settings.daemon.recheck_ladder = [3.0, 60.0]
    url = news.publish("persist", 0)
    store.add_source(make_spec(news.url("/rss.xml"), kind="feed", every="1h"))

    async def first_run() -> None:
        async with running(settings):
            await until(lambda: store.counts()["articles"] == 1, what="archived")
        # stopped before the 3 s rung

    asyncio.run(first_run())
    assert len(news.site.hits_for(news.article_path("persist"))) == 1
    news.edit("persist", EDIT)

    async def second_run() -> None:
        async with running(settings):
            await until(
                lambda: store.article(url).version_count == 2, what="re-check after restart"
            )

    asyncio.run(second_run())
