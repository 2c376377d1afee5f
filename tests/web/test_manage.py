"""The sources page that does things (pause/resume, poll now, schedule, remove with a
confirmation, extraction health figures) and an article's "check now"."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from archiver.errors import InputError, NotFoundError
from archiver.store import SourceSpec, Store
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite
from tests.store.conftest import db_url  # noqa: F401  (the fixture: SQLite, and PostgreSQL)
from tests.store.factories import T0, capture, content
from tests.store.factories import html as page_html
from tests.web.conftest import csrf_field
from tests.web.test_sessions import sign_in

pytestmark = pytest.mark.anyio


def rss(*links: str) -> str:
    items = "".join(f"<item><title>{n}</title><link>{u}</link></item>" for n, u in enumerate(links))
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )


def message(page: str) -> str:
    found = re.search(r'<p class="(?:ok|error)" role="(?:status|alert)">(.*?)</p>', page, re.S)
    assert found, "no message on the page"
    return html.unescape(found.group(1))


async def _signed_in_csrf(client: httpx.AsyncClient) -> str:
    await sign_in(client, "/sources")
    page = await client.get("/sources")
    return csrf_field(page.text)


@pytest.fixture
def desk(store: Store) -> str:
    spec = SourceSpec("desk", "feed", "https://d.example/feed.xml", 900, None, None, None)
    return store.add_source(spec).name


async def test_sources_page_buttons_need_a_session(client: httpx.AsyncClient, desk: str) -> None:
    page = await client.get("/sources")
    assert page.status_code == 200
    assert 'action="/sources/poll"' not in page.text and "Sign in</a> to pause" in page.text
    csrf = csrf_field((await client.get("/login")).text)
    refused = await client.post("/sources/pause", data={"name": desk, "csrf": csrf})
    assert refused.status_code == 403 and "not signed in" in message(refused.text)
    await sign_in(client, "/sources")
    signed = await client.get("/sources")
    for action in ("/sources/pause", "/sources/poll", "/sources/schedule"):
        assert f'action="{action}"' in signed.text
    assert 'href="/sources/remove?name=desk"' in signed.text


async def test_pause_resume_and_reschedule(
    client: httpx.AsyncClient, store: Store, desk: str
) -> None:
    csrf = await _signed_in_csrf(client)
    paused = await client.post("/sources/pause", data={"name": desk, "csrf": csrf})
    assert paused.status_code == 200 and message(paused.text) == "Source desk paused."
    assert store.source(desk).paused and 'action="/sources/resume"' in paused.text
    resumed = await client.post("/sources/resume", data={"name": desk, "csrf": csrf})
    assert message(resumed.text) == "Source desk resumed." and not store.source(desk).paused

    before = store.sources_fingerprint()
    every = await client.post("/sources/schedule", data={"name": desk, "schedule": "2h",
                                                         "csrf": csrf})  # fmt: skip
    assert every.status_code == 200 and message(every.text) == "Source desk is now polled every 2h."
    assert (store.source(desk).every_seconds, store.source(desk).cron) == (7200, None)
    assert store.sources_fingerprint() != before  # a running daemon picks the change up
    cron = await client.post("/sources/schedule", data={"name": desk, "schedule": "*/10 * * * *",
                                                        "csrf": csrf})  # fmt: skip
    assert message(cron.text) == "Source desk is now polled cron */10 * * * *."
    assert (store.source(desk).every_seconds, store.source(desk).cron) == (None, "*/10 * * * *")
    for bad, why in (("soon", "every: not a duration"), ("5", "every: "),
                     ("* * *", "cron: invalid cron expression")):  # fmt: skip
        answer = await client.post("/sources/schedule", data={"name": desk, "schedule": bad,
                                                              "csrf": csrf})  # fmt: skip
        assert answer.status_code == 400 and message(answer.text).startswith(why), bad
        assert "--" not in message(answer.text)  # field names, never CLI flags
    assert store.source(desk).cron == "*/10 * * * *"  # nothing half-changed
    gone = await client.post("/sources/pause", data={"name": "nope", "csrf": csrf})
    assert gone.status_code == 404 and "no source named 'nope'" in message(gone.text)


async def test_remove_asks_first(client: httpx.AsyncClient, store: Store, desk: str) -> None:
    csrf = await _signed_in_csrf(client)
    confirm = await client.get("/sources/remove", params={"name": desk})
    assert confirm.status_code == 200 and "Remove source desk?" in confirm.text
    assert 'name="confirm" value="yes"' in confirm.text and 'href="/sources">Cancel' in confirm.text
    assert store.source(desk)  # asking removes nothing
    unconfirmed = await client.post("/sources/remove", data={"name": desk, "csrf": csrf})
    assert unconfirmed.status_code == 400 and store.source(desk)
    done = await client.post("/sources/remove", data={"name": desk, "confirm": "yes",
                                                      "csrf": csrf})  # fmt: skip
    assert done.status_code == 200 and message(done.text) == "Removed source desk (no articles)."
    with pytest.raises(NotFoundError):
        store.source(desk)
    missing = await client.get("/sources/remove", params={"name": desk})
    assert missing.status_code == 404


async def test_poll_now(client: httpx.AsyncClient, store: Store, site: LocalSite) -> None:
    urls = [site.url(f"/news/story-{n}") for n in (0, 1)]
    for n, url in enumerate(urls):
        site.set(f"/news/story-{n}", seed_page(n, url=url).html)
    site.set("/feed.xml", rss(*urls), content_type="application/rss+xml")
    spec = SourceSpec("local", "feed", site.url("/feed.xml"), 3600, None, None, None)
    store.add_source(spec)
    csrf = await _signed_in_csrf(client)
    polled = await client.post("/sources/poll", data={"name": "local", "csrf": csrf})
    assert polled.status_code == 200, polled.text
    assert message(polled.text) == "Polled local: 2 found, 2 new, 0 failed."
    assert store.source("local").article_count == 2
    again = await client.post("/sources/poll", data={"name": "local", "csrf": csrf})
    assert message(again.text) == "Polled local: unchanged since the last poll, 0 new."
    site.set("/feed.xml", "gone", status=500)
    failed = await client.post("/sources/poll", data={"name": "local", "csrf": csrf})
    assert failed.status_code == 502 and message(failed.text).startswith("Polling local failed:")


async def test_extraction_health_figures(client: httpx.AsyncClient, store: Store) -> None:
    spec = SourceSpec("wire", "feed", "https://w.example/feed", 900, None, None, None)
    wire = store.add_source(spec)
    shapes = [(0, False), (40, True), (40, False), (400, True), (400, True)]  # (words, dated)
    for n, (words, dated) in enumerate(shapes):
        url = f"https://w.example/{n}"
        text = " ".join(["word"] * max(words, 1))
        store.record(capture(url, minutes=n, source_id=wire.id, words=words, dated=dated),
                     page_html(text), urls=(url,), canonical_url=url, site="w.example",
                     content=content(text, title=f"t{n}"))  # fmt: skip
    store.record_poll(wire.id, at=T0, found=5, new=5, error=None)
    page = await client.get("/sources")
    figures = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.unescape(page.text)))
    # shares of the 5 pages: 1 with no text, 2 under 100 words, 1 of those with text undated
    assert "Extraction, last 1 poll (5 pages): 20% empty · 40% very short · 20% undated" in figures


async def test_check_now_rechecks_the_article(
    client: httpx.AsyncClient, store: Store, site: LocalSite
) -> None:
    url = site.url("/news/story-2")
    site.set("/news/story-2", seed_page(2, url=url).html)
    csrf = await _signed_in_csrf(client)
    added = await client.post("/add/url", data={"url": url, "csrf": csrf})
    assert added.status_code == 200 and "<strong>new</strong>" in added.text
    article_id = store.article(url).id
    page = await client.get(f"/articles/{article_id}")
    assert f'action="/articles/{article_id}/check"' in page.text
    hits = len(site.hits_for("/news/story-2"))
    same = await client.post(f"/articles/{article_id}/check", data={"csrf": csrf})
    assert same.status_code == 200 and message(same.text) == "Checked now: unchanged."
    assert len(site.hits_for("/news/story-2")) == hits + 1  # fetched at once
    site.set("/news/story-2", seed_page(2, url=url, edit="Officials later confirmed it.").html)
    changed = await client.post(f"/articles/{article_id}/check", data={"csrf": csrf})
    assert message(changed.text) == "Checked now: updated, version 2 is new."
    assert store.article(article_id).version_count == 2
    site.set("/news/story-2", "gone", status=404)
    failed = await client.post(f"/articles/{article_id}/check", data={"csrf": csrf})
    assert failed.status_code == 502 and "404" in message(failed.text)
    assert (await client.post("/articles/999/check", data={"csrf": csrf})).status_code == 404
    client.cookies.clear()
    anonymous = await client.post(f"/articles/{article_id}/check", data={"csrf": csrf})
    assert anonymous.status_code == 403


def test_store_set_schedule(db_url: str) -> None:  # noqa: F811  (SQLite, and PostgreSQL)
    with Store(db_url) as store:
        store.add_source(SourceSpec("desk", "feed", "https://d.example/f", 900, None, None, None))
        before = store.sources_fingerprint()
        moved = store.set_schedule("desk", None, "0 * * * *")
        assert (moved.every_seconds, moved.cron) == (None, "0 * * * *")
        assert store.sources_fingerprint() != before
        assert store.set_schedule("desk", 120.4, None).every_seconds == 120
        for every, cron in ((None, None), (60.0, "0 * * * *"), (0.2, None)):
            with pytest.raises(InputError):
                store.set_schedule("desk", every, cron)
        assert store.source("desk").every_seconds == 120
        with pytest.raises(NotFoundError):
            store.set_schedule("nope", 60.0, None)
