"""The daemon's re-check ladder never turns a ticking stamp into versions."""

from __future__ import annotations

import asyncio

from archiver.config import Settings
from archiver.sources.specs import make_spec
from archiver.store import Store
from tests.daemon.conftest import running, until
from tests.fixtures.boxes import STAMP_LABEL, page
from tests.localsite import LocalSite

EDIT = "Negotiators will resume working-level talks in Stockholm on Friday, officials said."


def test_a_ticking_box_rechecked_by_the_ladder_stays_one_version(
    settings: Settings, store: Store, site: LocalSite
) -> None:
    settings.daemon.recheck_ladder = [0.3, 0.6]
    settings.daemon.recheck_tail = 0.4  # then checked again and again
    path = "/news/report-1"
    fetches: list[int] = []

    def serve() -> None:  # every fetch sees the stamp one second later
        site.set(path, page(1, tick=len(fetches)))

    serve()
    url = site.url(path)
    site.set(
        "/rss.xml",
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Daily</title>"
        f"<link>{site.url('/')}</link><description>d</description>"
        f"<item><title>Report</title><link>{url}</link></item></channel></rss>",
        content_type="application/rss+xml",
    )
    store.add_source(make_spec(site.url("/rss.xml"), kind="feed", every="1h"))

    async def scenario() -> None:
        async with running(settings) as daemon:
            await until(lambda: store.counts()["articles"] == 1, what="article archived")
            for n in range(1, 6):
                fetches.append(n)
                serve()
                await until(lambda n=n: len(site.hits_for(path)) > n, what=f"re-check {n}")
            await until(lambda: daemon.services.stats.volatile >= 1, what="stamp learned")
            fetches.append(6)
            serve()
            await until(lambda: len(site.hits_for(path)) > 6, what="re-check 6")
            site.set(path, page(1, tick=99, edit=EDIT))
            await until(lambda: store.article(url).version_count == 2, what="the edit")

    asyncio.run(scenario())
    article = store.article(url)
    texts = [v.text for v in store.versions(article.id)]
    assert len(texts) == 2  # the stamp ticked six times: no version; the edit: one
    assert all(STAMP_LABEL not in t for t in texts)
    assert EDIT in texts[1]
