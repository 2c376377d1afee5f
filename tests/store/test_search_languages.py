"""Search in every language: stems, prefixes, CJK words of any length, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Connection, text

from archiver.records.browse import ArticleFilter
from archiver.store import SNIPPET_MARK_END, SNIPPET_MARK_START, Store
from archiver.store.engine import begin_write, make_engine
from archiver.store.migrate import alembic_config, upgrade
from archiver.store.search import SEPARATOR, fts5_expression, parse_query, pg_config
from tests.store.factories import capture, content, html

ENGLISH = (
    "Envoys held two meetings in Geneva on Monday. The talks covered the denuclearization "
    "of the peninsula and a possible summit later this year."
)
GERMAN = (
    "Die Gespräche in Genf dauerten bis in die Nacht. Die Delegationen verhandelten über "
    "Atomwaffen und eine mögliche Einigung im Frühjahr."
)
JAPANESE = (
    "北朝鮮と米国の首脳会談が行われた。両首脳は非核化について協議し、来年の再会談で合意した。"
)
JAPANESE_APART = "首脳の会談は延期された。代表団は東京に戻った。"


def _add(store: Store, slug: str, text: str, title: str, language: str | None) -> int:
    url = f"https://news.example/{slug}"
    body = content(text, title=title, language=language)
    return store.record(
        capture(url), html(text), urls=(url,), canonical_url=url, site="news.example",
        content=body,
    ).article_id  # fmt: skip


@pytest.fixture
def pages(store: Store) -> dict[str, int]:
    return {
        "en": _add(store, "geneva", ENGLISH, "Envoys meet in Geneva", "en"),
        "de": _add(store, "genf", GERMAN, "Gespräche in Genf", "de-DE"),
        "ja": _add(store, "kaidan", JAPANESE, "米朝首脳会談", "ja"),
        "ja2": _add(store, "enki", JAPANESE_APART, "会談延期", "ja"),
    }


def found(store: Store, query: str) -> set[int]:
    return {hit.article.id for hit in store.search(query)}


def test_english_words_match_across_inflections(store: Store, pages: dict[str, int]) -> None:
    assert found(store, "meeting") == {pages["en"]}  # the text says "meetings"
    assert found(store, "envoy talk") == {pages["en"]}
    assert found(store, '"two meeting"') == {pages["en"]}


def test_german_words_match_across_inflections(store: Store, pages: dict[str, int]) -> None:
    assert found(store, "Gespräch") == {pages["de"]}  # the text says "Gespräche"
    assert found(store, "gespräche genf") == {pages["de"]}


def test_prefix_queries(store: Store, pages: dict[str, int]) -> None:
    assert found(store, "denuclear*") == {pages["en"]}
    assert found(store, "Atomwaff*") == {pages["de"]}
    assert found(store, "genev* OR genf") == {pages["en"], pages["de"]}
    assert found(store, "denucl*") == {pages["en"]}
    assert found(store, "denucl") == found(store, "nuclear*") == set()  # words, not parts
    assert found(store, "summ* -denuclear*") == set()


def test_japanese_words_of_two_and_more_characters(store: Store, pages: dict[str, int]) -> None:
    assert found(store, "会談") == {pages["ja"], pages["ja2"]}  # two characters, mid-sentence
    assert found(store, "非核化") == {pages["ja"]}
    assert found(store, "首脳会談") == {pages["ja"]}  # 首脳の会談 has both words, not this one
    assert found(store, "東京") == {pages["ja2"]}
    assert found(store, "会議") == set()
    assert found(store, "会談 -東京") == {pages["ja"]}
    assert found(store, "会談 geneva") == set()


def test_japanese_snippet_marks_the_term_without_separators(
    store: Store, pages: dict[str, int]
) -> None:
    (hit,) = store.search("非核化")
    assert SEPARATOR not in hit.snippet
    assert f"{SNIPPET_MARK_START}非核化{SNIPPET_MARK_END}" in hit.snippet
    plain = hit.snippet.replace(SNIPPET_MARK_START, "").replace(SNIPPET_MARK_END, "")
    assert all(part.strip() in JAPANESE for part in plain.split("…"))


def test_filtered_search_and_count_in_every_language(store: Store, pages: dict[str, int]) -> None:
    page = store.search_filtered("会談", ArticleFilter(site="news.example"), limit=1, offset=0)
    assert page.total == 2 and len(page.hits) == 1
    assert SEPARATOR not in page.hits[0].snippet
    for query, article in (("meeting", "en"), ("gespräch", "de"), ("denuclear*", "en")):
        page = store.search_filtered(query, ArticleFilter(), limit=10, offset=0)
        assert (page.total, [h.article.id for h in page.hits]) == (1, [pages[article]])


def test_reindexed_version_keeps_the_index_in_sync(store: Store, pages: dict[str, int]) -> None:
    url = "https://news.example/kaidan"
    text = "会談は中止された。"
    changed = content(text, title="中止", language="ja")
    store.record(capture(url, minutes=9), html(text), urls=(url,), canonical_url=url,
                 site="news.example", content=changed)  # fmt: skip
    assert found(store, "非核化") == set()
    assert found(store, "中止") == {pages["ja"]}


def test_query_tokens_split_cjk_and_keep_prefixes() -> None:
    assert fts5_expression(parse_query("会談")) == '("会 談")'
    assert fts5_expression(parse_query("Sony製")) == '("Sony 製")'
    assert fts5_expression(parse_query("denuclear*")) == '("denuclear" *)'
    assert fts5_expression(parse_query('"north kor"* -x_y')) == '(("north kor" *)) NOT ("x y")'
    assert fts5_expression(parse_query("*kim")) == '("kim")'


@pytest.mark.parametrize(
    ("language", "config"),
    [("en", "english"), ("de-DE", "german"), ("pt_BR", "portuguese"), ("ja", "simple"),
     (None, "simple"), ("", "simple"), ("xx", "simple")],
)  # fmt: skip
def test_language_picks_the_postgresql_configuration(language: str | None, config: str) -> None:
    assert pg_config(language) == config


def old_index(conn: Connection, word: str) -> list[int]:
    """Articles whose 0001-style index entry has ``word`` (CJK: as a phrase of characters)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT rowid FROM article_fts WHERE article_fts MATCH :q"
        q = '"' + " ".join(word) + '"' if not word.isascii() else word
    else:
        sql = "SELECT article_id FROM article_fts WHERE document @@ to_tsquery('simple', :q)"
        q = " <-> ".join(word) if not word.isascii() else word
    return [row[0] for row in conn.execute(text(sql), {"q": q})]


def test_migration_rebuilds_the_index_of_existing_rows(db_url: str) -> None:
    """Down to 0005 (the old index, rebuilt: no stems, no CJK words) and up again."""
    with Store(db_url) as store:
        ids = {"en": _add(store, "geneva", ENGLISH, "Envoys", "en"),
               "ja": _add(store, "kaidan", JAPANESE, "米朝", "ja")}  # fmt: skip
    engine = make_engine(db_url)
    try:
        with begin_write(engine) as conn:
            command.downgrade(alembic_config(conn), "0005")
        with engine.connect() as conn:
            assert old_index(conn, "meetings") == [ids["en"]]
            assert old_index(conn, "meeting") == old_index(conn, "会談") == []
        upgrade(engine)
    finally:
        engine.dispose()
    with Store(db_url) as store:
        assert found(store, "meeting") == {ids["en"]}
        assert found(store, "会談") == {ids["ja"]}


def test_reextraction_in_place_keeps_the_index_in_sync(store: Store, pages: dict[str, int]) -> None:
    """A corrected version (``archiver reextract``) replaces the index entry, language too."""
    fixed = content("Gespräche über Atomwaffen wurden vertagt.", title="Vertagt", language="de")
    assert store.reextract_version(pages["en"], 1, fixed, reason="test")
    assert found(store, "meeting") == set()
    assert found(store, "vertagt") == {pages["en"]}
    assert found(store, "Gespräch") == {pages["de"], pages["en"]}  # German stems on both
