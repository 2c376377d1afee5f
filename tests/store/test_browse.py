"""Browsing reads: keyset pages, filters, counts, filtered search, aliases, capture stats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from archiver.errors import InputError, NotFoundError
from archiver.records.browse import ArticleFilter, Cursor
from archiver.store import SNIPPET_MARK_START, SourceSpec, Store
from archiver.store.browse import page_statement
from tests.store.factories import T0, at, capture, content, html, record


def _add(
    store: Store, n: int, *, minutes: int, site: str = "a.example", source_id: int | None = None,
    text_: str | None = None, title: str | None = None,
) -> int:  # fmt: skip
    url = f"https://{site}/story/{n}"
    body = text_ or f"Story number {n} tells of harbour cranes and tides."
    return store.record(
        capture(url, minutes=minutes, source_id=source_id),
        html(body),
        urls=(url,),
        canonical_url=url,
        site=site,
        content=content(body, title=title or f"Story {n}"),
    ).article_id


@pytest.fixture
def many(store: Store) -> list[int]:
    """23 articles over two sites, with runs of equal first_seen (ties broken by id)."""
    ids = []
    for n in range(23):
        ids.append(_add(store, n, minutes=n // 3, site="a.example" if n % 2 else "b.example"))
    return ids


def _walk_older(store: Store, filt: ArticleFilter, limit: int) -> list[list[int]]:
    pages, after = [], None
    for _ in range(50):
        got = store.browse(filt, limit=limit, after=after)
        pages.append([a.id for a in got.items])
        if got.older is None:
            return pages
        after = got.older
    raise AssertionError("pagination never ended")


def test_keyset_pages_cover_everything_once_newest_first(store: Store, many: list[int]) -> None:
    summaries = store.list_articles(limit=100)
    expected = [a.id for a in summaries]
    assert expected == sorted(
        many, key=lambda i: (next(s.first_seen for s in summaries if s.id == i), i), reverse=True
    )
    pages = _walk_older(store, ArticleFilter(), limit=5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [i for p in pages for i in p] == expected  # no duplicates, no gaps, same order


def test_before_cursor_walks_back_to_the_first_page(store: Store, many: list[int]) -> None:
    first = store.browse(limit=4)
    assert first.newer is None and first.older is not None
    second = store.browse(limit=4, after=first.older)
    third = store.browse(limit=4, after=second.older)
    assert third.newer is not None
    back = store.browse(limit=4, before=third.newer)
    assert [a.id for a in back.items] == [a.id for a in second.items]
    assert back.newer is not None and back.older is not None
    top = store.browse(limit=4, before=back.newer)
    assert [a.id for a in top.items] == [a.id for a in first.items]
    assert top.newer is None  # nothing newer than the first page


def test_last_page_has_no_older_cursor_and_cursor_round_trips(
    store: Store, many: list[int]
) -> None:
    everything = store.browse(limit=100)
    assert len(everything.items) == 23 and everything.older is None and everything.newer is None
    cursor = Cursor.of(everything.items[7])
    assert Cursor.parse(cursor.token()) == cursor
    rest = store.browse(limit=100, after=cursor)
    assert [a.id for a in rest.items] == [a.id for a in everything.items[8:]]


@pytest.mark.parametrize("token", ["", "abc", "1.2.3", "-5.3", "12", "9" * 30 + ".1"])
def test_bad_cursor_tokens_are_input_errors(token: str) -> None:
    with pytest.raises(InputError):
        Cursor.parse(token)


def test_both_cursors_is_an_input_error(store: Store, many: list[int]) -> None:
    cursor = Cursor(T0, 1)
    with pytest.raises(InputError):
        store.browse(after=cursor, before=cursor)


def test_filters_by_site_and_first_seen_range(store: Store, many: list[int]) -> None:
    only_a = ArticleFilter(site="a.example")
    pages = _walk_older(store, only_a, limit=4)
    ids = [i for p in pages for i in p]
    assert len(ids) == 11 and len(set(ids)) == 11
    assert all(a.site == "a.example" for a in store.browse(only_a, limit=50).items)
    window = ArticleFilter(since=at(2), until=at(4))  # minutes 2 and 3: articles 6..11
    got = store.browse(window, limit=50).items
    assert sorted(a.id for a in got) == sorted(many[6:12])
    assert all(at(2) <= a.first_seen < at(4) for a in got)
    assert store.browse(ArticleFilter(site="nowhere.example")).items == []


def test_source_filter_and_counts(store: Store) -> None:
    feed = store.add_source(SourceSpec("wire", "feed", "https://w.example/f", 60, None, None, None))
    other = store.add_source(SourceSpec("desk", "page", "https://d.example/", 60, None, None, None))
    wire_ids = [_add(store, n, minutes=n, source_id=feed.id) for n in range(3)]
    _add(store, 10, minutes=10, source_id=other.id, site="b.example")
    _add(store, 11, minutes=11)
    got = store.browse(ArticleFilter(source="wire"), limit=10)
    assert [a.id for a in got.items] == wire_ids[::-1]
    assert store.browse(ArticleFilter(source="no-such-source")).items == []

    counts = store.browse_counts()
    assert counts.total == 5
    assert [(f.value, f.articles) for f in counts.sites] == [("a.example", 4), ("b.example", 1)]
    assert [(f.value, f.articles) for f in counts.sources] == [("wire", 3), ("desk", 1)]
    narrowed = store.browse_counts(ArticleFilter(site="a.example", source="wire"))
    assert narrowed.total == 3
    # each facet counts under the *other* filters, so a chosen site still lists its siblings
    assert [(f.value, f.articles) for f in narrowed.sites] == [("a.example", 3)]
    assert [(f.value, f.articles) for f in narrowed.sources] == [("wire", 3)]
    assert store.browse_counts(ArticleFilter(since=at(10))).total == 2


def test_search_with_filters_ranks_counts_and_pages(store: Store) -> None:
    for n in range(6):
        _add(store, n, minutes=n, site="a.example" if n < 4 else "b.example",
             text_=f"Ferry strike enters day {n}. " + "Commuters waited. " * n)  # fmt: skip
    _add(store, 99, minutes=99, text_="Nothing about boats here.")
    found = store.search_filtered("ferry strike")
    assert found.total == 6 and len(found.hits) == 6
    assert all(SNIPPET_MARK_START in h.snippet for h in found.hits)
    ranks = [h.rank for h in found.hits]
    assert ranks == sorted(ranks)
    only_b = store.search_filtered("ferry", ArticleFilter(site="b.example"))
    assert only_b.total == 2 and {h.article.site for h in only_b.hits} == {"b.example"}
    recent = store.search_filtered("ferry", ArticleFilter(since=at(3), until=at(5)))
    assert sorted(h.article.first_seen for h in recent.hits) == [at(3), at(4)]
    first = store.search_filtered("ferry", limit=4)
    second = store.search_filtered("ferry", limit=4, offset=4)
    assert first.total == second.total == 6
    assert len(first.hits) == 4 and len(second.hits) == 2
    assert not {h.article.id for h in first.hits} & {h.article.id for h in second.hits}
    assert store.search_filtered("!!!").total == 0
    assert store.search_filtered("ferry", ArticleFilter(source="none")).hits == []


def test_aliases_and_capture_stats(store: Store) -> None:
    url = "https://a.example/story"
    first = record(store, url, "Text one.", urls=(url, "https://a.example/s/1"))
    record(store, "https://a.example/amp/story", "Text one.", canonical=url, minutes=5)
    store.record_failure(capture(url, minutes=9, error="HTTP 503"), first.article_id)
    aliases = store.aliases(first.article_id)
    assert [a.url for a in aliases][:2] == [url, "https://a.example/s/1"]
    assert "https://a.example/amp/story" in [a.url for a in aliases]
    stats = store.capture_stats(first.article_id)
    assert (stats.count, stats.errors, stats.last_error) == (3, 1, "HTTP 503")
    assert stats.first == at(0) and stats.last == at(9)
    assert stats.first is not None and stats.first.utcoffset() == timedelta(0)
    with pytest.raises(NotFoundError):
        store.aliases(12345)
    with pytest.raises(NotFoundError):
        store.capture_stats(12345)


def test_sqlite_keyset_seeks_with_the_first_seen_index(db_url: str, store: Store) -> None:
    """Page 500 costs what page 1 costs: the cursor is an index range, never an OFFSET."""
    if not db_url.startswith("sqlite"):
        pytest.skip("query plan check is SQLite's")
    engine = create_engine(db_url)
    try:
        for filt in (ArticleFilter(), ArticleFilter(since=at(1), until=at(9))):
            stmt = page_statement(filt, 25, Cursor(at(5), 10), None)
            sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
            assert "OFFSET" not in sql.upper().replace("OFFSET 0", "")  # SQLite's LIMIT syntax
            with engine.connect() as conn:
                plan = " ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "ix_article_first_seen (first_seen<" in plan or "(first_seen>" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # no sort: the index gives the order
    finally:
        engine.dispose()
