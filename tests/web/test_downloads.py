"""``/export.jsonl``: the home and search pages' articles as JSON Lines, their filters applied."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
import pytest

from archiver import browse_json
from archiver.store import Store
from tests.web.data import Archive, populate

pytestmark = pytest.mark.anyio


@pytest.fixture
def archive(store: Store) -> Archive:
    return populate(store)


def export_link(page: str) -> str:
    match = re.search(r'<a class="export" href="([^"]+)"', page)
    assert match, "no JSONL download link on the page"
    return html.unescape(match.group(1))


async def download(client: httpx.AsyncClient, path: str) -> list[dict[str, Any]]:
    answer = await client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    assert answer.headers["content-disposition"] == 'attachment; filename="archiver-export.jsonl"'
    return [json.loads(line) for line in answer.text.splitlines()]


def expected(store: Store, ids: list[int]) -> list[dict[str, Any]]:
    rows = []
    for article_id in ids:
        article = store.article(article_id)
        rows += [browse_json.show_json(article, v) for v in store.versions(article_id)]
    return rows


async def test_home_download_has_every_version_of_the_filtered_articles(
    client: httpx.AsyncClient, store: Store, archive: Archive
) -> None:
    everything = await download(client, export_link((await client.get("/")).text))
    ids = [a.id for a in store.browse(limit=100).items]  # newest first, like the page
    assert everything == expected(store, ids)
    assert len(everything) > len(ids)  # some articles have several versions
    assert all("version_created" in row for row in everything)

    site = store.browse(limit=1).items[0].site
    page = (await client.get("/", params={"site": site})).text
    link = export_link(page)
    assert link == f"/export.jsonl?site={site}"
    rows = await download(client, link)
    assert rows and {r["site"] for r in rows} == {site}
    assert len(rows) < len(everything)


async def test_search_download_has_the_matches_only(
    client: httpx.AsyncClient, store: Store, archive: Archive
) -> None:
    page = (await client.get("/search", params={"q": "harbour"})).text
    hits = store.search_filtered("harbour", limit=100)
    link = export_link(page)
    assert link == "/export.jsonl?q=harbour"
    rows = await download(client, link)
    assert rows == expected(store, [h.article.id for h in hits.hits])
    assert 0 < len({r["article_id"] for r in rows}) < store.counts()["articles"]


async def test_bad_filters_are_400_before_any_line(client: httpx.AsyncClient) -> None:
    answer = await client.get("/export.jsonl", params={"since": "yesterday"})
    assert answer.status_code == 400
