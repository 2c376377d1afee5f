"""Page sources find articles, not chrome, and say which article URLs failed and why;
``source run`` says when a source was unchanged."""

from __future__ import annotations

from typing import Any

from tests.daemon.newssite import NewsSite
from tests.fixtures.batchsites import article
from tests.localsite import LocalSite

CHROME = "/news/2026/11/nav-pick", "/news/2026/11/footer-pick", "/news/2026/11/most-read"
SITE_PAGES = "/about", "/contact", "/privacy-policy", "/terms-of-use", "/legal/imprint"


def _section(site: LocalSite, stories: list[str]) -> None:
    """A section page with article-shaped links in its menus, and legal pages in its footer,
    every one of them serving a page the extractor would take for an article."""
    for n, path in enumerate([*stories, *CHROME, *SITE_PAGES]):
        site.set(path, article(1, n))
    listing = "".join(f"<li><a href='{path}'>story {n}</a></li>" for n, path in enumerate(stories))
    site.set(
        "/world/",
        "<html><body><header><nav><a href='/'>Home</a>"
        f"<a href='{CHROME[0]}'>Pick</a></nav></header>"
        f"<main><h1>World</h1><ul>{listing}</ul><aside><a href='{CHROME[2]}'>Most read</a>"
        f"</aside></main><footer><a href='{CHROME[1]}'>More</a>"
        + "".join(f"<a href='{path}'>{path}</a>" for path in SITE_PAGES)
        + "</footer></body></html>",
    )


def test_a_page_source_archives_its_articles_not_its_chrome(cli: Any, site: LocalSite) -> None:
    stories = ["/news/2026/11/one", "/news/2026/11/two"]
    _section(site, stories)
    cli("source", "add", site.url("/world/"), "--kind", "page", "--every", "1h", "--name", "w")
    run = cli("source", "run", "w", "--json")
    assert run.code == 0, run.err
    assert (run.json()["found"], run.json()["new"], run.json()["failures"]) == (2, 2, [])
    archived = {row["url"] for row in cli("list", "--json").json()}
    assert archived == {site.url(path) for path in stories}
    for path in (*CHROME, *SITE_PAGES):
        assert site.hits_for(path) == [], path  # not even fetched


def test_source_run_names_each_failed_url_and_status_keeps_them(cli: Any, site: LocalSite) -> None:
    stories = ["/news/2026/11/one", "/news/2026/11/gone", "/news/2026/11/report"]
    _section(site, stories)
    site.set(stories[1], "gone", status=404)
    site.set(stories[2], b"%PDF-1.4", content_type="application/pdf")
    cli("source", "add", site.url("/world/"), "--kind", "page", "--every", "1h", "--name", "w")
    run = cli("source", "run", "w", "--json")
    assert run.code == 0, run.err
    doc = run.json()
    assert (doc["found"], doc["new"], doc["failed"]) == (3, 1, 2)
    failures = {f["url"]: f["error"] for f in doc["failures"]}
    assert set(failures) == {site.url(stories[1]), site.url(stories[2])}
    assert "HTTP 404" in failures[site.url(stories[1])]
    assert "not an HTML page (application/pdf)" in failures[site.url(stories[2])]
    assert all(set(f) == {"url", "error"} for f in doc["failures"])

    (source,) = cli("status", "--json").json()["sources"]
    assert source["consecutive_failures"] == 0  # the poll itself worked
    assert source["last_error"].startswith("2 of 3 articles failed: ")
    for url in failures:
        assert source["last_error"].count(url) == 1, source["last_error"]
    assert "last poll: 2 of 3 articles failed: " in cli("status").out

    _section(site, [*stories, "/news/2026/11/three"])  # the page changed: polled again
    site.set(stories[1], "gone", status=404)
    site.set(stories[2], b"%PDF-1.4", content_type="application/pdf")
    again = cli("source", "run", "w")  # the failed ones are tried again, said once each
    assert again.code == 0
    errors = again.err.splitlines()
    assert sorted(errors) == sorted(f"archiver: error: {failures[url]}" for url in failures)
    assert all(url not in again.out for url in failures)
    line, poll, skipped = again.out.splitlines()
    assert line.split()[:2] == ["new", site.url("/news/2026/11/three")]
    assert poll.startswith("w: 4 found, 1 new, 2 failed in "), poll
    assert skipped.startswith("w: ") and " links skipped: " in skipped, skipped


def test_source_run_says_when_a_feed_is_unchanged(cli: Any, site: LocalSite) -> None:
    news = NewsSite(site)
    news.publish("one", 0)
    cli("source", "add", news.url("/rss.xml"), "--kind", "feed", "--every", "1h", "--name", "n")
    first = cli("source", "run", "n")
    assert first.code == 0 and "unchanged" not in first.out
    again = cli("source", "run", "n")
    assert again.code == 0, again.err
    assert again.out == "n: unchanged since the last poll, 0 new\n"


def test_source_run_names_every_link_it_skipped_and_why(cli: Any, site: LocalSite) -> None:
    stories = ["/news/2026/11/one"]
    _section(site, stories)
    cli("source", "add", site.url("/world/"), "--kind", "page", "--every", "1h", "--name", "w")
    text = cli("source", "run", "w").out.splitlines()
    assert text[-1].startswith("w: 9 links skipped: "), text  # 3 chrome, 5 site pages, home
    section = site.url("/world/")
    site.set("/world/", site.pages["/world/"].body + b"<!-- changed -->")  # polled again
    skipped = {k["url"]: k["reason"] for k in cli("source", "run", "w", "--json").json()["skipped"]}
    assert len(skipped) == 9 and section not in skipped
    assert skipped[site.url(CHROME[0])] == "only in the page's navigation or footer"
    assert skipped[site.url("/")].startswith("not an article")
    assert skipped[site.url("/about")].startswith("a site page")
    assert site.url(stories[0]) not in skipped


def test_the_links_a_poll_skipped_stay_in_the_sources_health(cli: Any, site: LocalSite) -> None:
    """Counted and named after the poll too: `source list --json`, `status` and the API."""
    _section(site, ["/news/2026/11/one"])
    cli("source", "add", site.url("/world/"), "--kind", "page", "--every", "1h", "--name", "w")
    (before,) = cli("source", "list", "--json").json()
    assert (before["links_skipped"], before["skipped"]) == (None, [])  # never polled
    cli("source", "run", "w")
    (row,) = cli("source", "list", "--json").json()
    named = {k["url"]: k["reason"] for k in row["skipped"]}
    assert row["links_skipped"] == 9 and len(named) == 9
    assert named[site.url(CHROME[0])] == "only in the page's navigation or footer"
    assert named[site.url("/about")].startswith("a site page")
    status = cli("status").out
    assert "9 links skipped (" in status and "named in --json" in status
    assert cli("status", "--json").json()["sources"][0]["links_skipped"] == 9
    # a poll of the unchanged page reads nothing again: the counts stay
    cli("source", "run", "w")
    assert cli("source", "list", "--json").json()[0]["links_skipped"] == 9
