"""Sources: specs from the CLI and sources.toml, poll health, change detection, status."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from archiver.errors import InputError, NotFoundError, StoreError
from archiver.store import SourceSpec, Store
from archiver.store.engine import begin_write, make_engine
from archiver.store.migrate import alembic_config, schema_diff, upgrade
from archiver.store.models import UTCDateTime
from tests.store.factories import at, capture, content, html, record

FEED = "https://news.example/feed.xml"


def spec(name: str = "example", **kw: object) -> SourceSpec:
    fields: dict[str, object] = {
        "kind": "feed",
        "url": FEED,
        "every_seconds": 900.0,
        "cron": None,
        "include": None,
        "exclude": None,
    }
    fields.update(kw)
    return SourceSpec(name=name, **fields)  # type: ignore[arg-type]


def record_from(store: Store, source_id: int | None, url: str, text: str, minutes: int = 0) -> int:
    return store.record(
        capture(url, minutes=minutes, source_id=source_id),
        html(text),
        urls=(url,),
        canonical_url=url,
        site="news.example",
        content=content(text),
    ).article_id


def test_add_get_and_list_sources(store: Store) -> None:
    b = store.add_source(spec("bbb", kind="sitemap", every_seconds=None, cron="0 * * * *"))
    a = store.add_source(spec("aaa", include="/2024/", exclude="/video/"))
    assert [s.name for s in store.sources()] == ["aaa", "bbb"]
    assert store.source("aaa") == a
    assert a.spec == spec("aaa", include="/2024/", exclude="/video/")
    assert b.spec == spec("bbb", kind="sitemap", every_seconds=None, cron="0 * * * *")
    assert (a.origin, a.paused, a.article_count) == ("cli", False, 0)
    assert a.created_at == a.updated_at and a.created_at.tzinfo is UTC
    assert a.updated_at > b.updated_at  # stamps strictly increase
    assert (a.last_poll_at, a.last_success_at, a.last_error, a.last_error_at) == (None,) * 4
    assert (a.consecutive_failures, a.articles_found, a.articles_new, a.total_new) == (
        0,
        None,
        None,
        0,
    )
    assert (a.etag, a.last_modified, a.body_hash) == (None, None, None)
    assert store.add_source(spec("ccc"), origin="file").origin == "file"


def test_duplicate_name_is_refused(store: Store) -> None:
    store.add_source(spec("example"))
    with pytest.raises(InputError, match="source 'example' already exists"):
        store.add_source(spec("example", url="https://other.example/feed"))
    assert [s.url for s in store.sources()] == [FEED]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (spec("x", kind="rss"), "unknown kind 'rss'"),
        (spec("  "), "needs a name"),
        (spec("x", url=""), "needs a URL"),
        (spec("x", every_seconds=0.2), "at least 1 second"),
        (spec("x", every_seconds=float("inf")), "at least 1 second"),
    ],
)
def test_invalid_specs_are_refused(store: Store, bad: SourceSpec, message: str) -> None:
    with pytest.raises(InputError, match=message):
        store.add_source(bad)
    with pytest.raises(InputError, match=message):
        store.sync_sources([bad])
    assert store.sources() == []


def test_unknown_origin_is_refused(store: Store) -> None:
    with pytest.raises(InputError, match="unknown source origin"):
        store.add_source(spec(), origin="web")


def test_every_seconds_is_kept_in_whole_seconds(store: Store) -> None:
    assert store.add_source(spec(every_seconds=90.4)).every_seconds == 90.0
    assert store.sync_sources([spec(every_seconds=90.4)]) == (0, 1)  # origin becomes 'file'
    assert store.sync_sources([spec(every_seconds=90.4)]) == (0, 0)


def test_unknown_name_is_not_found(store: Store) -> None:
    for call in (
        lambda: store.source("nope"),
        lambda: store.remove_source("nope"),
        lambda: store.set_paused("nope", True),
    ):
        with pytest.raises(NotFoundError, match="no source named 'nope'"):
            call()


def test_pause_and_resume(store: Store) -> None:
    added = store.add_source(spec())
    paused = store.set_paused("example", True)
    assert paused.paused and paused.updated_at > added.updated_at
    again = store.set_paused("example", True)  # no change, no bump
    assert again.updated_at == paused.updated_at
    resumed = store.set_paused("example", False)
    assert not resumed.paused and resumed.updated_at > paused.updated_at
    assert store.source("example") == resumed


def test_articles_count_per_source_and_survive_its_removal(store: Store) -> None:
    src = store.add_source(spec())
    other = store.add_source(spec("other"))
    first = record_from(store, src.id, "https://news.example/1", "one")
    record_from(store, src.id, "https://news.example/2", "two")
    record_from(store, None, "https://news.example/3", "three")
    record_from(store, other.id, "https://news.example/1", "one", minutes=5)  # not new
    assert {s.name: s.article_count for s in store.sources()} == {"example": 2, "other": 0}
    assert store.source("example").article_count == 2

    store.remove_source("example")
    assert [s.name for s in store.sources()] == ["other"]
    assert store.counts() == {"articles": 3, "versions": 3, "captures": 4, "bodies": 3}
    assert [c.source_id for c in store.captures(first)] == [other.id, None]
    assert store.article(first).latest.text == "one"
    # The name is free again; the new source starts with no articles.
    assert store.add_source(spec()).article_count == 0


def test_capture_from_a_removed_source_is_recorded_unlinked(store: Store) -> None:
    gone = store.add_source(spec()).id
    store.remove_source("example")
    article_id = record_from(store, gone, "https://news.example/1", "one")
    assert store.captures(article_id)[0].source_id is None
    store.record_failure(capture("https://news.example/x", error="boom", source_id=gone))
    unchanged = store.record_unchanged(
        article_id, capture("https://news.example/1", source_id=gone)
    )
    assert store.captures(article_id)[0].id == unchanged.capture_id


def test_sync_adds_updates_and_leaves_unchanged_alone(store: Store) -> None:
    assert store.sync_sources([spec("a"), spec("b")]) == (2, 0)
    a, b = store.sources()
    assert (a.origin, b.origin) == ("file", "file")
    assert store.sync_sources([spec("a"), spec("b")]) == (0, 0)
    assert store.sources() == [a, b]  # updated_at untouched by a no-op

    assert store.sync_sources([spec("a", url="https://news.example/new.xml"), spec("b")]) == (0, 1)
    a2, b2 = store.sources()
    assert a2.url == "https://news.example/new.xml"
    assert a2.updated_at > a.updated_at and a2.created_at == a.created_at
    assert b2 == b
    assert store.sync_sources([]) == (0, 0)
    assert len(store.sources()) == 2  # sources missing from the file are left alone


def test_the_file_wins_for_the_names_it_lists(store: Store) -> None:
    store.add_source(spec("mine", url="https://cli.example/feed"))
    store.set_paused("mine", True)
    store.add_source(spec("cli-only"))
    assert store.sync_sources([spec("mine", every_seconds=60.0)]) == (0, 1)
    mine = store.source("mine")
    assert mine.spec == spec("mine", every_seconds=60.0)  # paused False comes from the file
    assert mine.origin == "file"
    assert store.source("cli-only").origin == "cli"
    assert store.sync_sources([spec("mine", every_seconds=60.0, paused=True)]) == (0, 1)
    assert store.source("mine").paused


def test_sync_refuses_a_name_listed_twice(store: Store) -> None:
    with pytest.raises(InputError, match="source 'a' is listed more than once"):
        store.sync_sources([spec("a"), spec("b"), spec("a", url="https://x.example/")])
    assert store.sources() == []


def test_fingerprint_follows_spec_changes_not_polls(store: Store) -> None:
    assert store.sources_fingerprint() == (0, None)
    src = store.add_source(spec())
    first = store.sources_fingerprint()
    assert first == (1, src.updated_at)
    store.record_poll(src.id, at=at(1), found=3, new=2, error=None, etag='"x"')
    store.record_poll(src.id, at=at(2), found=0, new=0, error="HTTP 503")
    assert store.sources_fingerprint() == first
    paused = store.set_paused("example", True)
    assert store.sources_fingerprint() == (1, paused.updated_at) != first
    before_sync = store.sources_fingerprint()
    store.sync_sources([spec("other")])
    after_sync = store.sources_fingerprint()
    assert after_sync[0] == 2 and after_sync[1] is not None and before_sync[1] is not None
    assert after_sync[1] > before_sync[1]
    store.remove_source("other")
    assert store.sources_fingerprint()[0] == 1


def test_record_poll_tracks_health_and_validators(store: Store) -> None:
    src = store.add_source(spec())
    store.record_poll(
        src.id,
        at=at(10),
        found=20,
        new=5,
        error=None,
        etag='"v1"',
        last_modified="Wed, 01 May 2024 12:00:00 GMT",
        body_hash="a" * 64,
    )
    ok = store.source("example")
    assert (ok.last_poll_at, ok.last_success_at) == (at(10), at(10))
    assert (ok.articles_found, ok.articles_new, ok.total_new) == (20, 5, 5)
    assert (ok.etag, ok.last_modified, ok.body_hash) == (
        '"v1"',
        "Wed, 01 May 2024 12:00:00 GMT",
        "a" * 64,
    )

    store.record_poll(src.id, at=at(20), found=0, new=0, error="timed out")
    store.record_poll(src.id, at=at(30), found=0, new=0, error="HTTP 503")
    failing = store.source("example")
    assert (failing.last_poll_at, failing.last_success_at) == (at(30), at(10))
    assert (failing.last_error, failing.last_error_at) == ("HTTP 503", at(30))
    assert failing.consecutive_failures == 2
    assert (failing.articles_found, failing.articles_new, failing.total_new) == (20, 5, 5)
    assert failing.etag == '"v1"'

    store.record_poll(src.id, at=at(40), found=20, new=0, error=None)  # a 304: no validators
    recovered = store.source("example")
    assert (recovered.last_success_at, recovered.consecutive_failures) == (at(40), 0)
    assert (recovered.articles_found, recovered.articles_new, recovered.total_new) == (20, 0, 5)
    assert (recovered.etag, recovered.body_hash) == ('"v1"', "a" * 64)
    assert (recovered.last_error, recovered.last_error_at) == ("HTTP 503", at(30))
    store.record_poll(src.id, at=at(50), found=21, new=1, error=None, etag='"v2"')
    newer = store.source("example")
    assert (newer.etag, newer.body_hash, newer.total_new) == ('"v2"', "a" * 64, 6)
    assert newer.updated_at == src.updated_at


def test_record_poll_of_unknown_source_or_naive_time(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no source with id 999"):
        store.record_poll(999, at=at(0), found=0, new=0, error=None)
    src = store.add_source(spec())
    with pytest.raises(StoreError, match="naive"):
        store.record_poll(src.id, at=at(0).replace(tzinfo=None), found=0, new=0, error=None)


def test_known_urls_in_batches(store: Store) -> None:
    known = {f"https://news.example/{i}" for i in range(0, 1200, 100)}
    for url in known:
        record(store, url, f"text of {url}")
    alias = "https://news.example/amp/0"
    record(store, alias, "text of https://news.example/0", canonical="https://news.example/0")
    asked = [f"https://news.example/{i}" for i in range(1200)] + [alias, alias]
    assert store.known_urls(asked) == known | {alias}
    assert store.known_urls([]) == set()
    assert store.known_urls(["https://unknown.example/"]) == set()


def test_status_counts_sources_and_due_checks(store: Store) -> None:
    empty = store.status()
    assert (empty.articles, empty.versions, empty.captures, empty.bodies) == (0, 0, 0, 0)
    assert (empty.sources, empty.due_checks) == ([], 0)
    src = store.add_source(spec())
    for i in range(3):
        store.record(
            capture(f"https://news.example/{i}", minutes=i, source_id=src.id),
            html(str(i)),
            urls=(),
            canonical_url=f"https://news.example/{i}",
            site="news.example",
            content=content(str(i)),
            ladder=(3600.0,),
        )
    status = store.status(now=at(61))
    assert (status.articles, status.versions, status.captures, status.bodies) == (3, 3, 3, 3)
    assert status.sources == store.sources() and status.sources[0].article_count == 3
    assert status.due_checks == 2
    assert store.status().due_checks == 3  # now: long after 2024


def _insert_pre_0002_rows(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0001")
        source = sa.table(
            "source",
            *(sa.column(n) for n in ("name", "kind", "url", "every_seconds", "paused")),
            sa.column("created_at", UTCDateTime()),
        )
        article = sa.table(
            "article",
            *(sa.column(n) for n in ("canonical_url", "site", "version_count", "source_id")),
            sa.column("first_seen", UTCDateTime()),
            sa.column("last_checked", UTCDateTime()),
        )
        with begin_write(engine) as conn:
            conn.execute(
                source.insert().values(
                    name="old",
                    kind="feed",
                    url=FEED,
                    every_seconds=600,
                    paused=False,
                    created_at=at(0),
                )
            )
            conn.execute(
                article.insert().values(
                    canonical_url="https://news.example/old",
                    site="news.example",
                    version_count=0,
                    source_id=1,
                    first_seen=at(0),
                    last_checked=at(0),
                )
            )
    finally:
        engine.dispose()


def test_migration_0002_gives_existing_rows_defaults_and_downgrades(db_url: str) -> None:
    _insert_pre_0002_rows(db_url)
    with Store(db_url) as store:
        old = store.source("old")
        assert (old.origin, old.created_at, old.updated_at) == ("cli", at(0), at(0))
        assert (old.consecutive_failures, old.total_new, old.articles_found) == (0, 0, None)
        assert (old.every_seconds, old.article_count) == (600.0, 1)
        assert store.due_checks(at(0) + timedelta(days=3650), 10) == []
        assert store.add_source(spec("new")).updated_at > old.updated_at
        assert store.sources_fingerprint()[0] == 2
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert schema_diff(conn) == []
        with begin_write(engine) as conn:
            command.downgrade(alembic_config(conn), "0001")
        with engine.connect() as conn:
            names = {c["name"] for c in sa.inspect(conn).get_columns("source")}
            assert "updated_at" not in names and "name" in names
            assert conn.execute(sa.text("SELECT count(*) FROM source")).scalar_one() == 2
    finally:
        engine.dispose()
    with Store(db_url) as store:  # and up again
        assert [s.name for s in store.sources()] == ["new", "old"]
