"""No surprise archives: read commands never create one; --home and config files point at one."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite

NEEDS_AN_ARCHIVE = [
    ["status"], ["list"], ["show", "1"], ["search", "kim"], ["diff", "1"], ["history", "1"],
    ["export", "out"], ["export", "-", "--format", "jsonl"], ["source", "list"],
    ["source", "remove", "x"], ["source", "pause", "x"], ["source", "resume", "x"],
    ["status", "--json"], ["list", "--json"], ["reextract", "--all"],
]  # fmt: skip


@pytest.mark.parametrize("args", NEEDS_AN_ARCHIVE, ids=" ".join)
def test_read_commands_never_create_an_archive(
    cli: Callable[..., Run], archiver_env: Path, tmp_path: Path, args: list[str]
) -> None:
    run = cli(*args)
    assert run.code == 1, run.err
    line = run.one_error_line()
    assert f"no archive at {archiver_env.resolve()} (no archiver.db there)" in line
    assert "--home DIR" in line and "ARCHIVER_HOME" in line
    assert run.out == ""
    assert not archiver_env.exists()
    assert not (tmp_path / "out").exists()


def test_a_missing_sqlite_database_url_is_named(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'gone' / 'news.db'}"
    monkeypatch.setenv("ARCHIVER_DATABASE_URL", url)
    run = cli("list")
    assert run.code == 1
    assert f"no archive at {url} (no such file)" in run.one_error_line()
    assert not (tmp_path / "gone").exists()


def test_writers_still_start_an_archive(cli: Callable[..., Run], archiver_env: Path) -> None:
    added = cli("source", "add", "https://example.com/feed", "--kind", "feed", "--every", "1h")
    assert added.code == 0, added.err
    assert (archiver_env / "archiver.db").is_file()
    assert cli("list").code == 0 and cli("status").code == 0


def _archive_one(cli: Callable[..., Run], site: LocalSite, *global_args: str) -> str:
    site.set("/news/1", seed_page(1, url=site.url("/news/1")).html)
    added = cli(*global_args, "add", site.url("/news/1"))
    assert added.code == 0, added.err
    return site.url("/news/1")


def listed(cli: Callable[..., Run], *global_args: str) -> list[str]:
    run = cli(*global_args, "list", "--json")
    assert run.code == 0, run.err
    return [row["url"] for row in json.loads(run.out)]


def test_home_option_points_at_an_archive(
    cli: Callable[..., Run], site: LocalSite, archiver_env: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other-archive"
    url = _archive_one(cli, site, "--home", str(other))
    assert (other / "archiver.db").is_file() and not archiver_env.exists()
    assert listed(cli, "--home", str(other)) == [url]
    assert cli("list").code == 1  # ARCHIVER_HOME still names the empty place
    assert not archiver_env.exists()


def test_user_config_file_is_found_from_any_directory(
    cli: Callable[..., Run], site: LocalSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """~/.config/archiver/archiver.toml names the archive: found wherever the command runs."""
    archive = tmp_path / "news"
    url = _archive_one(cli, site, "--home", str(archive))
    monkeypatch.delenv("ARCHIVER_HOME")
    (tmp_path / "xdg" / "archiver").mkdir(parents=True)
    (tmp_path / "xdg" / "archiver" / "archiver.toml").write_text(f'home = "{archive}"\n')
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    assert listed(cli) == [url]
    assert list(elsewhere.iterdir()) == []


def test_the_data_directory_config_file_is_read(
    cli: Callable[..., Run], site: LocalSite, tmp_path: Path
) -> None:
    """DIR/archiver.toml is the archive's own config: here it names the database to use."""
    database = tmp_path / "db" / "kept-apart.db"
    url = _archive_one(cli, site, "--home", str(tmp_path / "db"))
    (tmp_path / "db" / "archiver.db").rename(database)
    home = tmp_path / "pointer"
    home.mkdir()
    (home / "archiver.toml").write_text(f'database_url = "sqlite:///{database}"\n')
    assert listed(cli, "--home", str(home)) == [url]
