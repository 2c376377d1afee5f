"""Capture reads: one capture with its headers, the WARC export's batches, and the feeds'
versions per scope (SQLite, and PostgreSQL when asked)."""

from __future__ import annotations

import hashlib

import pytest

from archiver.errors import NotFoundError
from archiver.records.feeds import FeedScope
from archiver.store import SourceSpec, Store
from tests.store.factories import at, capture, content, html, record

HEADERS = (("content-type", "text/html; charset=utf-8"), ("x-repeated", "a, b"), ("etag", '"1"'))


def test_headers_are_kept_as_fetched_and_read_back(store: Store) -> None:
    url = "https://news.example/a"
    rec = store.record(
        capture(url, headers=HEADERS, charset="utf-8"), html("Text one."), urls=(url,),
        canonical_url=url, site="news.example", content=content("Text one."),
    )  # fmt: skip
    got = store.capture(rec.capture_id)
    assert got.headers == HEADERS and got.charset == "utf-8"
    assert got.body_hash == hashlib.sha256(html("Text one.")).hexdigest()
    assert store.captures(rec.article_id)[0] == got
    old = record(store, "https://news.example/b", "Text two.")  # no headers given
    assert store.capture(old.capture_id).headers is None
    for missing in (0, 10**6, 2**63):
        with pytest.raises(NotFoundError):
            store.capture(missing)


def test_export_batches_every_capture_with_a_body_or_a_304(store: Store) -> None:
    first = record(store, "https://a.example/1", "Alpha text.", site="a.example", minutes=0)
    record(store, "https://a.example/1", "Alpha text, edited.", site="a.example", minutes=5)
    store.record_unchanged(first.article_id, capture("https://a.example/1", minutes=6, status=304))
    store.record_failure(
        capture("https://a.example/1", minutes=7, status=None, error="timed out"),
        first.article_id,
    )
    other = record(store, "https://b.example/2", "Beta text.", site="b.example", minutes=30)
    store.record_failure(capture("https://nowhere.example/x", minutes=8, error="refused"))

    every = store.export_captures()
    assert [c.status for c in every] == [200, 200, 304, 200]  # no failure, by id
    assert [c.id for c in every] == sorted(c.id for c in every)
    assert every[-1].article_id == other.article_id
    batches, after = [], 0
    while batch := store.export_captures(after=after, limit=2):
        batches.append(batch)
        after = batch[-1].id
    assert [len(b) for b in batches] == [2, 2] and [c for b in batches for c in b] == every
    assert {c.article_id for c in store.export_captures(site="a.example")} == {first.article_id}
    assert store.export_captures(site="c.example") == []
    later = store.export_captures(since=at(20))  # the articles first seen since then
    assert [c.article_id for c in later] == [other.article_id]


def test_feed_entries_per_scope_newest_first(store: Store) -> None:
    wire = store.add_source(
        SourceSpec("wire", "feed", "https://a.example/f", 900, None, None, None)
    )
    url = "https://a.example/1"
    one = store.record(
        capture(url, minutes=0, source_id=wire.id), html("Alpha."), urls=(url,),
        canonical_url=url, site="a.example", content=content("Alpha.", title="Alpha"),
    )  # fmt: skip
    record(store, url, "Alpha, edited.", site="a.example", minutes=5, title="Alpha 2")
    two = record(store, "https://b.example/2", "Beta.", site="b.example", minutes=3)

    def seen(scope: FeedScope) -> list[tuple[int, int]]:
        return [(e.article_id, e.seq) for e in store.feed_entries(scope)]

    everything = store.feed_entries(FeedScope())
    assert [e.created_at for e in everything] == sorted(
        (e.created_at for e in everything), reverse=True
    )
    assert sorted((e.article_id, e.seq) for e in everything) == [
        (one.article_id, 1), (one.article_id, 2), (two.article_id, 1),
    ]  # fmt: skip
    assert seen(FeedScope(site="b.example")) == [(two.article_id, 1)]
    assert sorted(seen(FeedScope(source="wire"))) == [(one.article_id, 1), (one.article_id, 2)]
    assert seen(FeedScope(article_id=one.article_id))[0] == (one.article_id, 2)
    assert len(store.feed_entries(FeedScope(), limit=1)) == 1
    entry = store.feed_entries(FeedScope(article_id=two.article_id))[0]
    assert (entry.url, entry.site, entry.text) == ("https://b.example/2", "b.example", "Beta.")
    with pytest.raises(NotFoundError):
        store.feed_entries(FeedScope(source="nope"))
    with pytest.raises(NotFoundError):
        store.feed_entries(FeedScope(article_id=999))
