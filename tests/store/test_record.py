"""Recording captures: outcomes, versions, aliases, bodies, atomicity, time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Connection, text

from archiver.errors import NotFoundError, StoreError
from archiver.store import CaptureIn, Store, search
from archiver.store.bodies import pack, sha256_hex, unpack
from tests.store.factories import at, capture, content, html, record

A = "https://news.example/2024/05/story"
A_AMP = "https://news.example/amp/2024/05/story"
A_SHORT = "https://nws.example/x1"


def test_first_record_creates_article_with_version_1(store: Store) -> None:
    result = record(store, A, "The first text.")
    assert (result.outcome, result.version) == ("new", 1)
    article = store.article(result.article_id)
    assert article.canonical_url == A
    assert article.site == "news.example"
    assert article.aliases == (A,)
    assert article.version_count == 1
    assert article.latest.seq == 1
    assert article.latest.text == "The first text."
    assert article.latest.authors == ("Jane Doe",)
    assert article.latest.capture_id == result.capture_id


def test_same_text_again_is_unchanged(store: Store) -> None:
    first = record(store, A, "Same text.")
    again = record(store, A, "Same text.", minutes=5)
    assert (again.outcome, again.article_id, again.version) == ("unchanged", first.article_id, 1)
    assert again.capture_id != first.capture_id
    assert store.counts() == {"articles": 1, "versions": 1, "captures": 2, "bodies": 1}
    assert store.article(A).last_checked == at(5)


def test_same_text_from_new_url_is_duplicate_and_adds_alias(store: Store) -> None:
    first = record(store, A, "Same text.")
    dup = record(store, A_AMP, "Same text.", canonical=A, urls=(A_AMP, A))
    assert (dup.outcome, dup.article_id, dup.version) == ("duplicate", first.article_id, 1)
    assert set(store.article(A).aliases) == {A, A_AMP}
    # Now that the AMP URL is known, fetching it again is merely unchanged.
    again = record(store, A_AMP, "Same text.", canonical=A, urls=(A_AMP, A))
    assert again.outcome == "unchanged"


def test_changed_text_adds_versions_in_sequence(store: Store) -> None:
    record(store, A, "Version one.", title="Title one")
    second = record(store, A, "Version two.", title="Title two", minutes=10)
    third = record(store, A, "Version three.", title="Title three", minutes=20)
    assert (second.outcome, second.version) == ("updated", 2)
    assert (third.outcome, third.version) == ("updated", 3)
    assert [v.seq for v in store.versions(third.article_id)] == [1, 2, 3]
    assert store.versions(third.article_id)[0].text == "Version one."
    assert store.version(third.article_id, 2).title == "Title two"
    summary = store.list_articles()[0]
    assert (summary.title, summary.version_count) == ("Title three", 3)
    # Going back to an earlier text is a change too.
    back = record(store, A, "Version one.", title="Title one", minutes=30)
    assert (back.outcome, back.version) == ("updated", 4)


def test_aliases_resolve_to_one_article(store: Store) -> None:
    first = record(store, A_SHORT, "Text.", canonical=A, urls=(A_SHORT, A_AMP))
    for url in (A, A_AMP, A_SHORT):
        assert store.article(url).id == first.article_id
    state = store.check_state([A_AMP])
    assert state is not None
    assert state.article_id == first.article_id
    # A later fetch through any alias finds the same article.
    later = record(store, A_AMP, "Text.", canonical=A)
    assert (later.outcome, later.article_id) == ("unchanged", first.article_id)


def test_body_stored_once_per_hash_and_round_trips(store: Store) -> None:
    raw = html("Identical bytes " * 200)
    first = record(store, A, "Text.", raw=raw)
    record(store, A_AMP, "Other text.", raw=raw)
    record(store, A, "Text.", raw=raw, minutes=1)
    assert store.counts()["bodies"] == 1
    captures = store.captures(first.article_id)
    assert {c.body_hash for c in captures} == {sha256_hex(raw)}
    assert store.body(sha256_hex(raw)) == raw


def test_body_compression_round_trip() -> None:
    raw = html("<p>compressible paragraph</p>" * 500)
    packed = pack(raw)
    assert packed.size == len(raw)
    assert len(packed.data) < len(raw) // 10
    assert unpack(packed.data) == raw
    assert pack(b"").size == 0 and unpack(pack(b"").data) == b""


def test_body_hash_mismatch_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="hash mismatch"):
        store.record(
            capture(A, body_hash="0" * 64),
            b"body",
            urls=(A,),
            canonical_url=A,
            site="news.example",
            content=content("x"),
        )
    assert store.counts() == {"articles": 0, "versions": 0, "captures": 0, "bodies": 0}


def test_unknown_body_is_rejected_by_store_body(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.body("f" * 64)


def _fail_indexing(conn: Connection, *_args: object) -> None:
    conn.execute(text("SELECT no_such_column FROM no_such_table"))


def test_failure_mid_record_leaves_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "index_article", _fail_indexing)
    with pytest.raises(StoreError):
        record(store, A, "Text.", urls=(A, A_AMP))
    assert store.counts() == {"articles": 0, "versions": 0, "captures": 0, "bodies": 0}
    assert store.check_state([A, A_AMP]) is None


def test_failure_mid_update_leaves_previous_state(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = record(store, A, "Text one.")
    before = store.counts()
    monkeypatch.setattr(search, "index_article", _fail_indexing)
    with pytest.raises(StoreError):
        record(store, A_AMP, "Text two.", canonical=A, raw=b"new body", minutes=3)
    assert store.counts() == before
    article = store.article(first.article_id)
    assert (article.version_count, article.aliases, article.last_checked) == (1, (A,), at(0))
    assert article.latest.text == "Text one."
    monkeypatch.undo()
    assert store.search("one")[0].article.id == first.article_id
    assert store.search("two") == []


def test_record_unchanged_adds_capture_only(store: Store) -> None:
    first = record(store, A, "Text.")
    body_hash = sha256_hex(html("Text."))
    result = store.record_unchanged(
        first.article_id, capture(A, minutes=60, status=304, etag='"v2"')
    )
    assert (result.outcome, result.article_id, result.version) == ("unchanged", first.article_id, 1)
    same_body = store.record_unchanged(
        first.article_id, capture(A, minutes=90, body_hash=body_hash, etag='"v3"')
    )
    assert store.counts() == {"articles": 1, "versions": 1, "captures": 3, "bodies": 1}
    assert store.article(A).last_checked == at(90)
    newest = store.captures(first.article_id)
    assert [c.id for c in newest] == [same_body.capture_id, result.capture_id, first.capture_id]
    assert newest[1].status == 304 and newest[1].body_hash is None
    state = store.check_state([A])
    assert state is not None
    assert (state.etag, state.body_hash) == ('"v3"', body_hash)
    with pytest.raises(NotFoundError):
        store.record_unchanged(9999, capture(A))


def test_check_state_uses_last_capture_with_a_body(store: Store) -> None:
    assert store.check_state([A]) is None
    first = record(store, A, "Text.")
    store.record_unchanged(first.article_id, capture(A, minutes=5, status=304))
    store.record_failure(capture(A, minutes=6, status=500, error="HTTP 500"), first.article_id)
    state = store.check_state(["https://elsewhere.example/", A])
    assert state is not None
    assert state.body_hash == sha256_hex(html("Text."))
    assert state.text_hash == content("Text.").text_hash
    assert state.etag is None


def test_record_failure_records_capture_and_nothing_else(store: Store) -> None:
    capture_id = store.record_failure(
        capture(A, status=None, error="timed out", body_hash="a" * 64)
    )
    assert capture_id > 0
    assert store.counts() == {"articles": 0, "versions": 0, "captures": 1, "bodies": 0}
    first = record(store, A, "Text.")
    store.record_failure(capture(A, minutes=1, error="boom"), first.article_id)
    failed = store.captures(first.article_id)[0]
    assert (failed.error, failed.body_hash) == ("boom", None)
    assert store.article(A).last_checked == at(0)
    with pytest.raises(NotFoundError):
        store.record_failure(capture(A, error="x"), 9999)


def test_not_found_errors(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no archived article matches"):
        store.article(42)
    with pytest.raises(NotFoundError, match="no archived article matches"):
        store.article("https://nowhere.example/")
    first = record(store, A, "Text.")
    with pytest.raises(NotFoundError):
        store.version(first.article_id, 2)
    with pytest.raises(NotFoundError):
        store.versions(42)
    with pytest.raises(NotFoundError):
        store.captures(42)


def test_datetimes_come_back_utc_aware(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    local = datetime(2024, 5, 1, 14, 30, 15, 123456, tzinfo=plus_two)
    result = store.record(
        CaptureIn(requested_url=A, fetched_at=local, status=200),
        html("x"),
        urls=(A,),
        canonical_url=A,
        site="news.example",
        content=content("x"),
    )
    article = store.article(result.article_id)
    for moment in (
        article.first_seen,
        article.last_checked,
        article.latest.created_at,
        store.captures(result.article_id)[0].fetched_at,
        store.list_articles()[0].first_seen,
    ):
        assert moment.tzinfo is UTC
    assert article.first_seen == datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
    assert store.list_articles(since=local) != []
    assert store.list_articles(since=local + timedelta(microseconds=1)) == []


def test_naive_datetimes_are_refused(store: Store) -> None:
    naive = datetime(2024, 5, 1, 12, 0)
    with pytest.raises(StoreError, match="naive"):
        store.record_failure(CaptureIn(requested_url=A, fetched_at=naive, error="x"))
    with pytest.raises(StoreError, match="naive"):
        store.list_articles(since=naive)


def test_list_articles_newest_first_with_filters(store: Store) -> None:
    ids = [
        record(store, f"https://news.example/{i}", f"text {i}", minutes=i).article_id
        for i in range(5)
    ]
    other = record(store, "https://other.example/1", "x", minutes=2, site="other.example")
    listed = store.list_articles()
    assert [a.id for a in listed] == [ids[4], ids[3], other.article_id, ids[2], ids[1], ids[0]]
    assert [a.id for a in store.list_articles(limit=2)] == [ids[4], ids[3]]
    assert [a.id for a in store.list_articles(site="other.example")] == [other.article_id]
    assert [a.id for a in store.list_articles(site="news.example", since=at(3))] == ids[:2:-1]


def test_same_first_seen_orders_by_id(store: Store) -> None:
    ids = [record(store, f"https://news.example/{i}", f"t{i}").article_id for i in range(3)]
    assert [a.id for a in store.list_articles()] == ids[::-1]


def test_counts_on_empty_store(store: Store) -> None:
    assert store.counts() == {"articles": 0, "versions": 0, "captures": 0, "bodies": 0}
