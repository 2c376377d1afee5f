"""Datasette-style exploring: sort orders with keyset pages, facets by site, author and
language (combinable), and CSV / JSONL downloads of the current view.

The listing SQL runs on SQLite and, with ``ARCHIVER_TEST_POSTGRES_URL``, on PostgreSQL
(the store tests below); the pages and the API on SQLite.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from archiver.records.browse import SORT_KEYS, ArticleFilter, Cursor, Sort
from archiver.store import Store
from tests.store.conftest import db_url  # noqa: F401  (the fixture: SQLite, and PostgreSQL)
from tests.store.factories import capture, content
from tests.store.factories import html as page_html
from tests.web.conftest import article_ids, link

# (site, authors, language, published, versions): first seen in this order, a minute apart
ROWS = [
    ("a.example", ("Ana Ito",), "ja", "2024-04-03", 1),
    ("a.example", ("Ben Roth", "Ana Ito"), "en", None, 3),
    ("b.example", ("Ben Roth",), "de", "2024-04-01", 2),
    ("b.example", (), "en", "2024-04-05T08:00:00+00:00", 1),
    ("a.example", ("Ana Ito",), "en", "2024-04-02", 2),
    ("c.example", ("Chloé Dupré",), None, None, 1),
    ("a.example", ("Ben Roth",), "ja", "2024-04-04", 1),
]


def _put(store: Store, n: int, version: int, minutes: int) -> int:
    site, authors, language, published, _ = ROWS[n]
    url = f"https://{site}/n/{n}"
    meta = {"authors": authors, "language": language, "published": published}
    page = content(f"Story {n} text v{version}.", title=f"S{n}", **meta)
    at = capture(url, minutes=minutes)
    raw = page_html(f"t{n}v{version}")
    return store.record(at, raw, urls=(url,), canonical_url=url, site=site, content=page).article_id


def build(store: Store) -> list[int]:
    """The archive of ROWS; later versions are made in an order of their own."""
    ids = [_put(store, n, 1, n) for n in range(len(ROWS))]
    for version in (2, 3):  # edits land in reverse order of first seen
        for n in reversed(range(len(ROWS))):
            if ROWS[n][4] >= version:
                _put(store, n, version, 100 + 10 * version + n)
    return ids


def expected(store: Store, ids: list[int], sort: Sort) -> list[int]:
    """The order ``sort`` means, computed here from what was stored."""

    def key(article_id: int) -> tuple[Any, ...]:
        a = store.article(article_id)
        changed = store.versions(article_id)[-1].created_at
        value: Any = {"first_seen": a.first_seen, "changed": changed,
                      "versions": a.version_count}.get(sort.key)  # fmt: skip
        if sort.key == "published":
            return (a.latest.published or "", article_id)
        return (value, article_id)

    ordered = sorted(ids, key=key, reverse=sort.descending)
    if sort.key == "published":  # undated last in both directions
        ordered = [i for i in ordered if store.article(i).latest.published] + [
            i for i in ordered if not store.article(i).latest.published
        ]
    return ordered


@pytest.fixture
def db_store(db_url: str) -> Iterator[Store]:  # noqa: F811
    with Store(db_url) as opened:
        yield opened


def walk(store: Store, filt: ArticleFilter, sort: Sort, limit: int = 2) -> list[int]:
    """Every page forward, then every page back again; both must give the same order."""
    seen: list[int] = []
    after: Cursor | None = None
    pages = []
    while True:
        page = store.browse(filt, limit=limit, after=after, sort=sort)
        pages.append(page)
        seen += [a.id for a in page.items]
        if page.older is None:
            break
        after = page.older
    back: list[int] = []
    before = pages[-1].newer
    back = [a.id for a in pages[-1].items]
    while before is not None:
        page = store.browse(filt, limit=limit, before=before, sort=sort)
        back = [a.id for a in page.items] + back
        before = page.newer
    assert back == seen, (sort, "pages back differ from pages forward")
    return seen


@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("descending", [True, False])
def test_every_order_pages_without_gaps_or_duplicates(
    db_store: Store, key: str, descending: bool
) -> None:
    ids = build(db_store)
    sort = Sort(key, descending)
    everything = expected(db_store, ids, sort)
    assert walk(db_store, ArticleFilter(), sort) == everything
    on_a = [i for i in everything if ROWS[ids.index(i)][0] == "a.example"]
    assert walk(db_store, ArticleFilter(site="a.example"), sort) == on_a


def test_facets_count_and_combine(db_store: Store) -> None:
    ids = build(db_store)
    counts = db_store.browse_counts()
    assert {(f.value, f.articles) for f in counts.authors} == {
        ("Ana Ito", 3), ("Ben Roth", 3), ("Chloé Dupré", 1)}  # fmt: skip
    assert [(f.value, f.articles) for f in counts.languages] == [("en", 3), ("ja", 2), ("de", 1)]
    both = ArticleFilter(author="Ben Roth", language="ja")
    assert [a.id for a in db_store.browse(both).items] == [ids[6]]
    narrow = db_store.browse_counts(both)  # each facet under the other filter
    assert narrow.total == 1
    assert {(f.value, f.articles) for f in narrow.authors} == {("Ana Ito", 1), ("Ben Roth", 1)}
    assert {(f.value, f.articles) for f in narrow.languages} == {("en", 1), ("de", 1), ("ja", 1)}
    ben = db_store.browse_counts(ArticleFilter(author="Ben Roth"))
    assert ben.total == 3
    # each facet counts under the other filters, not its own
    assert {(f.value, f.articles) for f in ben.languages} == {("en", 1), ("de", 1), ("ja", 1)}
    assert {f.value for f in ben.authors} == {"Ana Ito", "Ben Roth", "Chloé Dupré"}
    assert {(f.value, f.articles) for f in ben.sites} == {("a.example", 2), ("b.example", 1)}
    accented = db_store.browse(ArticleFilter(author="Chloé Dupré")).items
    assert [a.id for a in accented] == [ids[5]]
    found = db_store.search_filtered("story", ArticleFilter(author="Ana Ito", language="en"))
    assert sorted(h.article.id for h in found.hits) == sorted([ids[1], ids[4]])
    assert db_store.search_filtered("story", ArticleFilter(language="xx")).total == 0


# -- the pages, the downloads and the API -----------------------------------------------


@pytest.fixture
def ids(store: Store) -> list[int]:
    return build(store)


def _order(store: Store, ids: list[int], key: str, descending: bool = True) -> list[int]:
    return expected(store, ids, Sort(key, descending))


@pytest.mark.anyio
async def test_home_sorts_and_pages_in_that_order(
    client: httpx.AsyncClient, store: Store, ids: list[int]
) -> None:
    home = await client.get("/")
    sorts = re.findall(r'<nav class="sorting".*?</nav>', home.text, re.S)[0]
    for label in ("First seen", "Published", "Last changed", "Versions"):
        assert f">{label}" in sorts
    versions = html.unescape(re.search(r'href="([^"]+)"[^>]*>Versions', sorts).group(1))  # type: ignore[union-attr]
    assert versions == "/?sort=versions&order=desc"
    seen: list[int] = []
    url: str | None = "/?sort=versions&order=desc&limit=3"
    while url is not None:
        page = await client.get(url)
        assert page.status_code == 200
        seen += article_ids(page.text)
        url = link(page.text, "next")
        assert url is None or ("sort=versions" in url and "Next →" in page.text)
    assert seen == _order(store, ids, "versions")
    current = await client.get("/?sort=versions&order=desc")
    flip = re.search(
        r'href="([^"]+)" aria-current="true" class="current"[^>]*>Versions ↓', current.text
    )
    assert flip and html.unescape(flip.group(1)) == "/?sort=versions&order=asc"
    asc = await client.get("/?sort=published&order=asc")
    assert article_ids(asc.text) == _order(store, ids, "published", descending=False)
    bad = await client.get("/?sort=title")
    assert (
        bad.status_code == 400
        and "sort: one of first_seen, published, changed, versions" in bad.text
    )


def _facet_links(page: str, param: str) -> dict[str, str]:
    block = re.search(rf'<div class="facet" id="facet-{param}">(.*?)</div>', page, re.S)
    assert block, f"no {param} facet"
    found = re.findall(
        r'<li[^>]*><a href="([^"]+)"[^>]*>([^<]+)</a> <span class="n">(\d+)</span>', block.group(1)
    )
    return {html.unescape(v): html.unescape(h) for h, v, _ in found}


@pytest.mark.anyio
async def test_facets_link_to_filtered_views_that_combine(
    client: httpx.AsyncClient, store: Store, ids: list[int]
) -> None:
    home = await client.get("/?sort=changed")
    assert set(_facet_links(home.text, "site")) == {"a.example", "b.example", "c.example"}
    assert "Chloé Dupré" in _facet_links(home.text, "author")
    ben = _facet_links(home.text, "author")["Ben Roth"]
    assert "sort=changed" in ben  # the order is kept
    page = await client.get(ben)
    assert sorted(article_ids(page.text)) == sorted([ids[1], ids[2], ids[6]])
    japanese = _facet_links(page.text, "language")["ja"]
    both = await client.get(japanese)
    assert article_ids(both.text) == [ids[6]]
    assert "author=Ben+Roth" in japanese and "language=ja" in japanese
    chosen = re.search(r'<li class="chosen"><a href="([^"]+)"[^>]*>ja</a>', both.text)
    assert chosen, "the chosen value is marked"
    undone = await client.get(html.unescape(chosen.group(1)))
    assert sorted(article_ids(undone.text)) == sorted([ids[1], ids[2], ids[6]])
    hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', both.text)
    assert ("author", "Ben Roth") in hidden and ("language", "ja") in hidden  # the form keeps them


@pytest.mark.anyio
async def test_csv_and_jsonl_of_the_current_view(
    client: httpx.AsyncClient, store: Store, ids: list[int]
) -> None:
    page = await client.get("/", params={"sort": "versions", "order": "asc", "site": "a.example"})
    shown = article_ids(page.text)
    csv_link = html.unescape(re.search(r'<a class="export-csv" href="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    jsonl_link = html.unescape(re.search(r'<a class="export" href="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    assert csv_link.startswith("/export.csv?") and "sort=versions" in csv_link
    answer = await client.get(csv_link)
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == 'attachment; filename="archiver-export.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [int(r["article_id"]) for r in rows] == shown
    assert list(rows[0]) == ["article_id", "url", "site", "title", "published", "versions",
                             "first_seen", "last_checked"]  # fmt: skip
    first = store.article(shown[0])
    assert rows[0]["url"] == first.canonical_url and rows[0]["versions"] == str(first.version_count)
    lines = [json.loads(x) for x in (await client.get(jsonl_link)).text.splitlines()]
    assert list(dict.fromkeys(r["article_id"] for r in lines)) == shown  # every version, same order
    searched = await client.get("/export.csv", params={"q": "story", "author": "Ana Ito"})
    assert sorted(
        int(r["article_id"]) for r in csv.DictReader(io.StringIO(searched.text))
    ) == sorted([ids[0], ids[1], ids[4]])


@pytest.mark.anyio
async def test_api_sorts_and_counts_facets(
    client: httpx.AsyncClient, store: Store, ids: list[int]
) -> None:
    doc = (await client.get("/api/articles", params={"sort": "changed", "limit": 4})).json()
    seen = [a["article_id"] for a in doc["articles"]]
    more = (await client.get("/api/articles", params={"sort": "changed", "limit": 4,
                                                      "after": doc["next"]})).json()  # fmt: skip
    assert seen + [a["article_id"] for a in more["articles"]] == _order(store, ids, "changed")
    assert {"language": "en", "articles": 3} in doc["counts"]["languages"]
    assert {"author": "Ana Ito", "articles": 3} in doc["counts"]["authors"]
    filtered = (await client.get("/api/articles", params={"author": "Ana Ito",
                                                          "language": "ja"})).json()  # fmt: skip
    assert [a["article_id"] for a in filtered["articles"]] == [ids[0]]
    bad = await client.get("/api/articles", params={"order": "sideways"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("order:")
