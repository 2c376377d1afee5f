"""The webhook outbox: rows written in the event's own transaction, claimed, settled."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from archiver.errors import StoreError
from archiver.records.notify import Settlement, WebhookRoute
from archiver.store import SourceSpec, Store, schedule
from archiver.store.outbox import REMOVED, idempotency_key
from tests.store.factories import T0, at, capture, content, record

A = "https://news.example/2024/05/story"
B = "https://other.example/2024/05/story"
ALL = WebhookRoute("all", ("new", "updated", "error"))


def _count(db_url: str, table: str) -> int:
    engine = create_engine(db_url)  # the store's database, read outside the store
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_nothing_is_written_while_no_webhook_is_registered(store: Store) -> None:
    record(store, A, "Text one.")
    record(store, A, "Text two.", minutes=5)
    store.record_failure(capture(A, minutes=9, status=503, error="HTTP 503"))
    assert store.outbox.items() == []


def test_new_updated_and_error_events_with_their_payload(store: Store) -> None:
    store.outbox.register([ALL], T0)
    first = record(store, A, "Text one.", title="First")
    record(store, A, "Text one.", title="First", minutes=1)  # unchanged: no event
    second = record(store, A, "Text two.", title="Second", minutes=5)
    failed = store.record_failure(capture(A, minutes=9, status=503, error="HTTP 503"), 1)
    store.record_failure(capture(A, minutes=10, error="skipped: robots.txt"), 1)  # no error
    items = store.outbox.items()
    assert [(i.event, i.webhook, i.article_id) for i in items] == [
        ("new", "all", first.article_id),
        ("updated", "all", first.article_id),
        ("error", "all", first.article_id),
    ]
    new, updated, error = (json.loads(i.payload) for i in items)
    assert new == {
        "article_id": first.article_id, "url": A, "requested_url": A, "site": "news.example",
        "title": "First", "version": 1, "source": None, "capture_id": first.capture_id,
        "status": 200, "error": None, "fetched_at": "2024-05-01T12:00:00Z",
        "first_seen": "2024-05-01T12:00:00Z",
    }  # fmt: skip
    assert (updated["version"], updated["title"], updated["capture_id"]) == (
        2, "Second", second.capture_id,
    )  # fmt: skip
    assert (error["error"], error["status"], error["capture_id"], error["version"]) == (
        "HTTP 503", 503, failed, 2,
    )  # fmt: skip
    keys = [i.idempotency_key for i in items]
    assert len(set(keys)) == 3
    assert keys[0] == idempotency_key("all", "new", first.capture_id)
    assert all(i.state == "pending" and i.attempts == 0 for i in items)


def test_a_failed_url_without_article_is_an_error_of_its_host(store: Store) -> None:
    store.outbox.register([WebhookRoute("errors", ("error",), sites=("other.example",))], T0)
    record(store, A, "Text one.")  # a new article: not wanted
    store.record_failure(capture("https://www.other.example/x", error="connection refused"))
    store.record_failure(capture("https://third.example/x", error="connection refused"))
    (item,) = store.outbox.items()
    data = json.loads(item.payload)
    assert (item.event, item.article_id, data["site"], data["url"]) == (
        "error", None, "other.example", "https://www.other.example/x",
    )  # fmt: skip


def test_routes_filter_by_event_site_and_source(store: Store) -> None:
    spec = SourceSpec(name="wire", kind="url", url=B, every_seconds=None, cron=None,
                      include=None, exclude=None)  # fmt: skip
    source = store.add_source(spec)
    store.outbox.register(
        [
            WebhookRoute("news", ("new",), sites=("news.example",)),
            WebhookRoute("wire", ("new", "updated"), sources=("wire",)),
            WebhookRoute("updates", ("updated",)),
        ],
        T0,
    )
    record(store, A, "Text one.")
    store.record(
        capture(B, source_id=source.id), b"<html>b</html>", urls=(B,), canonical_url=B,
        site="other.example", content=content("B text."),
    )  # fmt: skip
    record(store, A, "Text two.", minutes=5)
    got = [(i.webhook, i.event, json.loads(i.payload)["url"]) for i in store.outbox.items()]
    assert got == [("news", "new", A), ("wire", "new", B), ("updates", "updated", A)]
    assert [r.name for r in store.outbox.routes()] == ["news", "updates", "wire"]


def test_outbox_rows_share_the_version_transaction(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the version and its outbox row were inserted leaves neither."""
    store.outbox.register([ALL], T0)

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("injected after the version insert")

    monkeypatch.setattr(schedule, "advance", broken)
    with pytest.raises(RuntimeError, match="injected"):
        record(store, A, "Text one.")
    assert store.counts()["versions"] == 0
    assert _count(db_url, "outbox") == 0
    monkeypatch.undo()
    record(store, A, "Text one.")
    assert (store.counts()["versions"], _count(db_url, "outbox")) == (1, 1)


def test_an_outbox_insert_that_fails_takes_the_version_with_it(store: Store, db_url: str) -> None:
    """The database refusing the outbox row (a trigger here) rolls the version back."""
    store.outbox.register([ALL], T0)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(
                "CREATE TRIGGER no_outbox BEFORE INSERT ON outbox "
                "BEGIN SELECT RAISE(ABORT, 'outbox refused'); END"
            ))  # fmt: skip
        else:
            conn.execute(text(
                "CREATE FUNCTION no_outbox() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$"
            ))  # fmt: skip
            conn.execute(text(
                "CREATE TRIGGER no_outbox BEFORE INSERT ON outbox "
                "FOR EACH ROW EXECUTE FUNCTION no_outbox()"
            ))  # fmt: skip
    engine.dispose()
    with pytest.raises(StoreError, match="outbox refused"):
        record(store, A, "Text one.")
    with pytest.raises(StoreError, match="outbox refused"):
        store.record_failure(capture(A, error="HTTP 500", status=500))
    assert store.counts() == {"articles": 0, "versions": 0, "captures": 0, "bodies": 0}


def test_claim_leases_settle_counts_release_keeps_attempts(store: Store) -> None:
    store.outbox.register([ALL, WebhookRoute("other", ("new",))], T0)
    for n in range(3):
        record(store, f"{A}/{n}", f"Text {n}.", minutes=n)
    now, lease = at(10), at(11)
    third = store.outbox.items("all")[2].id
    claimed = store.outbox.claim("all", now, lease, limit=2)
    assert [json.loads(i.payload)["url"] for i in claimed] == [f"{A}/0", f"{A}/1"]
    # Leased: not due again before the lease runs out, the third still is.
    assert [i.id for i in store.outbox.claim("all", now, lease, limit=10)] == [third]
    store.outbox.settle([Settlement(claimed[0].id, now, "delivered")])
    store.outbox.settle(
        [Settlement(claimed[1].id, now, "pending", "HTTP 503", now + timedelta(minutes=5))]
    )
    store.outbox.release([third], now)
    again = store.outbox.claim("all", now, lease, limit=10)
    assert [(i.id, i.attempts) for i in again] == [(third, 0)]  # released: no attempt counted
    # The third's lease (until 11) has run out at 14: claimed once more (it may have been
    # sent: at least once), with the same key; the retry is due at 10+5 minutes.
    expired = store.outbox.claim("all", at(14), at(20), limit=10)
    assert [(i.id, i.idempotency_key) for i in expired] == [(third, again[0].idempotency_key)]
    later = store.outbox.claim("all", at(16), at(17), limit=10)
    assert [(i.id, i.attempts, i.last_error) for i in later] == [(claimed[1].id, 1, "HTTP 503")]
    store.outbox.settle([Settlement(later[0].id, at(16), "failed", "HTTP 410")])
    store.outbox.settle([Settlement(claimed[0].id, at(17), "pending", "late", at(18))])  # ignored
    (status, other) = store.outbox.summary(["all", "other"])
    assert (status.name, status.delivered, status.pending, status.failed) == ("all", 1, 1, 1)
    assert (status.last_error, status.last_error_at, status.last_delivered_at) == (
        "HTTP 410", at(16), now,
    )  # fmt: skip
    assert (other.delivered, other.pending, other.failed, other.last_error) == (0, 3, 0, None)


def test_unregistering_a_webhook_fails_its_pending_rows(store: Store) -> None:
    store.outbox.register([ALL, WebhookRoute("gone", ("new",))], T0)
    record(store, A, "Text one.")
    assert store.outbox.register([ALL], at(5)) == 1
    (gone,) = store.outbox.items("gone")
    assert (gone.state, gone.last_error) == ("failed", REMOVED)
    (kept,) = store.outbox.items("all")
    assert kept.state == "pending"
    summary = {s.name: s for s in store.outbox.summary(["all"])}
    assert (summary["gone"].configured, summary["gone"].failed) == (False, 1)
    record(store, B, "B text.", site="other.example")
    assert [i.webhook for i in store.outbox.items()] == ["all", "gone", "all"]
