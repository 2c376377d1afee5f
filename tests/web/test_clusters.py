"""Syndication clusters on the web: the article page's "also published at", and the API."""

from __future__ import annotations

import httpx
import pytest

from archiver.store import Store
from tests.fixtures.wire import edited, seed_text
from tests.store.factories import record

pytestmark = pytest.mark.anyio


def _wire_pair(store: Store) -> tuple[int, int, int]:
    local = record(store, "https://local.example/kim", seed_text(3), site="local.example")
    wire = record(store, "https://wire.example/kim", edited(seed_text(3)), site="wire.example")
    other = record(store, "https://local.example/dmz", seed_text(1), site="local.example")
    return local.article_id, wire.article_id, other.article_id


async def test_the_article_page_lists_where_else_it_was_published(
    client: httpx.AsyncClient, store: Store
) -> None:
    local, wire, other = _wire_pair(store)
    page = await client.get(f"/articles/{local}")
    assert page.status_code == 200
    assert "Also published at" in page.text
    assert f'<a href="/articles/{wire}">wire.example</a>' in page.text
    assert "https://wire.example/kim" in page.text
    back = await client.get(f"/articles/{wire}")
    assert f'<a href="/articles/{local}">local.example</a>' in back.text
    alone = await client.get(f"/articles/{other}")
    assert alone.status_code == 200 and "Also published at" not in alone.text


async def test_the_api_article_has_near_duplicates(client: httpx.AsyncClient, store: Store) -> None:
    local, wire, other = _wire_pair(store)
    doc = (await client.get(f"/api/articles/{local}")).json()
    (near,) = doc["near_duplicates"]
    assert (near["article_id"], near["url"], near["site"]) == (
        wire,
        "https://wire.example/kim",
        "wire.example",
    )
    assert 0.8 <= near["similarity"] <= 1
    assert (await client.get(f"/api/articles/{other}")).json()["near_duplicates"] == []
