"""Exports: one file per article, paths built from hostile titles stay inside the target."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archiver.errors import ArchiverError
from archiver.export import article_path, slug, write_file
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
