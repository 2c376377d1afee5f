"""list / search / show formats / extract against an archive of the seed pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fixtures.seedpages import seed_ids, seed_page
from tests.localsite import LocalSite

SUMMARY_KEYS = {"article_id", "url", "site", "title", "published", "versions",
                "first_seen", "last_checked"}  # fmt: skip


def _archive_seeds(cli: Any, site: LocalSite) -> list[dict[str, Any]]:
    urls = []
    for n in seed_ids():
        site.set(f"/news/{n}", seed_page(n, url=site.url(f"/news/{n}")).html)
        urls.append(site.url(f"/news/{n}"))
    done: list[dict[str, Any]] = cli("add", "--json", *urls).json_lines()
    rows = sorted(done, key=lambda r: urls.index(r["url"]))  # they come as they finish
    assert [r["outcome"] for r in rows] == ["new"] * len(urls)
    return rows


def test_list_newest_first_with_filters(cli: Any, site: LocalSite) -> None:
    rows = _archive_seeds(cli, site)
    listed = cli("list", "--jsonl").json_lines()
    assert len(listed) == 4
    assert set(listed[0]) == SUMMARY_KEYS
    firsts = [r["first_seen"] for r in listed]
    assert firsts == sorted(firsts, reverse=True)
    assert {r["article_id"] for r in listed} == {r["article_id"] for r in rows}
    assert len(cli("list", "--jsonl", "--limit", "2").json_lines()) == 2
    assert len(cli("list", "--jsonl", "--site", "127.0.0.1").json_lines()) == 4
    assert cli("list", "--jsonl", "--site", "example.com").json_lines() == []
    assert cli("list", "--jsonl", "--since", "2999-01-01").json_lines() == []
    assert len(cli("list", "--jsonl", "--since", "2000-01-01").json_lines()) == 4
    text = cli("list")
    assert text.code == 0 and len(text.out.splitlines()) == 4


def test_search_ranks_and_marks_snippets(cli: Any, site: LocalSite) -> None:
    _archive_seeds(cli, site)
    hits = cli("search", "--jsonl", "kim jong un").json_lines()
    assert len(hits) >= 3
    assert all("snippet" in h and "rank" in h for h in hits)
    assert any("Kim" in h["snippet"] for h in hits)
    only = cli("search", "--jsonl", "Occidental").json_lines()
    assert only == []  # author bio is junk: it must not be indexed either
    dmz = cli("search", "--jsonl", "binoculars").json_lines()
    assert len(dmz) == 1 and "binoculars" in dmz[0]["snippet"]
    plain = cli("search", "binoculars")
    assert "[binoculars]" in plain.out
    for weird in ('"', "AND OR", "*", 'kim"jong', "NEAR(", "-"):
        assert cli("search", weird).code == 0, weird


def test_show_formats(cli: Any, site: LocalSite) -> None:
    row = _archive_seeds(cli, site)[1]
    ref = str(row["article_id"])
    text = cli("show", ref)
    assert text.code == 0 and text.out.startswith("Trump invites North Korea")
    md = cli("show", ref, "--format", "markdown")
    assert md.out.startswith("# Trump invites North Korea") and "- **URL:**" in md.out
    assert cli("show", ref, "--format", "json").json()["article_id"] == row["article_id"]


def test_extract_stores_nothing(cli: Any, site: LocalSite, tmp_path: Path) -> None:
    page = seed_page(0, url="https://example.com/x")
    saved = tmp_path / "page.html"
    saved.write_text(page.html)
    site.set("/live", page.html)
    from_file = cli("extract", "--json", str(saved)).json()
    from_url = cli("extract", "--json", site.url("/live")).json()
    assert from_file["text"] == from_url["text"]
    assert from_file["title"] == page.title
    assert all(" ".join(p.split()) in " ".join(from_file["text"].split()) for p in page.paragraphs)
    assert cli("list", "--jsonl").json_lines() == []
    missing = cli("extract", str(tmp_path / "nope.html"))
    assert missing.code == 2 and "no such file" in missing.err
