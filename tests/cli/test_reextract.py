"""Site templates end to end: ``add`` learns them, churn and re-extraction make no version.

A local site serves articles of one fixture site (tests/fixtures/sites.py) in
hashed-class markup, where trafilatura alone keeps most of the template.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from archiver.config import load_settings
from archiver.store import CaptureIn, SourceSpec, Store, VersionIn
from tests.fixtures.seedpages import SeedPage
from tests.fixtures.sites import WEEKLY, Markup, seed_articles, site_page
from tests.localsite import LocalSite

EDIT = "Officials confirmed on Monday that the talks would resume within two weeks."


SERVED: list[SeedPage] = []


def serve(site: LocalSite, ks: range, *, markup: Markup = "hashed", churn: int = 0) -> list[str]:
    """Serve articles ``ks`` of the fixture site (chrome rotated by ``churn``); their URLs."""
    urls = []
    for k in ks:
        path = f"/news/story-{k}"
        page = site_page(WEEKLY, seed_articles()[k], k, url=site.url(path), markup=markup,
                         variant=k + churn)  # fmt: skip
        site.set(path, page.html)
        SERVED.append(page)
        urls.append(site.url(path))
    return urls


@pytest.fixture(autouse=True)
def _forget_served() -> None:
    SERVED.clear()


def template_left(text: str) -> list[str]:
    """The template phrases in ``text`` that recur: shown on three served pages or more
    (``extract.template_min_pages``). A rail item one page showed is just text."""
    shown = Counter(j for page in SERVED for j in set(page.junk))
    return [phrase for phrase, n in shown.items() if n >= 3 and phrase in text]


def counts() -> dict[str, int]:
    with Store(load_settings().db_url) as store:
        return store.counts()


@pytest.mark.parametrize("markup", ["hashed", "semantic"])
def test_churn_makes_no_version_and_the_template_goes(
    cli: Any, site: LocalSite, markup: Markup
) -> None:
    urls = serve(site, range(6), markup=markup)
    first = cli("add", "--json", urls[0]).json()
    assert first["outcome"] == "new"
    if markup == "hashed":
        assert template_left(cli("show", "--json", urls[0]).json()["text"])
    rows = cli("add", "--json", *urls[1:]).json_lines()
    assert [r["outcome"] for r in rows] == ["new"] * 5

    serve(site, range(6), markup=markup, churn=7)  # rail, ad, stamps, trending all rotate
    rows = cli("add", "--json", *urls).json_lines()
    assert [(r["outcome"], r["version"]) for r in rows] == [("unchanged", 1)] * 6
    assert counts()["versions"] == 6
    if markup == "hashed":  # the first capture's text was corrected in place
        history = cli("history", "--json", urls[0]).json()
        assert [v["version"] for v in history["versions"]] == [1]
        assert [(r["version"], r["reason"]) for r in history["reextractions"]] == [(1, "re-check")]
        assert "re-extracted" in cli("history", urls[0]).out
    # what each page taught is applied to every article, still without a version
    assert cli("reextract", "--all").code == 0
    assert counts()["versions"] == 6
    for url in urls:
        assert template_left(cli("show", "--json", url).json()["text"]) == [], url


def test_an_edit_is_still_a_version_with_only_the_edit_in_the_diff(
    cli: Any, site: LocalSite
) -> None:
    urls = serve(site, range(6))
    assert cli("add", *urls).code == 0
    path = "/news/story-2"
    page = site_page(WEEKLY, seed_articles()[2], 2, url=site.url(path), variant=9, edit=EDIT)
    site.set(path, page.html)
    row = cli("add", "--json", urls[2]).json()
    assert (row["outcome"], row["version"]) == ("updated", 2)
    diff = cli("diff", "--json", urls[2]).json()
    inserted = " ".join(op["text"] for op in diff["ops"] if op["op"] == "insert")
    assert set(inserted.split()) <= set(EDIT.split())
    assert template_left(cli("show", "--json", urls[2]).json()["text"]) == []


def test_reextract_learns_and_cleans_an_old_archive_without_versions(
    cli: Any, site: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = serve(site, range(6))
    monkeypatch.setenv("ARCHIVER_EXTRACT__TEMPLATES", "false")  # an archive from before
    assert cli("add", *urls).code == 0
    assert all(template_left(cli("show", "--json", u).json()["text"]) for u in urls)
    monkeypatch.delenv("ARCHIVER_EXTRACT__TEMPLATES")
    before = counts()

    done = cli("reextract", "--json", "--site", f"127.0.0.1:{site.port}")
    assert done.code == 0, done.err
    assert done.json() == {"articles": 6, "versions": 6, "reextracted": 6, "unchanged": 0,
                           "skipped": 0, "learned": 6, "volatile": 0,
                           "signed": 0}  # fmt: skip
    assert counts() == before  # no version, no capture added
    for url in urls:
        doc = cli("show", "--json", url).json()
        assert doc["versions"] == 1 and template_left(doc["text"]) == []
    again = cli("reextract", "--json", "--all").json()
    assert (again["reextracted"], again["unchanged"], again["learned"]) == (0, 6, 0)
    history = cli("history", "--json", urls[3]).json()
    assert [(r["version"], r["reason"]) for r in history["reextractions"]] == [(1, "reextract")]


def test_reextract_needs_a_site_or_all(cli: Any) -> None:
    for args in ((), ("--all", "--site", "example.com")):
        run = cli("reextract", *args)
        assert run.code == 2 and "--site HOST or --all" in run.err
    # where there is no archive it says so and makes none (issue 14: no surprise archives)
    missing = cli("reextract", "--all")
    assert missing.code == 1 and "no archive at" in missing.err
    cli("migrate")
    assert cli("reextract", "--all").out.startswith("0 articles")


def test_status_shows_extraction_health_and_flags_a_jump(cli: Any) -> None:
    spec = SourceSpec("ledger", "feed", "https://ledger.example/rss", 900, None, None, None)
    with Store(load_settings().db_url) as store:
        source = store.add_source(spec)
        for poll in range(6):  # three fine polls, then three after a "redesign"
            start = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=poll)
            for n in range(4):
                url = f"https://ledger.example/{poll}-{n}"
                redesigned = poll >= 3
                store.record(
                    CaptureIn(url, start + timedelta(minutes=n), status=200, source_id=source.id,
                              words=40 if redesigned else 800, dated=not redesigned),
                    url.encode(), urls=[url], canonical_url=url, site="ledger.example",
                    content=VersionIn("T", (), None, None, None, None, None, url, url),
                )  # fmt: skip
            store.record_poll(source.id, at=start, found=4, new=4, error=None)
    doc = cli("status", "--json").json()
    health = doc["sources"][0]["extraction"]
    assert health["jumped"] is True and health["extracted"] == 12
    assert (health["empty"], health["short"], health["dateless"]) == (0.0, 1.0, 1.0)
    assert health["baseline"] == {"empty": 0.0, "short": 0.0, "dateless": 0.0}
    text = cli("status").out
    assert "0% empty, 100% short, 100% dateless" in text and "JUMPED" in text
