"""Captures on the web: listed on the article page and by the API, and what was fetched shown
on its own path under a sandbox policy (no script runs, nothing loads)."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

import httpx
import pytest

from archiver.capture_json import captures_json
from archiver.store import Store
from archiver.web.security import SANDBOX_CSP
from tests.fixtures.stories import EDIT, serve_story
from tests.localsite import LocalSite
from tests.web.conftest import bearer

pytestmark = pytest.mark.anyio


async def add(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    answer = await client.post("/api/urls", json={"url": url}, headers=bearer())
    assert answer.status_code in (200, 201, 502), answer.text
    row: dict[str, Any] = answer.json()
    return row


def hostile(site: LocalSite) -> str:
    """A story whose markup tries to run script and load things from the local site."""
    beacon = site.url("/beacon")
    extra = (
        f"<script>fetch('{beacon}?script')</script><img src='{beacon}?img'>"
        f"<link rel='stylesheet' href='{beacon}?css'><iframe src='{beacon}?frame'></iframe>"
        f"<form action='{beacon}' method='post'><button>go</button></form>"
    )
    return serve_story(site, "/news/harbour", "Harbour report", extra=extra)


async def test_the_raw_view_serves_the_stored_bytes_sandboxed(
    client: httpx.AsyncClient, store: Store, site: LocalSite
) -> None:
    row = await add(client, hostile(site))
    (capture,) = store.captures(row["article_id"])
    assert capture.body_hash is not None
    answer = await client.get(f"/captures/{capture.id}/raw")
    assert answer.status_code == 200
    assert answer.content == store.body(capture.body_hash)  # exactly what was fetched
    assert hashlib.sha256(answer.content).hexdigest() == capture.body_hash
    assert b"<script>" in answer.content  # served as fetched: the policy makes it inert
    csp = answer.headers["content-security-policy"]
    assert csp == SANDBOX_CSP
    directives = [d.strip() for d in csp.split(";")]
    assert "sandbox" in directives  # no allow-scripts, allow-forms, allow-same-origin...
    assert "default-src 'none'" in directives  # no image, style, frame, font, fetch
    assert not any(d.startswith(("script-src", "img-src", "style-src")) for d in directives)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["x-frame-options"] == "DENY"
    assert site.hits_for("/beacon") == []  # the server itself fetched nothing either


async def test_every_other_page_keeps_the_usual_policy(
    client: httpx.AsyncClient, store: Store, site: LocalSite
) -> None:
    row = await add(client, hostile(site))
    page = await client.get(f"/articles/{row['article_id']}")
    assert page.status_code == 200
    assert "sandbox" not in page.headers["content-security-policy"]
    assert "script" not in page.text.split("<main", 1)[1].split("Captures")[0].lower()


async def test_the_article_page_and_the_api_list_every_capture(
    client: httpx.AsyncClient, store: Store, site: LocalSite
) -> None:
    url = serve_story(site, "/news/harbour", "Harbour report")
    row = await add(client, url)
    serve_story(site, "/news/harbour", "Harbour report", edit=EDIT)
    assert (await add(client, url))["outcome"] == "updated"
    site.set("/news/harbour", "gone", status=410, content_type="text/plain")
    assert (await add(client, url))["outcome"] == "error"
    article_id = row["article_id"]
    stored = store.captures(article_id)
    # newest first; a 4xx answer is recorded as an error (the pipeline keeps no status for it)
    assert [c.status for c in stored] == [None, 200, 200]

    api = await client.get(f"/api/articles/{article_id}/captures")
    assert api.status_code == 200
    doc = api.json()
    assert doc == captures_json(store.article(article_id), stored)
    newest, second, first = doc["captures"]
    assert newest["raw"] is None and "410" in newest["error"] and newest["body_hash"] is None
    assert second["raw"] == f"/captures/{stored[1].id}/raw"
    assert first["body_hash"] == stored[2].body_hash != second["body_hash"]

    page = (await client.get(f"/articles/{article_id}")).text
    rows = re.findall(r'<tr id="capture-(\d+)">(.*?)</tr>', page, re.S)
    assert [int(i) for i, _ in rows] == [c.id for c in stored]
    for (_, cells), c in zip(rows, stored, strict=True):
        assert html.escape(c.final_url or c.requested_url) in cells
        assert f"<td>{c.status or '-'}</td>" in cells
        if c.body_hash:
            assert f'href="/captures/{c.id}/raw"' in cells and c.body_hash[:12] in cells
        else:
            assert html.escape(c.error or "") in cells
    raw = await client.get(f"/captures/{stored[0].id}/raw")  # the 410 stored no body
    assert raw.status_code == 404


async def test_unknown_ids_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/captures/999/raw")).status_code == 404
    assert (await client.get("/captures/99999999999999999999/raw")).status_code == 404
    missing = await client.get("/api/articles/999/captures")
    assert missing.status_code == 404 and missing.json()["status"] == 404
