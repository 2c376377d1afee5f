"""``archiver source ...`` and ``archiver status``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.daemon.newssite import NewsSite
from tests.localsite import LocalSite

SOURCE_KEYS = {
    "name", "kind", "url", "every", "cron", "include", "exclude", "paused", "origin", "created",
    "last_poll", "last_success", "last_error", "last_error_at", "consecutive_failures",
    "articles_found", "articles_new", "articles", "links_skipped", "skipped",
}  # fmt: skip


def test_source_lifecycle(cli: Any) -> None:
    added = cli("source", "add", "https://example.com/rss.xml", "--kind", "feed", "--every", "15m",
                "--json")  # fmt: skip
    assert added.code == 0, added.err
    row = added.json()
    assert set(row) == SOURCE_KEYS
    assert (row["name"], row["every"], row["paused"], row["origin"]) == (
        "example.com", 900.0, False, "cli",
    )  # fmt: skip
    sitemap = ("https://example.com/sitemap.xml", "--kind", "sitemap", "--cron", "*/10 * * * *")
    assert cli("source", "add", *sitemap, "--name", "sm", "--exclude", "/video/").code == 0
    listed = cli("source", "list", "--jsonl").json_lines()
    assert [s["name"] for s in listed] == ["example.com", "sm"]
    assert listed[1]["cron"] == "*/10 * * * *"
    assert listed[1]["exclude"] == "/video/"
    assert cli("source", "pause", "sm").code == 0
    assert cli("source", "list", "--jsonl").json_lines()[1]["paused"] is True
    assert cli("source", "resume", "sm").code == 0
    assert cli("source", "list", "--jsonl").json_lines()[1]["paused"] is False
    assert cli("source", "remove", "sm").code == 0
    assert [s["name"] for s in cli("source", "list", "--jsonl").json_lines()] == ["example.com"]
    text = cli("source", "list")
    assert "every 15m" in text.out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--kind", "feed", "--every", "soon"], "not a duration"),
        (["--kind", "feed", "--every", "0s"], "positive"),
        (["--kind", "feed", "--cron", "every day"], "invalid cron expression"),
        (["--kind", "feed", "--cron", "61 * * * *"], "invalid cron expression"),
        (["--kind", "feed"], "exactly one schedule"),
        (["--kind", "feed", "--every", "1h", "--cron", "* * * * *"], "exactly one schedule"),
        (["--kind", "feed", "--every", "1h", "--include", "("], "--include: invalid regular"),
        (["--kind", "feed", "--every", "1h", "--exclude", "[a-"], "--exclude: invalid regular"),
        (["--kind", "podcast", "--every", "1h"], "--kind"),
    ],
)
def test_source_add_rejects_bad_input(cli: Any, args: list[str], needle: str) -> None:
    run = cli("source", "add", "https://example.com/rss.xml", *args)
    assert run.code == 2, run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1
    assert needle in lines[0]
    assert cli("source", "list", "--jsonl").json_lines() == []


def test_source_errors(cli: Any) -> None:
    assert cli("source", "add", "javascript:alert(1)", "--kind", "url", "--every", "1h").code == 2
    cli("source", "add", "https://example.com/", "--kind", "page", "--every", "1h")
    dup = cli("source", "add", "https://example.com/", "--kind", "page", "--every", "1h")
    assert dup.code == 2
    assert "already exists" in dup.err
    for verb in ("remove", "pause", "resume", "run"):
        run = cli("source", verb, "nope")
        assert run.code == 1, verb
        assert "no source named 'nope'" in run.err


def test_source_run_and_status(cli: Any, site: LocalSite) -> None:
    news = NewsSite(site)
    news.publish("one", 0)
    news.publish("two", 1)
    cli("source", "add", news.url("/rss.xml"), "--kind", "feed", "--every", "1h", "--name", "n")
    run = cli("source", "run", "n", "--json")
    assert run.code == 0, run.err
    assert run.json() == {"source": "n", "found": 2, "new": 2, "failed": 0, "unchanged": False,
                          "error": None, "warnings": [], "failures": [], "skipped": []}  # fmt: skip
    again = cli("source", "run", "n", "--json").json()
    assert (again["found"], again["new"]) == (0, 0)
    assert again["unchanged"] is True
    status = cli("status", "--json").json()
    assert (status["articles"], status["versions"]) == (2, 2)
    (src,) = status["sources"]
    assert (src["articles"], src["articles_new"], src["consecutive_failures"]) == (2, 0, 0)
    assert src["last_success"] is not None
    site.set("/rss.xml", "gone", status=500)
    failed = cli("source", "run", "n")
    assert failed.code == 1
    assert "HTTP 500" in failed.err
    src = cli("status", "--json").json()["sources"][0]
    assert src["consecutive_failures"] == 1
    assert "HTTP 500" in src["last_error"]
    assert "failing x1" in cli("status").out


def test_source_run_progress(cli: Any, site: LocalSite) -> None:
    news = NewsSite(site)
    news.publish("one", 0)
    cli("source", "add", news.url("/rss.xml"), "--kind", "feed", "--every", "1h", "--name", "n")
    run = cli("source", "run", "n", "--progress")
    assert run.code == 0, run.err
    assert "polling n" in run.err
    line, poll = run.out.splitlines()
    assert line.split()[:2] == ["new", news.url("/news/2026/11/one")]
    assert re.fullmatch(r"n: 1 found, 1 new, 0 failed in \d+\.\d s", poll), poll
