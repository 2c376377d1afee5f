"""Exports: one file per article, paths built from hostile titles stay inside the target."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archiver.errors import ArchiverError
from archiver.export import article_path, exported_files, remove_stale, slug, write_file
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite

HOSTILE = [
    "../../etc/cron.d/x",
    "/etc/passwd",
    "..",
    "a/../../b",
    "C:\\Windows\\system32",
    "name\x00with-nul",
    "😀" * 200,
    "",
    None,
]


@pytest.mark.parametrize("title", HOSTILE)
def test_paths_from_hostile_titles_stay_inside(tmp_path: Path, title: str | None) -> None:
    target = tmp_path / "out"
    path = article_path(target, site="../../evil.example", title=title, article_id=7,
                        published="../../2019-06-30", suffix=".md")  # fmt: skip
    assert path.resolve().is_relative_to(target.resolve())
    assert path.parent.parent == target
    assert all(part not in ("..", ".", "") for part in path.relative_to(target).parts)
    assert path.name.endswith("-7.md")


def test_slug() -> None:
    assert slug("Trump crosses into North Korea: 'an honor'", fallback="x") == (
        "trump-crosses-into-north-korea-an-honor"
    )
    assert slug("Über die DMZ", fallback="x") == "uber-die-dmz"
    assert slug("../..", fallback="untitled") == "untitled"
    assert len(slug("word " * 100, fallback="x")) <= 80


def test_write_refuses_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    (tmp_path / "out").mkdir()
    link = tmp_path / "out" / "a.md"
    link.symlink_to(outside)
    with pytest.raises(ArchiverError, match="symbolic link"):
        write_file(link, "overwritten")
    assert outside.read_text() == "keep"


def test_export_command_with_a_hostile_title(cli: Any, site: LocalSite, tmp_path: Path) -> None:
    body = "".join(
        f"<p>Paragraph {i} of an article whose title tries to escape the export folder.</p>"
        for i in range(8)
    )
    hostile = (
        "<html><head><title>../../etc/cron.d/x</title></head><body><article>"
        f"<h1>../../etc/cron.d/x</h1>{body}</article></body></html>"
    )
    site.set("/x", hostile)
    site.set("/y", seed_page(1, url=site.url("/y")).html)
    assert cli("add", site.url("/x"), site.url("/y")).code == 0
    target = tmp_path / "export"
    run = cli("export", str(target), "--format", "json")
    assert run.code == 0, run.err
    assert run.out.strip() == f"exported 2 articles to {target}"
    files = sorted(p for p in target.rglob("*") if p.is_file())
    assert len(files) == 2
    assert all(f.resolve().is_relative_to(target.resolve()) for f in files)
    assert not (tmp_path / "etc").exists()
    docs = [json.loads(f.read_text()) for f in files]
    assert {d["article_id"] for d in docs} == {1, 2}
    assert "../../etc/cron.d/x" in {d["title"] for d in docs}  # the hostile title was archived
    md = cli("export", str(tmp_path / "md"))
    assert md.code == 0
    assert all(p.suffix == ".md" for p in (tmp_path / "md").rglob("*.md"))


def _story(site: LocalSite, title: str) -> str:
    body = "".join(
        f"<p>Paragraph {i} of a story about the harbour, quay {i} and the boats there.</p>"
        for i in range(8)
    )
    site.set(
        "/story",
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
        "</article></body></html>",
    )
    return site.url("/story")


def test_re_export_replaces_the_file_of_a_retitled_article(
    cli: Any, site: LocalSite, tmp_path: Path
) -> None:
    url = _story(site, "Harbour reopens")
    site.set("/y", seed_page(1, url=site.url("/y")).html)
    assert cli("add", url).code == 0 and cli("add", site.url("/y")).code == 0  # ids 1, 2
    target = tmp_path / "export"
    for fmt in ("markdown", "json"):
        assert cli("export", str(target), "--format", fmt).code == 0
    first = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    (old_md,) = [p for p in first if p.name.endswith("-1.md")]
    assert "harbour-reopens" in old_md.name and len(first) == 4
    (target / "notes.txt").write_text("mine")  # not an export's name: left alone

    _story(site, "Harbour reopens after the storm")
    assert cli("add", "--json", url).json()["outcome"] == "updated"
    again = cli("export", str(target))
    assert again.code == 0, again.err
    assert again.out.strip().endswith("; removed 1 old file whose name changed")
    now = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    md = [p for p in now if p.name.endswith("-1.md")]
    assert len(md) == 1 and "harbour-reopens-after-the-storm" in md[0].name, now
    assert not (target / old_md).exists()
    assert (target / md[0]).read_text().startswith("# Harbour reopens after the storm")
    # the other format's file and the other article's stay as they were
    assert len([p for p in now if p.name.endswith("-1.json")]) == 1
    assert len([p for p in now if p.name.endswith("-2.md")]) == 1
    assert (target / "notes.txt").read_text() == "mine"
    assert len(now) == 5
    unchanged = cli("export", str(target))  # nothing renamed: nothing removed
    assert unchanged.out.strip() == f"exported 2 articles to {target}"


def test_stale_files_are_found_by_article_id_only(tmp_path: Path) -> None:
    site = tmp_path / "out" / "example-com"
    site.mkdir(parents=True)
    for name in ("2019-06-30-old-title-7.md", "undated-x-17.md", "notes-7.txt", "7.md"):
        (site / name).write_text("x")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "undated-y-7.md").write_text("keep")
    (tmp_path / "out" / "linked").symlink_to(outside, target_is_directory=True)
    found = exported_files(tmp_path / "out", ".md")
    assert {k: sorted(p.name for p in v) for k, v in found.items()} == {
        7: ["2019-06-30-old-title-7.md"], 17: ["undated-x-17.md"],
    }  # fmt: skip
    keep = site / "2019-06-30-new-title-7.md"
    assert remove_stale(found[7], keep=keep) == 1
    assert not (site / "2019-06-30-old-title-7.md").exists()
    assert (outside / "undated-y-7.md").read_text() == "keep"
    assert exported_files(tmp_path / "missing", ".md") == {}
