"""Headless Chromium on the sources page's actions (signed in once), corrections in the
history, sorting and facets on the home page, and Japanese text in a CJK font.

Screenshots go to ``<pytest tmp>/screenshots/`` like the other browser tests.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from typing import Any

import httpx
import pytest

from archiver.config import Settings
from archiver.store import Store
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite
from tests.store.factories import content
from tests.web import test_browser as base
from tests.web.conftest import bearer
from tests.web.live import LiveServer
from tests.web.test_browser import DESKTOP, Shots, _archive, _open, sign_in
from tests.web.test_manage import rss

# the fixtures of test_browser.py (Chromium, a live server, screenshots), used here too
browser, server, shots = base.browser, base.server, base.shots


def _message(page: Any) -> str:
    text: str = page.locator("p.ok, p.error").first.inner_text()
    return text


def test_sources_page_actions_signed_in_once(
    browser: Any, server: LiveServer, site: LocalSite, shots: Shots
) -> None:
    urls = [site.url(f"/news/story-{n}") for n in (0, 1, 2)]
    for n, url in enumerate(urls):
        site.set(f"/news/story-{n}", seed_page(n, url=url).html)
    site.set("/feed.xml", rss(*urls), content_type="application/rss+xml")
    spec = {"url": site.url("/feed.xml"), "kind": "feed", "every": "1h", "name": "local"}
    added = httpx.post(f"{server.url}/api/sources", json=spec, headers=bearer(), timeout=30)
    assert added.status_code == 201, added.text

    page, watch = _open(browser, DESKTOP)
    page.goto(server.url + "/sources")
    assert page.locator("text=Poll now").count() == 0  # not signed in: no buttons
    page.click("text=Sign in")
    sign_in(page)
    assert page.url == server.url + "/sources"  # back where it was
    page.click("#source-local + tr.more button:has-text('Poll now')")
    assert _message(page) == "Polled local: 3 found, 3 new, 0 failed."
    extraction = page.locator("#source-local + tr.more p.extraction").inner_text()
    assert re.search(r"Extraction, last 1 poll \(3 pages\): \d+% empty", extraction), extraction
    page.click("#source-local + tr.more button:has-text('Pause')")
    assert _message(page) == "Source local paused."
    assert page.locator("#source-local .tag").inner_text() == "paused"
    page.fill("#source-local + tr.more input[name=schedule]", "2h")
    page.click("#source-local + tr.more button:has-text('Save')")
    assert _message(page) == "Source local is now polled every 2h."
    assert "every 2h" in page.locator("#source-local").inner_text()
    page.fill("#source-local + tr.more input[name=schedule]", "soon")
    page.click("#source-local + tr.more button:has-text('Save')")
    assert _message(page).startswith("every: not a duration")
    shots.take(page, "20-sources-actions")
    assert watch.problems == [  # the refused schedule's answer: a 400, as it should be
        "console error: Failed to load resource: the server responded with a status of 400"
        " (Bad Request)"
    ]
    watch.problems.clear()

    page.goto(server.url + "/")
    page.locator("ol.articles .title").first.click()
    page.click("text=Check now")
    assert _message(page) == "Checked now: unchanged."
    shots.take(page, "21-check-now")

    page.goto(server.url + "/sources")
    page.click("#source-local + tr.more >> text=Remove…")
    assert page.locator("h1").inner_text() == "Remove source local?"
    assert "3 archived articles stay" in page.locator("p.notice").inner_text()
    shots.take(page, "22-remove-confirm")
    page.click("button:has-text('Remove local')")
    assert _message(page) == "Removed source local (its 3 articles stay)."
    assert page.locator("#source-local").count() == 0
    page.click("form[action='/logout'] button")
    page.goto(server.url + "/sources")
    assert page.locator("text=Sign in").first.is_visible()
    assert watch.problems == []


def test_corrections_are_visible_in_the_history(
    browser: Any, server: LiveServer, site: LocalSite, shots: Shots, web_settings: Settings
) -> None:
    url = site.url("/news/story-0")
    site.set("/news/story-0", seed_page(0, url=url).html)
    article_id = _archive(server, url)["article_id"]
    with Store(web_settings.db_url) as store:
        version = store.article(article_id).latest
        fixed = "A corrected first paragraph.\n" + version.text
        done = store.reextract_version(
            article_id, 1, content(fixed, title=version.title), reason="reextract"
        )
        assert done
    page, watch = _open(browser, DESKTOP)
    page.goto(f"{server.url}/articles/{article_id}/history")
    row = page.locator("tr.correction")
    assert row.count() == 1 and "(reextract)" in row.inner_text()
    shots.take(page, "23-history-correction")
    row.locator("text=the text before the correction").click()
    assert page.locator("h1").inner_text() == "Version 1 before its correction"
    assert page.locator("div.diff ins").first.inner_text().strip().startswith("A corrected")
    old = page.locator("article.old-text div.text").inner_text()
    assert "A corrected first paragraph" not in old and version.text.split("\n")[0][:40] in old
    shots.take(page, "24-text-before-correction")
    assert watch.problems == []


def test_sort_facets_and_downloads_in_the_browser(
    browser: Any, server: LiveServer, site: LocalSite, shots: Shots
) -> None:
    pages = {n: seed_page(n, url=site.url(f"/news/story-{n}")) for n in (0, 1, 2, 3)}
    for n, seeded in pages.items():
        site.set(f"/news/story-{n}", seeded.html)
        _archive(server, site.url(f"/news/story-{n}"))
    site.set("/news/story-2", seed_page(2, url=site.url("/news/story-2"), edit="An update.").html)
    assert _archive(server, site.url("/news/story-2"))["outcome"] == "updated"

    page, watch = _open(browser, DESKTOP)
    page.goto(server.url + "/")
    page.click("nav.sorting >> text=Versions")
    assert page.locator("ol.articles .title").first.inner_text() == pages[2].title
    assert page.locator("nav.sorting a.current").inner_text() == "Versions ↓"
    page.click("nav.sorting >> text=Versions")  # again: the other way round
    assert page.locator("ol.articles .title").last.inner_text() == pages[2].title
    authors = page.locator("#facet-author li a").all_inner_texts()
    assert len(authors) >= 2
    page.locator("#facet-author li a").first.click()
    titles = page.locator("ol.articles .title").all_inner_texts()
    assert 1 <= len(titles) < 4
    page.locator("#facet-language li a").first.click()  # combined with the author
    assert page.locator("#facet-author li.chosen").count() == 1
    assert page.locator("#facet-language li.chosen").count() == 1
    assert "sort=versions" in page.url and "author=" in page.url and "language=" in page.url
    shots.take(page, "25-explore")
    href = page.locator("a.export-csv").get_attribute("href")
    assert href and "author=" in href and "sort=versions" in href
    answer = page.request.get(server.url + href.replace("&amp;", "&"))
    rows = list(csv.DictReader(io.StringIO(answer.text())))
    assert [r["title"] for r in rows] == page.locator("ol.articles .title").all_inner_texts()
    assert watch.problems == []


JAPANESE = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
<title>東京で新しい図書館が開館、地域の読書文化を支える拠点に</title>
<meta name="author" content="山田 花子"></head><body><article>
<h1>東京で新しい図書館が開館、地域の読書文化を支える拠点に</h1>
<p>東京都内に新しい公立図書館が今月開館し、初日から多くの市民が訪れた。館内には約三十万冊の蔵書があり、子ども向けの読書室や学習スペースも設けられている。</p>
<p>区の担当者は、地域の読書文化を支える拠点として、幅広い世代に利用してもらいたいと話した。開館を記念して、地元の作家による講演会や朗読会も予定されている。</p>
<p>図書館は駅から徒歩五分の場所にあり、平日は午後九時まで開いている。電子書籍の貸し出しや、外国語の資料をそろえたコーナーも人気を集めているという。</p>
<p>近くに住む会社員の女性は、仕事帰りに立ち寄れるのがうれしいと笑顔を見せた。区は今後、利用者の声をもとにサービスの改善を続ける方針だ。</p>
</article></body></html>"""
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _platform_fonts(page: Any, selector: str) -> dict[str, int]:
    """The fonts Chromium actually drew the element's text with, and glyphs from each."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: int(f["glyphCount"]) for f in fonts}


def _cjk_font_installed() -> bool:
    try:
        listed = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return False
    return "Noto Sans CJK" in listed


def test_japanese_text_renders_in_a_cjk_font(
    browser: Any, server: LiveServer, site: LocalSite, shots: Shots
) -> None:
    if not _cjk_font_installed():
        pytest.skip("CJK BROWSER TEST SKIPPED: no CJK font; `make browser` installs fonts-noto-cjk")
    site.set("/ja/library", JAPANESE)
    article_id = _archive(server, site.url("/ja/library"))["article_id"]
    page, watch = _open(browser, DESKTOP)
    page.goto(f"{server.url}/articles/{article_id}")
    assert page.locator("article.story").get_attribute("lang") == "ja"
    body_stack = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    text_stack = page.evaluate(
        "() => getComputedStyle(document.querySelector('div.text p')).fontFamily"
    )
    assert '"Noto Sans CJK JP"' in body_stack and '"Hiragino Sans"' in body_stack
    assert '"Yu Gothic"' in body_stack and '"Source Han Sans"' in body_stack
    assert body_stack.rstrip().endswith("sans-serif") and '"Noto Serif CJK JP"' in text_stack
    for selector in ("article.story h1", "div.text p"):
        text = page.locator(selector).first.inner_text()
        wanted = len(CJK.findall(text))
        fonts = _platform_fonts(page, selector)
        cjk = sum(n for name, n in fonts.items() if "CJK" in name)
        assert wanted > 20 and cjk >= wanted, (selector, fonts)  # every CJK glyph from a CJK font
    # And the glyphs are real ones, not one .notdef box repeated: distinct characters
    # draw distinct shapes of a real advance, unlike a code point no font has.
    widths = page.evaluate(
        """() => {
          const span = document.createElement('span');
          document.querySelector('div.text').appendChild(span);
          const measure = (s) => {
            span.textContent = s;
            return span.getBoundingClientRect().width;
          };
          const tofu = measure('\\u{10FFFD}\\u{10FFFD}\\u{10FFFD}');
          const found = {cjk: measure('図書館'), tofu: tofu};
          span.remove();
          return found;
        }"""
    )
    assert widths["cjk"] > 0 and widths["cjk"] != widths["tofu"], widths
    shots.take(page, "26-japanese-article")
    search = httpx.get(f"{server.url}/api/articles/{article_id}", timeout=10).json()
    assert search["language"] == "ja" and "図書館" in search["text"]
    assert watch.problems == []
