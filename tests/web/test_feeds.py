"""Atom change feeds: the whole archive, a site, a source, an article; parsed with feedparser
(ids, dates, links), and linked from the pages."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import feedparser
import httpx
import pytest

from archiver.archive import Services, archive_url
from archiver.records.articles import SourceSpec
from archiver.store import Store
from tests.fixtures.stories import EDIT, serve_story
from tests.localsite import LocalSite
from tests.web.conftest import BASE

pytestmark = pytest.mark.anyio
ATOM = "application/atom+xml; charset=utf-8"


async def archive(services: Services, url: str, outcome: str, source_id: int | None = None) -> int:
    result = await archive_url(url, services, source_id=source_id)
    assert result.outcome == outcome, result
    assert result.article_id is not None
    return result.article_id


async def feed(client: httpx.AsyncClient, path: str) -> Any:
    answer = await client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == ATOM
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.bozo_exception  # well-formed Atom
    assert parsed.version == "atom10"
    return parsed


@pytest.fixture
async def archived(services: Services, store: Store, site: LocalSite) -> dict[str, int]:
    """harbour (2 versions, through a source), mill (1 version) on one site."""
    source = store.add_source(SourceSpec("wire", "url", site.url("/feed"), 3600, None, None, None))
    harbour = serve_story(site, "/news/harbour", "Harbour report")
    ids = {"harbour": await archive(services, harbour, "new", source.id)}
    ids["mill"] = await archive(services, serve_story(site, "/news/mill", "Mill closure"), "new")
    serve_story(site, "/news/harbour", "Harbour report", edit=EDIT)
    assert await archive(services, harbour, "updated") == ids["harbour"]
    return ids


async def test_the_whole_archive(
    client: httpx.AsyncClient, store: Store, archived: dict[str, int]
) -> None:
    parsed = await feed(client, "/feeds/all")
    assert parsed.feed.id == f"{BASE}/feeds/all"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {"self": f"{BASE}/feeds/all", "alternate": f"{BASE}/"}
    harbour, mill = archived["harbour"], archived["mill"]
    ids = [e.id for e in parsed.entries]
    assert ids == [  # one entry per version, newest first
        f"{BASE}/articles/{harbour}?version=2",
        f"{BASE}/articles/{mill}?version=1",
        f"{BASE}/articles/{harbour}?version=1",
    ]
    versions = {v.seq: v for v in store.versions(harbour)}
    update, new = parsed.entries[0], parsed.entries[2]
    assert datetime.fromisoformat(update.updated) == versions[2].created_at
    assert datetime.fromisoformat(new.published) == versions[1].created_at
    assert parsed.feed.updated == update.updated  # the feed changed when its newest entry did
    assert update.link == f"{BASE}/articles/{harbour}?version=2"  # the alternate: the article
    related = [link.href for link in update.links if link.rel == "related"]
    assert related == [f"{BASE}/articles/{harbour}/diff?from=1&to=2"]  # its diff
    assert [link.href for link in update.links if link.rel == "via"] == [
        store.article(harbour).canonical_url
    ]
    assert [t.term for t in update.tags] == ["updated"] and [t.term for t in new.tags] == ["new"]
    assert not [link for link in new.links if link.rel == "related"]  # nothing to diff yet
    assert update.title == "Harbour report (version 2)" and new.title == "Harbour report"
    assert "quay 1" in new.summary
    # the links lead somewhere real
    for entry in parsed.entries:
        for link in entry.links:
            if link.href.startswith(BASE):
                assert (await client.get(link.href)).status_code == 200


async def test_site_source_and_article_feeds(
    client: httpx.AsyncClient, archived: dict[str, int]
) -> None:
    harbour, mill = archived["harbour"], archived["mill"]
    by_site = await feed(client, "/feeds/sites/127.0.0.1")
    assert len(by_site.entries) == 3
    assert (await feed(client, "/feeds/sites/elsewhere.example")).entries == []
    by_source = await feed(client, "/feeds/sources/wire")
    assert [e.id for e in by_source.entries] == [
        f"{BASE}/articles/{harbour}?version=2",
        f"{BASE}/articles/{harbour}?version=1",
    ]
    assert by_source.feed.id == f"{BASE}/feeds/sources/wire"
    one = await feed(client, f"/feeds/articles/{mill}")
    assert [e.id for e in one.entries] == [f"{BASE}/articles/{mill}?version=1"]
    assert one.feed.title == "archiver: Mill closure"
    for missing in ("/feeds/sources/nope", "/feeds/articles/999", "/feeds/articles/0"):
        assert (await client.get(missing)).status_code == 404


async def test_pages_link_their_feeds(client: httpx.AsyncClient, archived: dict[str, int]) -> None:
    def alternates(html: str) -> list[str]:
        found = re.findall(
            r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html
        )
        return found

    assert alternates((await client.get("/")).text) == ["/feeds/all"]
    assert alternates((await client.get("/?site=127.0.0.1&source=wire")).text) == [
        "/feeds/all", "/feeds/sites/127.0.0.1", "/feeds/sources/wire",
    ]  # fmt: skip
    harbour = archived["harbour"]
    page = (await client.get(f"/articles/{harbour}")).text
    assert alternates(page) == [f"/feeds/articles/{harbour}", "/feeds/sites/127.0.0.1"]
    assert alternates((await client.get("/search?q=harbour")).text) == ["/feeds/all"]
    for path in ("/feeds/all", f"/feeds/articles/{harbour}", "/feeds/sites/127.0.0.1"):
        assert (await client.get(path)).status_code == 200
