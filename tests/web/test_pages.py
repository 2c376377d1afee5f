"""Every HTML page through the ASGI app: content, filters, keyset pages, escaping, errors."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from archiver.store import Store
from tests.store.factories import capture, content, html
from tests.web.conftest import article_ids, link
from tests.web.data import Archive, populate

pytestmark = pytest.mark.anyio


@pytest.fixture
def archive(store: Store) -> Archive:
    return populate(store)


async def test_home_lists_newest_first_with_counts(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    ids = article_ids(page.text)
    assert ids[:2] == [archive.xss, archive.edited]  # newest first seen first
    assert len(ids) == 14
    assert '<span class="count">14</span>' in page.text
    assert "a.example (8)" in page.text and "b.example (4)" in page.text
    assert "wire (8)" in page.text


async def test_home_filters_by_site_source_and_dates(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    by_site = await client.get("/", params={"site": "b.example"})
    assert sorted(article_ids(by_site.text)) == [archive.ids[n] for n in (0, 3, 6, 9)]
    assert '<option value="b.example" selected>' in by_site.text
    www = await client.get("/", params={"site": "https://www.b.example"})
    assert article_ids(www.text) == article_ids(by_site.text)
    by_source = await client.get("/", params={"source": "wire"})
    assert len(article_ids(by_source.text)) == 8
    dated = await client.get("/", params={"since": "2024-05-01T13:30", "until": "2024-05-01"})
    assert article_ids(dated.text) == [archive.xss, archive.edited]  # minutes 100..200 after noon
    none = await client.get("/", params={"since": "2030-01-01"})
    assert article_ids(none.text) == [] and "No articles match these filters" in none.text


async def test_keyset_pagination_has_no_duplicates_or_gaps(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    everything = article_ids((await client.get("/", params={"limit": 100})).text)
    seen: list[int] = []
    url: str | None = "/?limit=3"
    pages = []
    while url is not None:
        page = await client.get(url)
        assert page.status_code == 200
        pages.append(url)
        seen += article_ids(page.text)
        url = link(page.text, "next")
    assert seen == everything and len(seen) == 14
    assert len(pages) == 5
    for later in pages[1:]:  # page N is addressed by a cursor, never by an offset
        query = parse_qs(urlsplit(later).query)
        assert set(query) == {"limit", "after"} and re.fullmatch(r"\d+\.\d+", query["after"][0])
    # and back again, newest first, with the "Newer" links
    back: list[int] = []
    url = pages[-1]
    while url is not None:
        page = await client.get(url)
        back = article_ids(page.text) + back
        url = link(page.text, "prev")
    assert back == everything


async def test_pagination_keeps_the_filters(client: httpx.AsyncClient, archive: Archive) -> None:
    first = await client.get("/", params={"site": "a.example", "limit": 5})
    older = link(first.text, "next")
    assert older is not None and "site=a.example" in older
    second = await client.get(older)
    assert len(article_ids(first.text) + article_ids(second.text)) == 8


async def test_search_ranks_highlights_and_filters(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    page = await client.get("/search", params={"q": "bridge tuesday"})
    assert page.status_code == 200
    assert article_ids(page.text) == [archive.edited]
    assert "<mark>Tuesday</mark>" in page.text or "<mark>bridge</mark>" in page.text
    assert "1 result for" in page.text
    ferries = await client.get("/search", params={"q": "ferry", "site": "b.example"})
    assert len(article_ids(ferries.text)) == 4
    paged = await client.get("/search", params={"q": "ferry", "limit": 5, "page": 3})
    assert len(article_ids(paged.text)) == 2 and 'aria-current="page">3<' in paged.text
    empty = await client.get("/search")
    assert empty.status_code == 200 and article_ids(empty.text) == []


async def test_search_for_a_known_url_goes_to_the_article(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    found = await client.get("/search", params={"q": "https://c.example/s/42"})
    assert found.status_code == 303
    assert found.headers["location"] == f"/articles/{archive.edited}"
    unknown = await client.get("/search", params={"q": "https://nowhere.example/x"})
    assert unknown.status_code == 200


async def test_article_page_shows_text_metadata_and_aliases(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    page = await client.get(f"/articles/{archive.edited}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Bridge opens a day late</h1>" in text
    assert "By Jane Doe" in text
    assert "<p>The bridge opens on Tuesday.</p>" in text and "<p>Tolls apply.</p>" in text
    assert 'href="https://c.example/s/42"' in text and "URLs that lead here" in text
    assert "First captured" in text and "Last captured" in text
    assert "2024-05-01 13:40 UTC" in text and "2024-05-01 14:40 UTC" in text
    old = await client.get(f"/articles/{archive.edited}", params={"version": 1})
    assert "<h1>Bridge opens</h1>" in old.text and "This is version 1 of 2" in old.text


async def test_history_and_diff(client: httpx.AsyncClient, archive: Archive) -> None:
    history = await client.get(f"/articles/{archive.edited}/history")
    assert history.status_code == 200
    assert history.text.count('name="from"') == 2 and ">+2</td>" in history.text
    diff = await client.get(f"/articles/{archive.edited}/diff")  # default: 1 -> 2
    assert diff.status_code == 200
    assert "Changes from version 1 to 2" in diff.text
    assert "<del>Monday.</del>" in diff.text or "<del>Monday." in diff.text
    assert "<ins>Tuesday." in diff.text and "Tolls apply." in diff.text
    assert "Changed details" in diff.text and "<ins>Bridge opens a day late</ins>" in diff.text
    same = await client.get(f"/articles/{archive.edited}/diff", params={"from": 2, "to": 2})
    assert same.status_code == 200 and "<ins>" not in same.text.split('class="diff"')[1]


async def test_sources_page_shows_kind_schedule_health_and_counts(
    client: httpx.AsyncClient, store: Store, archive: Archive
) -> None:
    from datetime import UTC, datetime

    store.record_poll(archive.wire, at=datetime(2024, 5, 2, tzinfo=UTC), found=3, new=1,
                      error="HTTP 500 from https://a.example/feed")  # fmt: skip
    page = await client.get("/sources")
    assert page.status_code == 200
    assert "<strong>wire</strong>" in page.text and "every 15m" in page.text
    assert "failing ×1" in page.text and "HTTP 500 from https://a.example/feed" in page.text
    assert 'href="/?source=wire">8</a>' in page.text


async def test_sources_page_shows_flagged_and_failing_rechecks(
    client: httpx.AsyncClient, store: Store, archive: Archive
) -> None:
    quiet = await client.get("/sources")
    assert "Re-check health" not in quiet.text  # nothing to report: no section
    url = "https://c.example/news/ticker"
    made = []
    for n in range(1, 5):  # a version, then three with tiny diffs in a row
        body = f"Ticker at {n}."
        made.append(store.record(capture(url, minutes=200 + n), html(body), urls=(url,),
                            canonical_url=url, site="c.example", content=content(body),
                            tiny=n > 1))  # fmt: skip
    first = made[0]
    failing = archive.ids[0]
    store.record_failure(
        capture("https://b.example/story/0", minutes=300, status=503, error="HTTP 503"), failing
    )
    page = await client.get("/sources")
    assert "Re-check health" in page.text
    assert "1 flagged" in page.text and "3 tiny versions in a row" in page.text
    assert f'href="/articles/{first.article_id}/history"' in page.text
    assert "1 failing" in page.text and "failed ×1: HTTP 503" in page.text
    assert f'href="/articles/{failing}"' in page.text


async def test_hostile_text_is_escaped_everywhere(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    for url in (f"/articles/{archive.xss}", "/", "/search?q=harbour+payload"):
        page = await client.get(url)
        assert page.status_code == 200
        assert "<script" not in page.text, url
        assert "<img" not in page.text and "<b>bold" not in page.text, url
        assert not re.search(r"<a [^>]*href=\"javascript:", page.text), url
    article = (await client.get(f"/articles/{archive.xss}")).text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in article
    assert "&lt;/title&gt;&lt;script&gt;" in article.split("<body>")[1]
    assert "onerror=&#34;alert(1)&#34;" in article
    assert "<title>&lt;/title&gt;" in article  # the page title cannot be broken out of
    snippet = (await client.get("/search?q=harbour+payload")).text
    assert "<mark>" in snippet and "&lt;script&gt;" in snippet


@pytest.mark.parametrize(
    "url",
    ["/articles/9999", "/articles/9999/history", "/articles/9999/diff", "/no/such/page",
     "/articles/1?version=7", "/articles/99999999999999999999999"],
)  # fmt: skip
async def test_unknown_things_are_404_pages(
    client: httpx.AsyncClient, archive: Archive, url: str
) -> None:
    page = await client.get(url)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in page.text and "Traceback" not in page.text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/?limit=0", "limit: must be between 1 and 100"),
        ("/?limit=ten", "limit: not a whole number"),
        ("/?since=yesterday", "since: not an ISO date"),
        ("/?since=2024-05-02&until=2024-05-01", "since: must be before until"),
        ("/?after=12&limit=5", "not a page cursor"),
        ("/?after=1.2&before=1.2", "give one page cursor"),
        ("/search?q=x&page=999", "page: must be between 1 and 50"),
        ("/articles/1/diff?from=x", "from: not a whole number"),
        ("/?site=a&site=b", "site: give it once"),
        ("/?site=]", "site: not a host name"),  # was a 500: ValueError: Invalid IPv6 URL
        ("/?site=%5B", "site: not a host name"),
        ("/search?q=a&site=a[", "site: not a host name"),
        ("/?limit=%C2%B2", "limit: not a whole number"),  # '²'.isdigit(), int('²') fails
        ("/?after=%C2%B2.1", "not a page cursor"),
        ("/articles/1?version=%C2%B2", "version: not a whole number"),
    ],
)
async def test_bad_parameters_are_400_with_a_message(
    client: httpx.AsyncClient, archive: Archive, url: str, message: str
) -> None:
    page = await client.get(url)
    assert page.status_code == 400
    assert message in page.text and "Traceback" not in page.text


async def test_static_files_are_served(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert (await client.get("/static/favicon.svg")).status_code == 200
    assert (await client.get("/static/../app.py")).status_code == 404
