"""``archiver export --format jsonl``: one line per version, every version, ``show`` keys."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.stories import EDIT, add_ok, serve_story
from tests.localsite import LocalSite

SHOW_KEYS = {
    "article_id", "url", "aliases", "title", "authors", "published", "modified", "site",
    "site_name", "language", "description", "text", "version", "versions",
    "version_created", "first_seen", "last_checked",
}  # fmt: skip


def archive_two(cli: Any, site: LocalSite) -> tuple[str, str]:
    """An article with two versions and one with one."""
    harbour = serve_story(site, "/news/harbour", "Harbour report")
    add_ok(cli, harbour, "new")
    serve_story(site, "/news/harbour", "Harbour report", edit=EDIT)
    add_ok(cli, harbour, "updated")
    mill = serve_story(site, "/news/mill", "Mill closure")
    add_ok(cli, mill, "new")
    return harbour, mill


def test_every_version_is_a_line_with_the_show_keys(
    cli: Any, site: LocalSite, tmp_path: Path
) -> None:
    harbour, mill = archive_two(cli, site)
    run = cli("export", "-", "--format", "jsonl")
    assert run.code == 0, run.err
    assert run.err.strip() == "exported 3 versions to standard output"
    rows = [json.loads(line) for line in run.out.splitlines()]
    assert len(rows) == 3 and all(set(r) == SHOW_KEYS for r in rows)
    by = {(r["url"], r["version"]): r for r in rows}
    assert set(by) == {(harbour, 1), (harbour, 2), (mill, 1)}
    assert EDIT in by[harbour, 2]["text"] and EDIT not in by[harbour, 1]["text"]
    assert by[harbour, 1]["version_created"] < by[harbour, 2]["version_created"]
    assert {r["versions"] for r in rows if r["url"] == harbour} == {2}
    # each line is what `show --json --version N` says of that version, plus nothing
    shown = cli("show", harbour, "--version", "1", "--json").json()
    # near_duplicates (syndication clusters) relates the article's current text, not a version
    assert by[harbour, 1] == {k: v for k, v in shown.items() if k != "near_duplicates"}


def test_to_a_file_with_filters_and_jq(cli: Any, site: LocalSite, tmp_path: Path) -> None:
    harbour, _ = archive_two(cli, site)
    target = tmp_path / "out"
    run = cli("export", str(target), "--format", "jsonl", "--site", "127.0.0.1")
    assert run.code == 0, run.err
    assert run.out.strip() == f"exported 3 versions to {target / 'archive.jsonl'}"
    assert [p.name for p in target.iterdir()] == ["archive.jsonl"]  # no temporary file left
    assert cli("export", str(target), "--format", "jsonl", "--site", "other.example").code == 0
    assert (target / "archive.jsonl").read_text() == ""  # replaced: nothing matches
    assert cli("export", str(target), "--format", "jsonl", "--since", "2000-01-01").code == 0
    jq = shutil.which("jq")
    if jq is None:
        pytest.skip("jq is not installed")
    out = subprocess.run(
        [jq, "-r", "select(.version == 2) | .url"], input=(target / "archive.jsonl").read_text(),
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert out.split() == [harbour]


def test_per_article_formats_refuse_standard_output(cli: Any, site: LocalSite) -> None:
    archive_two(cli, site)
    run = cli("export", "-", "--format", "markdown")
    assert run.code == 2
    assert "give a directory" in run.one_error_line()
