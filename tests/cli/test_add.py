"""``archiver add``/``show`` end to end against a local publisher site built from the seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archiver.config import load_settings
from archiver.store import Store
from tests.fixtures.seedpages import seed_ids, seed_page
from tests.localsite import LocalSite

ADD_KEYS = {"url", "article_id", "outcome", "version", "error"}
SHOW_KEYS = {
    "article_id", "url", "aliases", "title", "authors", "published", "modified", "site",
    "language", "text", "version", "versions", "first_seen", "last_checked",
}  # fmt: skip


def _counts() -> dict[str, int]:
    with Store(load_settings().db_url) as store:
        return store.counts()


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("n", seed_ids())
def test_seed_page_is_archived_clean(cli: Any, site: LocalSite, n: int) -> None:
    url = site.url(f"/news/story-{n}")
    page = seed_page(n, url=url)
    site.set(f"/news/story-{n}", page.html)

    added = cli("add", "--json", url)
    assert added.code == 0, added.err
    row = added.json()
    assert set(row) == ADD_KEYS
    assert row["outcome"] == "new" and row["version"] == 1 and row["error"] is None

    shown = cli("show", "--json", url)
    doc = shown.json()
    assert set(doc) >= SHOW_KEYS
    assert doc["article_id"] == row["article_id"]
    assert doc["title"] == page.title
    text = _squash(doc["text"])
    missing = [p for p in page.paragraphs if _squash(p) not in text]
    assert not missing, f"body paragraphs lost: {missing}"
    kept = [j for j in page.junk if j in doc["text"]]
    assert not kept, f"junk kept: {kept}"
    assert doc["first_seen"].endswith("Z") and doc["last_checked"].endswith("Z")


def test_aliases_collapse_to_one_article(cli: Any, site: LocalSite) -> None:
    canonical = site.url("/news/dmz-meeting")
    page = seed_page(1, url=canonical, canonical=canonical, amphtml=site.url("/amp/dmz-meeting"))
    site.set("/news/dmz-meeting", page.html)
    site.redirect("/s/123", "/news/dmz-meeting")
    site.set("/print/dmz-meeting", seed_page(1, url=canonical, canonical=canonical).html)
    site.set("/amp/dmz-meeting", seed_page(1, url=canonical, canonical=canonical, amp=True).html)

    first = cli("add", "--json", canonical).json()
    assert first["outcome"] == "new"
    urls = [
        site.url("/news/dmz-meeting?utm_source=twitter&utm_medium=social#top"),
        site.url("/s/123"),
        site.url("/print/dmz-meeting"),
        site.url("/amp/dmz-meeting"),
    ]
    rows = cli("add", "--json", *urls).json_lines()
    assert [r["article_id"] for r in rows] == [first["article_id"]] * 4
    outcomes = {r["url"]: r["outcome"] for r in rows}  # in the order they finished
    assert [outcomes[url] for url in urls] == ["unchanged", "duplicate", "duplicate", "duplicate"]
    assert all(r["version"] == 1 for r in rows)

    doc = cli("show", "--json", site.url("/amp/dmz-meeting")).json()
    assert doc["url"] == canonical
    assert doc["versions"] == 1
    assert {canonical, site.url("/s/123"), site.url("/print/dmz-meeting"),
            site.url("/amp/dmz-meeting")} <= set(doc["aliases"])  # fmt: skip
    assert _counts()["articles"] == 1
    assert len(cli("list", "--jsonl").json_lines()) == 1


def test_edit_becomes_version_two_with_diff(cli: Any, site: LocalSite) -> None:
    url = site.url("/news/edited")
    page = seed_page(0, url=url)
    site.set("/news/edited", page.html)
    assert cli("add", url).code == 0

    edit = "Trump said the talks would resume within two weeks, officials confirmed on Monday."
    site.set("/news/edited", seed_page(0, url=url, edit=edit).html)
    row = cli("add", "--json", url).json()
    assert (row["outcome"], row["version"]) == ("updated", 2)

    history = cli("history", "--json", url).json()
    assert [v["version"] for v in history["versions"]] == [1, 2]

    diff = cli("diff", "--json", url, "--from", "1", "--to", "2").json()
    inserted = {w for op in diff["ops"] if op["op"] == "insert" for w in op["text"].split()}
    deleted = {w for op in diff["ops"] if op["op"] == "delete" for w in op["text"].split()}
    assert {"officials", "confirmed", "Monday.", "weeks,"} <= inserted
    assert page.paragraphs[-1].split()[-1] in deleted
    new_text = "".join(op["text"] for op in diff["ops"] if op["op"] != "delete")
    assert edit in new_text
    text_diff = cli("diff", url)
    assert text_diff.code == 0 and "{+" in text_diff.out and "[-" in text_diff.out

    v1 = cli("show", "--json", "--version", "1", url).json()
    assert v1["version"] == 1 and edit not in v1["text"]
    assert edit in cli("show", "--json", url).json()["text"]


def test_chrome_churn_is_not_a_new_version(cli: Any, site: LocalSite) -> None:
    url = site.url("/news/churn")
    site.set("/news/churn", seed_page(3, url=url).html)
    first = cli("add", "--json", url).json()
    before = _counts()
    for variant in (1, 2):
        site.set("/news/churn", seed_page(3, url=url, rail_variant=variant).html)
        row = cli("add", "--json", url).json()
        assert (row["outcome"], row["version"]) == ("unchanged", 1)
        assert row["article_id"] == first["article_id"]
    after = _counts()
    assert after["versions"] == before["versions"] == 1
    assert after["captures"] == before["captures"] + 2


def test_readding_identical_page_stores_no_new_body(cli: Any, site: LocalSite) -> None:
    url = site.url("/news/same")
    site.set("/news/same", seed_page(2, url=url).html)
    cli("add", url)
    before = _counts()
    row = cli("add", "--json", url).json()
    assert row["outcome"] == "unchanged"
    after = _counts()
    assert after["bodies"] == before["bodies"] == 1
    assert after["versions"] == before["versions"]
    assert after["captures"] == before["captures"] + 1


def test_add_reads_urls_from_file(cli: Any, site: LocalSite, tmp_path: Path) -> None:
    lines = []
    for n in seed_ids():
        site.set(f"/a/{n}", seed_page(n, url=site.url(f"/a/{n}")).html)
        lines.append(site.url(f"/a/{n}"))
    listing = tmp_path / "urls.txt"
    listing.write_text("# seeds\n" + "\n".join(lines) + "\n\n")
    rows = cli("add", "--json", "--from-file", str(listing)).json_lines()
    assert [r["outcome"] for r in rows] == ["new"] * 4
    assert len({r["article_id"] for r in rows}) == 4


def test_progress_bar_when_asked(cli: Any, site: LocalSite) -> None:
    urls = []
    for n in seed_ids():
        site.set(f"/p/{n}", seed_page(n, url=site.url(f"/p/{n}")).html)
        urls.append(site.url(f"/p/{n}"))
    shown = cli("add", "--progress", *urls)
    assert shown.code == 0
    assert "archiving" in shown.err
    assert "4/4" in shown.err
    # stdout is a pipe here: its lines stay on stdout, not redrawn on the bar's stderr
    assert sorted(line.split()[1] for line in shown.out.splitlines()[:4]) == urls
    assert "http" not in shown.err
    quiet = cli("add", *urls)  # not a terminal: no bar by default
    assert quiet.err == ""
    assert len(quiet.out.splitlines()) == 5  # a line per URL, and the summary
