"""Full-text search: ranking, marked snippets, reindexing, and queries that never break."""

from __future__ import annotations

import pytest

from archiver.store import SNIPPET_MARK_END, SNIPPET_MARK_START, Store
from archiver.store.search import fts5_expression, parse_query
from tests.store.factories import record

FILLER = "The weather was mild and markets were calm across the region on Tuesday. " * 6


@pytest.fixture
def corpus(store: Store) -> dict[str, int]:
    """Three articles: all about Kim Jong Un, a passing mention, and an unrelated one."""
    ids = {
        "main": record(
            store,
            "https://news.example/kim-visit",
            "Kim Jong Un inspected a factory. Analysts said Kim Jong Un rarely travels. "
            + FILLER
            + "Kim Jong Un returned to Pyongyang.",
            title="Kim Jong Un visits factory",
        ).article_id,
        "mention": record(
            store,
            "https://news.example/summit",
            FILLER + "Officials expect Kim Jong Un to attend. " + FILLER,
            title="Regional summit preparations",
        ).article_id,
        "other": record(
            store,
            "https://news.example/weather",
            FILLER + "Kim Jones, a local farmer, welcomed the rain.",
            title="Weather report",
        ).article_id,
    }
    return ids


def test_finds_kim_jong_un_ranked_with_marked_snippet(store: Store, corpus: dict[str, int]) -> None:
    hits = store.search("kim jong un")
    assert [h.article.id for h in hits] == [corpus["main"], corpus["mention"]]
    assert hits[0].rank < hits[1].rank
    assert hits[0].article.title == "Kim Jong Un visits factory"
    for hit in hits:
        marked = hit.snippet.replace(SNIPPET_MARK_START, "<").replace(SNIPPET_MARK_END, ">")
        assert "<Kim> <Jong> <Un>" in marked
        assert hit.snippet.count(SNIPPET_MARK_START) == hit.snippet.count(SNIPPET_MARK_END)


def test_case_does_not_matter_and_sqlite_folds_accents(store: Store, db_url: str) -> None:
    art = record(store, "https://news.example/cafe", "A new café opened in Zürich.", title="Café")
    assert [h.article.id for h in store.search("CAFÉ zürich")] == [art.article_id]
    if db_url.startswith("sqlite"):  # PostgreSQL's 'simple' config keeps accents
        assert [h.article.id for h in store.search("cafe zurich")] == [art.article_id]


def test_phrase_or_and_exclusion(store: Store, corpus: dict[str, int]) -> None:
    assert {h.article.id for h in store.search('"jong un"')} == {corpus["main"], corpus["mention"]}
    assert {h.article.id for h in store.search('"un jong"')} == set()
    assert {h.article.id for h in store.search("pyongyang or farmer")} == {
        corpus["main"],
        corpus["other"],
    }
    assert {h.article.id for h in store.search("kim -jong")} == {corpus["other"]}
    assert store.search("kim jong un", limit=1)[0].article.id == corpus["main"]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "AND OR",
        "OR",
        "NOT",
        "*",
        "kim*",
        'kim"jong',
        "",
        "   ",
        "-",
        "-kim",
        "(kim",
        "kim)",
        "NEAR(kim jong)",
        "title:kim",
        "^kim",
        "kim & jong | !un",
        "'; DROP TABLE article; --",
        "\x00kim",
        "\\",
        "ø" * 300,
    ],
)
def test_weird_queries_never_raise(store: Store, corpus: dict[str, int], query: str) -> None:
    hits = store.search(query)
    assert all(h.article.id in corpus.values() for h in hits)
    assert store.counts()["articles"] == 3


def test_search_follows_current_version(store: Store) -> None:
    url = "https://news.example/story"
    record(store, url, "The minister resigned on Monday.", title="Minister resigns")
    assert store.search("resigned")
    record(store, url, "The minister denied leaving.", title="Minister stays", minutes=5)
    assert store.search("resigned") == []
    hits = store.search("denied")
    assert len(hits) == 1 and hits[0].article.title == "Minister stays"


def test_title_only_match_is_found(store: Store) -> None:
    art = record(store, "https://news.example/t", "Body without the word.", title="Earthquake")
    assert [h.article.id for h in store.search("earthquake")] == [art.article_id]


def test_parse_query_builds_safe_fts5_expressions() -> None:
    assert fts5_expression(parse_query("kim jong un")) == '("kim") AND ("jong") AND ("un")'
    assert fts5_expression(parse_query('"jong un" OR kim')) == '("jong un" OR "kim")'
    assert fts5_expression(parse_query("kim -jong")) == '(("kim")) NOT ("jong")'
    assert fts5_expression(parse_query('kim"jong')) == '("kim") AND ("jong")'
    assert fts5_expression(parse_query("don't")) == '("don t")'
    assert fts5_expression(parse_query('kim"jong un"')) == '("kim") AND ("jong un")'
    assert fts5_expression(parse_query("AND OR")) == '("AND")'
    for nothing in ("", '"', "OR", "*", "-kim", "()"):
        assert fts5_expression(parse_query(nothing)) is None
