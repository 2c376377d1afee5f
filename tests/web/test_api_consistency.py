"""API consistency: a URL search finds the article as the web search does, unknown JSON keys
are refused by name, errors name API fields (never CLI flags) and every error is
``{error, status}``; and the API twins of the sources page's actions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from archiver.store import SourceSpec, Store
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite
from tests.web.conftest import bearer
from tests.web.data import Archive, populate
from tests.web.test_manage import rss

pytestmark = pytest.mark.anyio


@pytest.fixture
def archive(store: Store) -> Archive:
    return populate(store)


@pytest.mark.parametrize("url", ["https://c.example/news/bridge", "https://c.example/s/42",
                                 "HTTPS://C.EXAMPLE/s/42"])  # fmt: skip
async def test_search_for_an_archived_url_finds_it_like_the_web(
    client: httpx.AsyncClient, archive: Archive, url: str
) -> None:
    web = await client.get("/search", params={"q": url})
    assert web.status_code == 303 and web.headers["location"] == f"/articles/{archive.edited}"
    found = (await client.get("/api/search", params={"q": url})).json()
    assert found["total"] == 1 and [r["article_id"] for r in found["results"]] == [archive.edited]
    hit = found["results"][0]
    assert hit["url"] == "https://c.example/news/bridge" and hit["rank"] == 0
    assert hit["title"] == "Bridge opens a day late" and hit["snippet"].startswith("The bridge")


async def test_search_for_an_unknown_url_is_a_plain_search(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    found = (await client.get("/api/search", params={"q": "https://nowhere.example/x"})).json()
    assert found["total"] == 0 and found["results"] == []


@pytest.mark.parametrize(
    ("path", "body", "key"),
    [
        ("/api/urls", {"url": "https://x.example/", "force": True}, "force"),
        (
            "/api/sources",
            {"url": "https://x.example/f", "kind": "feed", "every": "1h", "interval": "1h"},
            "interval",
        ),
        ("/api/sources/wire", {"every": "1h", "paused": True}, "paused"),
    ],
)
async def test_unknown_keys_in_bodies_are_refused_by_name(
    client: httpx.AsyncClient, store: Store, archive: Archive, path: str, body: Any, key: str
) -> None:
    method = "PATCH" if path == "/api/sources/wire" else "POST"
    answer = await client.request(method, path, json=body, headers=bearer())
    assert answer.status_code == 400 and answer.json()["status"] == 400
    assert answer.json()["error"].startswith(f"{key}: unknown field")
    assert store.source("wire").every_seconds == 900 and len(store.sources()) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"every": "soon"}, "every: not a duration: 'soon'"),
        ({"every": "1h", "cron": "* * * * *"}, "give exactly one schedule: every or cron"),
        ({}, "give exactly one schedule: every or cron"),
        ({"cron": "every day"}, "cron: invalid cron expression 'every day'"),
        ({"every": "1h", "include": "("}, "include: invalid regular expression '('"),
        ({"every": "1h", "name": "two words"}, "name: a source name is one word"),
    ],
)
async def test_errors_name_api_fields_not_cli_flags(
    client: httpx.AsyncClient, store: Store, body: dict[str, str], message: str
) -> None:
    new = {"url": "https://d.example/feed.xml", "kind": "feed", **body}
    answer = await client.post("/api/sources", json=new, headers=bearer())
    assert answer.status_code == 400 and answer.json()["error"].startswith(message)
    assert "--" not in answer.json()["error"] and answer.json()["status"] == 400
    schedule = {k: v for k, v in body.items() if k in ("every", "cron")}
    if "include" in body or "name" in body:
        return
    store.add_source(SourceSpec("desk", "feed", "https://d.example/f", 900, None, None, None))
    again = await client.patch("/api/sources/desk", json=schedule, headers=bearer())
    assert again.status_code == 400 and again.json()["error"].startswith(message)
    assert "--" not in again.json()["error"] and store.source("desk").every_seconds == 900


async def test_every_error_body_has_error_and_status(
    client: httpx.AsyncClient, archive: Archive, site: LocalSite
) -> None:
    big = {"url": "x" * 70_000}
    calls = [
        ("GET", "/api/nothing", {}, 404),
        ("GET", "/api/articles/9999", {}, 404),
        ("GET", "/api/articles?limit=x", {}, 400),
        ("DELETE", "/api/articles/1", {}, 405),
        ("POST", "/api/urls", {"json": {"url": "https://x.example/"}}, 401),
        ("POST", "/api/urls", {"json": {}, "headers": bearer("wrong-token-wrong-token")}, 403),
        ("POST", "/api/urls", {"content": b"url=x", "headers": bearer()}, 415),
        ("POST", "/api/urls", {"json": big, "headers": bearer()}, 413),
        ("POST", "/api/urls", {"json": {"url": site.url("/missing")}, "headers": bearer()}, 502),
        (
            "POST",
            "/api/sources",
            {
                "json": {
                    "url": "https://a.example/feed",
                    "kind": "feed",
                    "every": "1h",
                    "name": "wire",
                },
                "headers": bearer(),
            },
            409,
        ),
        ("POST", "/api/sources/nope/poll", {"headers": bearer()}, 404),
        ("DELETE", "/api/sources/nope", {"headers": bearer()}, 404),
        ("PATCH", "/api/sources/nope", {"json": {"every": "1h"}, "headers": bearer()}, 404),
        ("POST", "/api/articles/9999/check", {"headers": bearer()}, 404),
        ("GET", "/api/articles/1/reextractions/1", {}, 404),
    ]
    for method, path, kwargs, status in calls:
        answer = await client.request(method, path, **kwargs)
        assert answer.status_code == status, (method, path, answer.text)
        doc = answer.json()
        assert isinstance(doc["error"], str) and doc["error"] and doc["status"] == status, path


async def test_api_twins_of_the_sources_page(
    client: httpx.AsyncClient, store: Store, site: LocalSite
) -> None:
    url = site.url("/news/story-0")
    site.set("/news/story-0", seed_page(0, url=url).html)
    site.set("/feed.xml", rss(url), content_type="application/rss+xml")
    spec = {"url": site.url("/feed.xml"), "kind": "feed", "every": "1h", "name": "local"}
    assert (await client.post("/api/sources", json=spec, headers=bearer())).status_code == 201
    assert (await client.post("/api/sources/local/poll")).status_code == 401  # writes need it
    polled = await client.post("/api/sources/local/poll", headers=bearer())
    assert polled.status_code == 200, polled.text
    assert {k: polled.json()[k] for k in ("source", "found", "new", "failed", "unchanged")} == {
        "source": "local", "found": 1, "new": 1, "failed": 0, "unchanged": False}  # fmt: skip
    article_id = store.article(url).id
    checked = await client.post(f"/api/articles/{article_id}/check", headers=bearer())
    assert checked.status_code == 200 and checked.json()["outcome"] == "unchanged"
    moved = await client.patch("/api/sources/local", json={"cron": "0 * * * *"}, headers=bearer())
    assert moved.status_code == 200 and (moved.json()["cron"], moved.json()["every"]) == (
        "0 * * * *", None)  # fmt: skip
    seconds = await client.patch("/api/sources/local", json={"every": 120}, headers=bearer())
    assert seconds.json()["every"] == 120 and seconds.json()["cron"] is None
    site.set("/feed.xml", "down", status=503)
    failed = await client.post("/api/sources/local/poll", headers=bearer())
    assert failed.status_code == 502 and failed.json()["status"] == 502 and failed.json()["error"]
    removed = await client.delete("/api/sources/local", headers=bearer())
    assert removed.status_code == 200 and removed.json()["name"] == "local"
    assert [s["name"] for s in (await client.get("/api/sources")).json()["sources"]] == []
    assert store.article(article_id).id == article_id  # its articles stay
