"""The JSON API: every endpoint, keys shared with the CLI, cursors, errors, writes, OpenAPI."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from starlette.routing import Mount, Route

from archiver import browse_json
from archiver.store import Store
from archiver.web import create_app
from archiver.web.openapi import document
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite
from tests.web.conftest import bearer
from tests.web.data import Archive, populate

pytestmark = pytest.mark.anyio
SUMMARY_KEYS = {"article_id", "url", "site", "title", "published", "versions", "first_seen",
                "last_checked"}  # fmt: skip


@pytest.fixture
def archive(store: Store) -> Archive:
    return populate(store)


async def test_articles_pages_follow_cursors(client: httpx.AsyncClient, archive: Archive) -> None:
    first = (await client.get("/api/articles", params={"limit": 4})).json()
    assert first["total"] == 14 and first["prev"] is None and first["limit"] == 4
    assert set(first["articles"][0]) == SUMMARY_KEYS
    assert {"site": "a.example", "articles": 8} in first["counts"]["sites"]
    assert first["counts"]["sources"] == [{"source": "wire", "articles": 8}]
    seen, doc = [], first
    while True:
        seen += [a["article_id"] for a in doc["articles"]]
        if doc["next"] is None:
            break
        doc = (await client.get("/api/articles", params={"limit": 4, "after": doc["next"]})).json()
    assert len(seen) == len(set(seen)) == 14
    back = (await client.get("/api/articles", params={"limit": 4, "before": doc["prev"]})).json()
    assert [a["article_id"] for a in back["articles"]] == seen[8:12]
    only = (await client.get("/api/articles", params={"site": "b.example"})).json()
    assert only["total"] == 4 and {a["site"] for a in only["articles"]} == {"b.example"}


async def test_article_matches_the_cli_shape(
    client: httpx.AsyncClient, store: Store, archive: Archive
) -> None:
    doc = (await client.get(f"/api/articles/{archive.edited}")).json()
    view = store.article(archive.edited)
    assert {k: doc[k] for k in browse_json.show_json(view, view.latest)} == browse_json.show_json(
        view, view.latest
    )
    assert doc["versions"] == 2 and doc["captures"] == 2 and doc["capture_errors"] == 0
    assert doc["first_captured"] == "2024-05-01T13:40:00Z"
    assert doc["last_captured"] == "2024-05-01T14:40:00Z"
    assert "https://c.example/s/42" in doc["aliases"]
    old = (await client.get(f"/api/articles/{archive.edited}", params={"version": 1})).json()
    assert old["version"] == 1 and old["title"] == "Bridge opens"


async def test_versions_and_diff(client: httpx.AsyncClient, archive: Archive) -> None:
    history = (await client.get(f"/api/articles/{archive.edited}/versions")).json()
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["words_change"] == 2
    diff = (await client.get(f"/api/articles/{archive.edited}/diff")).json()
    assert (diff["from"], diff["to"]) == (1, 2)
    assert {"field": "title", "old": "Bridge opens", "new": "Bridge opens a day late"} in diff[
        "fields"
    ]
    assert any(op["op"] == "insert" and "Tuesday" in op["text"] for op in diff["ops"])
    assert diff["words_added"] >= 1 and diff["words_removed"] >= 1


async def test_search_and_sources(client: httpx.AsyncClient, archive: Archive) -> None:
    found = (await client.get("/api/search", params={"q": "ferry", "limit": 5})).json()
    assert found["total"] == 12 and len(found["results"]) == 5 and found["page"] == 1
    assert set(found["results"][0]) == SUMMARY_KEYS | {"snippet", "rank"}
    assert "\x02" not in found["results"][0]["snippet"]
    filtered = (await client.get("/api/search", params={"q": "ferry", "source": "wire"})).json()
    assert filtered["total"] == 8
    sources = (await client.get("/api/sources")).json()["sources"]
    assert [s["name"] for s in sources] == ["wire"] and sources[0]["articles"] == 8
    assert sources[0]["every"] == 900 and sources[0]["consecutive_failures"] == 0


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/articles/9999", 404),
        ("/api/articles/9999/versions", 404),
        ("/api/articles/1/diff?to=9", 404),
        ("/api/nothing", 404),
        ("/api/search", 400),
        ("/api/articles?limit=500", 400),
        ("/api/articles?until=2024-13-01", 400),
        ("/api/articles?before=x.y", 400),
        ("/api/articles?site=%5B", 400),  # were 500s: ValueError: Invalid IPv6 URL
        ("/api/articles?site=]", 400),
        ("/api/search?q=a&site=a[", 400),
        ("/api/articles?limit=", 400),  # empty values the document forbids
        ("/api/articles?since=", 400),
        ("/api/search?q=", 400),
        ("/api/articles?source=", 400),
        ("/api/articles?limit=2_5", 400),
        ("/api/articles?limit=%C2%B2", 400),
        ("/api/articles?after=%C2%B2.1", 400),
        ("/api/articles?since=2024-05-01T10:00", 400),  # not RFC 3339 (no seconds, no zone)
        ("/api/articles/1?version=0", 400),
        ("/api/articles/1/diff?from=0", 400),
        ("/api/articles?limit=5&limit=6", 400),
    ],
)
async def test_api_errors_are_json(
    client: httpx.AsyncClient, archive: Archive, url: str, status: int
) -> None:
    answer = await client.get(url)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["status"] == status and body["error"] and "Traceback" not in body["error"]


@pytest.mark.parametrize(
    ("url", "total"),
    [
        ("/api/articles?limit=1", 14),  # the smallest values the document allows
        ("/api/articles?limit=100", 14),
        ("/api/articles?site=HTTPS://WWW.B.example:443", 4),
        ("/api/articles?since=2024-05-01&until=2024-05-01", 14),  # until: the whole day
        ("/api/articles?since=2024-05-01T13:40:00%2B01:00", 2),  # 12:40 UTC: 2 articles later
        ("/api/articles?since=0000-01-01T00:00:00Z&until=9999-12-31", 14),  # clamped
        ("/api/articles?since=2024-05-02&until=2024-05-01", 0),  # an empty range: nothing
        ("/api/search?q=ferry&page=50", 12),
        ("/api/search?q=%20", 0),
    ],
)
async def test_values_the_document_allows_are_accepted(
    client: httpx.AsyncClient, archive: Archive, url: str, total: int
) -> None:
    answer = await client.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == total


async def test_versions_the_document_allows_are_accepted(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    first = await client.get(f"/api/articles/{archive.edited}", params={"version": 1})
    assert first.status_code == 200 and first.json()["version"] == 1
    diff = await client.get(f"/api/articles/{archive.edited}/diff", params={"from": 1, "to": 2})
    assert diff.status_code == 200 and (diff.json()["from"], diff.json()["to"]) == (1, 2)


@pytest.mark.parametrize("method", ["TRACE", "DELETE", "PUT", "PATCH", "OPTIONS"])
@pytest.mark.parametrize(("url", "allow"), [("/api/sources", "HEAD, GET, POST"),
                                            ("/api/urls", "POST"),
                                            ("/api/articles/1", "HEAD, GET")])  # fmt: skip
async def test_other_methods_are_405_with_allow(
    client: httpx.AsyncClient, method: str, url: str, allow: str
) -> None:
    answer = await client.request(method, url)
    assert answer.status_code == 405 and answer.json() == {"error": "Method not allowed.",
                                                           "status": 405}  # fmt: skip
    assert set(answer.headers["allow"].split(", ")) == set(allow.split(", "))


async def test_add_url_archives_and_reports_the_outcome(
    client: httpx.AsyncClient, site: LocalSite
) -> None:
    url = site.url("/news/seed-2")
    site.set("/news/seed-2", seed_page(2, url=url).html)
    added = await client.post("/api/urls", json={"url": url}, headers=bearer())
    assert added.status_code == 201, added.text
    row = added.json()
    assert set(row) == {"url", "article_id", "outcome", "version", "error"}
    assert row["outcome"] == "new" and row["version"] == 1
    again = await client.post("/api/urls", json={"url": url}, headers=bearer())
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    bad = await client.post("/api/urls", json={"url": "ftp://x"}, headers=bearer())
    assert bad.status_code == 400  # an error like every other: {error, status}
    assert bad.json() == {"error": bad.json()["error"], "status": 400}
    assert "unsupported scheme 'ftp:'" in bad.json()["error"]
    gone = await client.post("/api/urls", json={"url": site.url("/missing")}, headers=bearer())
    assert gone.status_code == 502 and "404" in gone.json()["error"]
    assert gone.json()["status"] == 502 and gone.json()["outcome"] == "error"


async def test_add_and_pause_sources(client: httpx.AsyncClient) -> None:
    spec = {"url": "https://d.example/feed.xml", "kind": "feed", "every": "15m", "name": "desk"}
    added = await client.post("/api/sources", json=spec, headers=bearer())
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "desk" and added.json()["every"] == 900
    twice = await client.post("/api/sources", json=spec, headers=bearer())
    assert twice.status_code == 409 and twice.json()["error"] == "source 'desk' already exists"
    bad = await client.post("/api/sources", json={**spec, "name": "x", "kind": "blog"},
                            headers=bearer())  # fmt: skip
    assert bad.status_code == 400 and "kind" in bad.json()["error"]
    paused = await client.post("/api/sources/desk/pause", headers=bearer())
    assert paused.status_code == 200 and paused.json()["paused"] is True
    resumed = await client.post("/api/sources/desk/resume", headers=bearer())
    assert resumed.json()["paused"] is False
    assert (await client.post("/api/sources/nope/pause", headers=bearer())).status_code == 404
    assert (await client.post("/api/sources/desk/explode", headers=bearer())).status_code == 404


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (b"{", JSON, 400, "not valid JSON"),
        (b"[1]", JSON, 400, "JSON object"),
        (b"url=x", {"content-type": "application/x-www-form-urlencoded"}, 415, "Content-Type"),
        (b'{"url": 5}', JSON, 400, "url: must be a string"),
        (b'{"url": ""}', JSON, 400, "url: must not be empty"),
        (b'{"url": "https://x.example/", "urll": 1}', JSON, 400, "urll: unknown field"),
        (b'{"url": NaN}', JSON, 400, "not valid JSON"),
        (b'{"url": "' + b"x" * 70_000 + b'"}', JSON, 413, "over 65536 bytes"),
    ],
)
async def test_api_bodies_are_checked(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    answer = await client.post("/api/urls", content=body, headers={**headers, **bearer()})
    assert answer.status_code == status and message in answer.json()["error"]
    assert answer.json()["status"] == status


def _api_paths(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    found = set()
    for route in routes:
        if isinstance(route, Mount) and route.path == "/api":
            found |= _api_paths(route.routes, "/api")
        elif isinstance(route, Route) and prefix:
            path = re.sub(r"\{(\w+):int\}", r"{\1}", route.path)
            found |= {(path and prefix + path, m.lower()) for m in route.methods or ()} - {
                (prefix + path, "head")
            }
    return found


@pytest.mark.parametrize("host", ["xn--ab", "xn--", "xn--zz-"])
async def test_add_url_with_a_broken_a_label_is_a_400(client: httpx.AsyncClient, host: str) -> None:
    answer = await client.post("/api/urls", json={"url": f"http://{host}/x"}, headers=bearer())
    assert answer.status_code == 400  # was a 500: idna errors escaped the fetcher
    assert answer.json() == {
        "error": f"not an archivable URL: 'http://{host}/x' (invalid host name)",
        "status": 400,
    }


async def test_openapi_describes_every_api_route(
    client: httpx.AsyncClient, web_settings: Any
) -> None:
    served = (await client.get("/api/openapi.json")).json()
    assert served == document() and served["openapi"].startswith("3.1")
    described = {(path, method) for path, ops in served["paths"].items() for method in ops}
    assert described == _api_paths(create_app(web_settings).routes)
    for ops in served["paths"].values():
        for op in ops.values():
            assert op["summary"] and ("200" in op["responses"] or "201" in op["responses"])
