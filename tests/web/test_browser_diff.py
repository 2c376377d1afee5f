"""The diff page in headless Chromium: changes only, the switch to the full text and back,
and the jump to the first change (screenshots of each, as in ``test_browser.py``)."""

from __future__ import annotations

import html
from typing import Any

from tests.localsite import LocalSite
from tests.web import test_browser as base
from tests.web.live import LiveServer
from tests.web.test_browser import DESKTOP, PHONE, Shots, _archive, _open

# the fixtures of test_browser.py (Chromium, a live server, screenshots), used here too
browser, server, shots = base.browser, base.server, base.shots

EDIT = "The council voted to reopen the old ferry terminal after the floods of last spring."


def _paragraphs(edit: str | None) -> list[str]:
    texts = [
        f"Paragraph {n} of the harbour report tells of quay {n}, the boats moored there and "
        "the people who keep them afloat through the long winter months on the coast."
        for n in range(1, 31)
    ]
    if edit is not None:
        texts[19] = edit  # the 20th of 30: far down a full page
    return texts


def _serve(site: LocalSite, edit: str | None = None) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(edit))
    site.set(
        "/news/harbour",
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Harbour report"
        f"</title></head><body><main><article><h1>Harbour report</h1>{body}</article></main>"
        "</body></html>",
    )
    return site.url("/news/harbour")


def test_diff_changes_only_full_text_and_jump(
    browser: Any, server: LiveServer, site: LocalSite, shots: Shots
) -> None:
    url = _serve(site)
    first = _archive(server, url)
    _serve(site, EDIT)
    assert _archive(server, url)["version"] == 2
    old = _paragraphs(None)

    page, watch = _open(browser, DESKTOP)
    page.goto(f"{server.url}/articles/{first['article_id']}/diff")
    shown = page.locator("div.diff").inner_text()
    assert "reopen the old ferry terminal" in page.locator("div.diff ins").first.inner_text()
    assert old[18] in shown and old[20] in shown and old[0] not in shown
    assert page.locator("div.diff p.gap").all_inner_texts() == [
        "… 18 unchanged paragraphs …", "… 9 unchanged paragraphs …",
    ]  # fmt: skip
    shots.take(page, "diff-01-changes-only")

    page.get_by_role("link", name="Full text").click()
    page.wait_for_url("**full=1**")
    full = page.locator("div.diff").inner_text()
    assert old[0] in full and old[29] in full and page.locator("div.diff p.gap").count() == 0
    assert page.evaluate("window.scrollY") == 0
    shots.take(page, "diff-02-full-text")

    page.get_by_role("link", name="Jump to the first change").click()
    page.wait_for_url("**#first-change")
    assert page.evaluate("window.scrollY") > 0
    box = page.locator("div.diff del").first.bounding_box()
    assert box is not None and 0 <= box["y"] < DESKTOP["height"]  # the change is on screen
    page.screenshot(path=str(shots.dir / "diff-03-jumped.png"))  # the viewport, not the page
    shots.taken.append(shots.dir / "diff-03-jumped.png")

    page.get_by_role("link", name="Changes only").click()
    page.wait_for_url(lambda u: "full=1" not in u)
    assert page.locator("div.diff p.gap").count() == 2
    assert watch.problems == []

    phone, phone_watch = _open(browser, PHONE)
    phone.goto(f"{server.url}/articles/{first['article_id']}/diff")
    shots.take(phone, "diff-04-phone")
    assert phone_watch.problems == []
