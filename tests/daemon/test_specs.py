"""Source specs from the CLI and from config/sources.toml, and first-run planning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archiver.daemon.jobs import _trigger, first_run
from archiver.errors import ConfigError, InputError
from archiver.records.articles import SourceView
from archiver.sources.file import load_sources_file
from archiver.sources.specs import make_spec

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_make_spec_normalizes_and_names() -> None:
    spec = make_spec("HTTPS://www.Example.com/rss?utm_source=x", kind="feed", every="15m")
    assert (spec.name, spec.url, spec.every_seconds) == (
        "example.com", "https://www.example.com/rss", 900.0,
    )  # fmt: skip
    with pytest.raises(InputError, match="one word"):
        make_spec("https://example.com/", kind="page", every="1h", name="two words")


def test_sources_file(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    assert load_sources_file(path) == []
    path.write_text(
        '[[source]]\nname = "a"\nkind = "feed"\nurl = "https://example.com/rss"\nevery = "1h"\n'
        '[[source]]\nkind = "page"\nurl = "https://example.org/"\ncron = "0 * * * *"\n'
        'include = "/news/"\npaused = true\n'
    )
    a, b = load_sources_file(path)
    assert (a.name, a.every_seconds) == ("a", 3600.0)
    assert (b.name, b.cron, b.include, b.paused) == ("example.org", "0 * * * *", "/news/", True)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('[[source]]\nkind = "feed"\nurl = "https://example.com/"\nevery = "1h"\ncolour = 1\n',
         "source[0]: unknown key 'colour'"),
        ('[[source]]\nkind = "feed"\nurl = "https://example.com/"\nevery = 5\npaused = "no"\n',
         "source[0].paused: expected bool, got str"),
        ('[[source]]\nkind = "feed"\nevery = "1h"\n', "missing key 'url'"),
        ('[[source]]\nkind = "feed"\nurl = "https://example.com/"\nevery = "often"\n',
         "not a duration"),
        ('[[source]]\nkind = "feed"\nurl = "https://example.com/"\nevery = "1h"\n' * 2,
         "declared twice"),
        ("[source]\nkind = 1\n", "array of tables"),
        ("sources = []\n", "unknown key 'sources'"),
        ("[[source]\n", "invalid TOML"),
    ],
)  # fmt: skip
def test_sources_file_errors_name_file_and_key(tmp_path: Path, body: str, needle: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=r"sources\.toml") as info:
        load_sources_file(path)
    assert needle in str(info.value)


def _view(every: float | None = None, cron: str | None = None,
          last: datetime | None = None) -> SourceView:  # fmt: skip
    return SourceView(
        id=1, name="s", kind="feed", url="https://example.com/", every_seconds=every, cron=cron,
        include=None, exclude=None, paused=False, origin="cli", created_at=NOW, updated_at=NOW,
        last_poll_at=last, last_success_at=last, last_error=None, last_error_at=None,
        consecutive_failures=0, articles_found=0, articles_new=0, total_new=0, article_count=0,
        etag=None, last_modified=None, body_hash=None,
    )  # fmt: skip


def test_first_run_polls_once_after_downtime_and_waits_otherwise() -> None:
    never = _view(every=600)
    assert first_run(never, _trigger(never), NOW) == NOW
    day_ago = _view(every=600, last=NOW - timedelta(days=1))
    assert first_run(day_ago, _trigger(day_ago), NOW) == NOW
    recent = _view(every=600, last=NOW - timedelta(minutes=4))
    assert first_run(recent, _trigger(recent), NOW) == NOW + timedelta(minutes=6)
    cron_missed = _view(cron="0 * * * *", last=NOW - timedelta(hours=3))
    assert first_run(cron_missed, _trigger(cron_missed), NOW) == NOW
    half_past = NOW + timedelta(minutes=30)
    cron_recent = _view(cron="0 * * * *", last=half_past - timedelta(minutes=1))
    assert first_run(cron_recent, _trigger(cron_recent), half_past) == NOW + timedelta(hours=1)
    on_the_tick = _view(cron="0 * * * *", last=NOW - timedelta(minutes=1))
    assert first_run(on_the_tick, _trigger(on_the_tick), NOW) == NOW  # 12:00 is due now
