"""End to end in headless Chromium: archive pages, browse them, add one through the form,
and check that hostile archived text stays inert.

Needs Chromium (``make browser`` installs Debian's) and the playwright package;
without them the tests skip with a message saying how to install. Screenshots
of every page go to ``<pytest tmp>/screenshots/`` (listed in ``screenshots.txt``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from archiver.config import Settings
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite
from tests.web.conftest import TOKEN, bearer
from tests.web.live import CHROMIUM_ARGS, LiveServer, chromium_path, live_server

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
EDIT = "Update: officials confirmed the talks will resume next week in Geneva."


@pytest.fixture
def server(web_settings: Settings) -> Iterator[LiveServer]:
    with live_server(web_settings) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[Any]:
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Shots:
    """Screenshots under the session's tmp dir, listed in screenshots.txt and printed."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "screenshots"
        self.dir.mkdir(exist_ok=True)
        self.taken: list[Path] = []

    def take(self, page: Any, name: str) -> None:
        path = self.dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        with (self.dir / "screenshots.txt").open("a") as listing:
            listing.write(f"{path}\n")
        print(f"screenshot: {path}")


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Shots:
    return Shots(tmp_path_factory.getbasetemp())


class Watch:
    """Everything a page does that it should not: console errors, script errors, dialogs."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()


def _archive(server: LiveServer, url: str) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/api/urls", json={"url": url}, headers=bearer(), timeout=60)
    assert answer.status_code in (200, 201), answer.text
    row: dict[str, Any] = answer.json()
    return row


def sign_in(page: Any) -> None:
    """Type the web token into the sign-in form of the page shown (once per session)."""
    page.fill("form[action='/login'] input[name=token]", TOKEN)
    page.click("form[action='/login'] button")
    page.wait_for_selector("form[action='/logout']")


def _open(browser: Any, viewport: dict[str, int]) -> tuple[Any, Watch]:
    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(15_000)
    return page, Watch(page)


def test_browse_search_history_diff_and_add(
    browser: Any, server: LiveServer, site: LocalSite, shots: Shots
) -> None:
    pages = {n: seed_page(n, url=site.url(f"/news/story-{n}")) for n in (0, 1, 2, 3)}
    for n in (0, 1, 2):
        site.set(f"/news/story-{n}", pages[n].html)
        assert _archive(server, site.url(f"/news/story-{n}"))["outcome"] == "new"
    site.set("/news/story-1", seed_page(1, url=site.url("/news/story-1"), edit=EDIT).html)
    updated = _archive(server, site.url("/news/story-1"))
    assert (updated["outcome"], updated["version"]) == ("updated", 2)

    page, watch = _open(browser, DESKTOP)
    page.goto(server.url + "/")
    titles = page.locator("ol.articles .title").all_inner_texts()
    assert titles == [pages[2].title, pages[1].title, pages[0].title]
    shots.take(page, "01-home")

    word = max(pages[0].title.split(), key=len).strip(",.:;'\"‘’“”")
    page.fill("header input[name=q]", word)
    page.press("header input[name=q]", "Enter")  # a plain GET form: no script needed
    page.wait_for_url("**/search?**")
    assert page.locator("ol.results .title").first.inner_text() == pages[0].title
    assert page.locator("ol.results mark").count() >= 1
    shots.take(page, "02-search")

    page.locator("ol.results .title").first.click()
    assert page.locator("article.story h1").inner_text() == pages[0].title
    assert site.url("/news/story-0") in page.locator("section.aliases").inner_text()
    assert pages[0].paragraphs[0][:40] in page.locator("div.text").inner_text()
    shots.take(page, "03-article")

    page.goto(server.url + "/")
    page.get_by_role("link", name=pages[1].title).click()
    page.get_by_role("link", name="history").click()
    assert page.locator("table.history tbody tr").count() == 2
    shots.take(page, "04-history")

    page.click("text=Compare versions")
    assert page.locator("h1").inner_text() == "Changes from version 1 to 2"
    inserted = " ".join(page.locator("div.diff ins").all_inner_texts())
    assert "officials confirmed the talks" in inserted and "Geneva" in inserted
    assert page.locator("div.diff del").count() >= 1
    shots.take(page, "05-diff")

    site.set("/news/story-3", pages[3].html)
    page.goto(server.url + "/add")
    sign_in(page)  # once: the forms after it have no password field
    assert page.url == server.url + "/add"
    assert page.locator("input[name=token]").count() == 0
    page.fill("form[action='/add/url'] input[name=url]", site.url("/news/story-3"))
    page.click("form[action='/add/url'] button")
    assert page.locator("p.ok strong").inner_text() == "new"
    shots.take(page, "06-added")
    page.locator("p.ok a").click()
    assert page.locator("article.story h1").inner_text() == pages[3].title

    page.goto(server.url + "/add")
    page.fill("form[action='/add/source'] input[name=url]", site.url("/feed.xml"))
    page.select_option("form[action='/add/source'] select[name=kind]", "feed")
    page.fill("form[action='/add/source'] input[name=name]", "local-feed")
    page.fill("form[action='/add/source'] input[name=every]", "15m")
    page.click("form[action='/add/source'] button")
    assert "Added source local-feed" in page.locator("p.ok").inner_text()
    page.goto(server.url + "/sources")
    assert "local-feed" in page.locator("table.sources").inner_text()
    shots.take(page, "07-sources")

    phone, phone_watch = _open(browser, PHONE)
    for name, path in (("08-phone-home", "/"), ("09-phone-article", "/articles/2"),
                       ("10-phone-diff", "/articles/2/diff")):  # fmt: skip
        phone.goto(server.url + path)
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
        shots.take(phone, name)
    assert watch.problems == [] and phone_watch.problems == []


HOSTILE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>&lt;/title&gt;&lt;script&gt;document.title='pwned'&lt;/script&gt; Harbour report</title>
<script>window.__pwned = 'the archived page own script ran';</script>
</head><body><article>
<h1>&lt;/title&gt;&lt;script&gt;document.title='pwned'&lt;/script&gt; Harbour report</h1>
<p>Harbour officials said on Monday that the new quay would open &lt;script&gt;window.__pwned
= 'script in text'&lt;/script&gt; after months of delays caused by the winter storms.</p>
<p>An image tag in the text: &lt;img src=x onerror="window.__pwned='onerror'"&gt; and an SVG:
&lt;svg onload="window.__pwned='svg'"&gt; followed by a textarea escape &lt;/textarea&gt;.</p>
<p>Read more at <a href="javascript:window.__pwned='link'">javascript:window.__pwned='link'</a>
or in the port authority's statement, which lists the ferry routes that will move.</p>
<p>Local businesses welcomed the decision, saying the quay would bring more visitors to the old
town and its markets, while fishermen asked for more berths for their boats.</p>
</article></body></html>"""


def test_hostile_archived_text_is_inert(
    browser: Any, server: LiveServer, site: LocalSite, shots: Shots
) -> None:
    site.set("/hostile", HOSTILE)
    row = _archive(server, site.url("/hostile"))
    stored = httpx.get(f"{server.url}/api/articles/{row['article_id']}", timeout=10).json()
    assert "<script>" in stored["text"] and "onerror=" in stored["text"]  # the payload is kept

    page, watch = _open(browser, DESKTOP)
    views = [
        ("11-xss-article", f"/articles/{row['article_id']}"),
        ("12-xss-search", "/search?q=harbour+script"),
        ("13-xss-home", "/"),
    ]
    for name, path in views:
        page.goto(server.url + path)
        assert page.evaluate("() => window.__pwned") is None, path
        assert page.title() != "pwned", path  # the payload would have replaced it
        assert page.locator("script, img, svg, iframe, textarea").count() == 0, path
        assert page.locator("a[href^='javascript:' i]").count() == 0, path
        shots.take(page, name)
    page.goto(server.url + f"/articles/{row['article_id']}")
    body = page.locator("div.text").inner_text()
    assert "<script>window.__pwned" in body and 'onerror="window.__pwned' in body
    assert page.locator("article.story h1").inner_text() == stored["title"]
    assert page.title() == f"{stored['title']} · archiver"  # shown as text, </title> and all
    assert watch.problems == []
