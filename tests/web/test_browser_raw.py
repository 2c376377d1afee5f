"""The raw snapshot view in headless Chromium: an archived page's script does not run and
nothing it names loads (as in ``test_browser.py``, skipped without Chromium)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures.stories import serve_story
from tests.localsite import LocalSite
from tests.web import test_browser as base
from tests.web.live import LiveServer
from tests.web.test_browser import DESKTOP, Shots, _archive, _open

# the fixtures of test_browser.py (Chromium, a live server, screenshots), used here too
browser, server, shots = base.browser, base.server, base.shots


def test_the_raw_view_runs_no_script_and_loads_nothing(
    browser: Any, server: LiveServer, site: LocalSite, shots: Shots
) -> None:
    beacon = site.url("/beacon")
    extra = (
        f"<script>document.title = 'pwned'; fetch('{beacon}?fetch');"
        f" new Image().src = '{beacon}?js-img';</script>"
        f"<img src='{beacon}?img' alt='pixel'><link rel='stylesheet' href='{beacon}?css'>"
        f"<iframe src='{beacon}?frame'></iframe><video src='{beacon}?video'></video>"
        f"<p style=\"background: url('{beacon}?inline-css')\">styled</p>"
        f"<meta http-equiv='refresh' content='0; url={beacon}?refresh'>"
        "<img src='/static/favicon.svg' alt='ours'>"  # our own origin: refused too
    )
    url = serve_story(site, "/news/harbour", "Harbour report", extra=extra)
    article_id = _archive(server, url)["article_id"]
    captures = httpx.get(f"{server.url}/api/articles/{article_id}/captures", timeout=10).json()
    raw = server.url + captures["captures"][0]["raw"]
    before = len(site.hits_for("/beacon"))  # none: archiving fetched only the page

    page, _ = _open(browser, DESKTOP)
    requested: list[str] = []
    blocked: dict[str, str] = {}
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: blocked.update({request.url: request.failure}))
    page.goto(raw)
    page.wait_for_load_state("networkidle")
    assert page.title() == "Harbour report"  # the script did not run
    assert "quay 3" in page.locator("body").inner_text()  # the page itself is shown
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # present, inert
    assert page.evaluate("window.origin") == "null"  # sandboxed: not our origin, no cookies
    shots.take(page, "raw-01-sandboxed")
    # the browser may start a request for what the page names, and then refuse it
    assert requested[0] == raw and raw not in blocked
    assert set(requested[1:]) == set(blocked), (requested, blocked)
    assert set(blocked.values()) == {"csp"}, blocked  # refused by the policy
    assert f"{server.url}/static/favicon.svg" in blocked  # 'self' is not allowed either
    assert len(site.hits_for("/beacon")) == before == 0  # nothing reached the network
