"""Every command, fed bad input: one clear line on stderr, exit 2 (usage) or 1, no traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

READ_COMMANDS = [["show", "{}"], ["history", "{}"], ["diff", "{}"]]
EVERY_COMMAND = [
    ["add", "https://example.com/a"], ["show", "1"], ["history", "1"], ["diff", "1"], ["list"],
    ["search", "kim"], ["extract", "https://example.com/a"], ["status"], ["source", "list"],
    ["source", "add", "https://example.com/rss", "--kind", "feed", "--every", "1h"],
    ["source", "remove", "x"], ["source", "pause", "x"], ["source", "resume", "x"],
    ["source", "run", "x"], ["export", "out"], ["run"],
]  # fmt: skip


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("archiver: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["add", "ht!tp://example.com"], ["add", "://nothing"], ["add", "data:text/html,hi"],
        ["show", "not a url"], ["history", "::"], ["diff", "http://"],
        ["extract", "no-such-file-and-not-a-url"],
        ["source", "add", "nope", "--kind", "feed", "--every", "1h"],
        ["source", "add", "file:///etc/passwd", "--kind", "url", "--every", "1h"],
        ["source", "add", "https://example.com/", "--kind", "feed", "--every", "5 minutes"],
        ["source", "add", "https://example.com/", "--kind", "feed", "--every", "-1h"],
        ["source", "add", "https://example.com/", "--kind", "feed", "--cron", "* * *"],
        ["source", "add", "https://example.com/", "--kind", "feed", "--cron", "0 25 * * *"],
        ["source", "add", "https://example.com/", "--kind", "page", "--every", "1h",
         "--include", "(?P<"],
        ["source", "add", "https://example.com/", "--kind", "page", "--every", "1h",
         "--exclude", "*x"],
        ["list", "--since", "last tuesday"], ["list", "--limit", "-3"],
        ["diff", "1", "--from", "0"],
        ["show", "1", "--version", "zero"], ["search", ""], ["export"], ["add", "--frobnicate"],
    ],
)  # fmt: skip
def test_usage_errors(cli: Any, args: list[str]) -> None:
    run = cli(*args)
    assert run.code == 2, (args, run.err)
    _one_line(run.err)


@pytest.mark.parametrize("args", [[*a[:1], "999", *a[2:]] for a in READ_COMMANDS])
def test_unknown_ids(cli: Any, args: list[str]) -> None:
    from archiver.config import load_settings
    from archiver.store import Store

    Store(load_settings().db_url).close()  # an empty archive: without one, "no archive at"
    run = cli(*args)
    assert run.code == 1
    assert "no archived article matches" in _one_line(run.err)


def test_unknown_version(cli: Any, archiver_env: Path) -> None:
    from archiver.config import load_settings
    from archiver.store import Store
    from tests.store.factories import record

    with Store(load_settings().db_url) as store:
        record(store, "https://example.com/a", "text")
    for args in (["show", "1", "--version", "7"], ["diff", "1", "--from", "1", "--to", "7"]):
        run = cli(*args)
        assert run.code == 1
        assert "version 7" in _one_line(run.err)


@pytest.mark.parametrize("args", EVERY_COMMAND, ids=lambda a: " ".join(a[:2]))
def test_unreadable_config(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    folder = tmp_path / "config-is-a-directory"
    folder.mkdir()
    monkeypatch.setenv("ARCHIVER_CONFIG", str(folder))
    run = cli(*args)
    assert run.code == 1
    line = _one_line(run.err)
    assert str(folder) in line
    assert "cannot read config file" in line
