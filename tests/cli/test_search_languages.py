"""`archiver search` on archived English, German and Japanese pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Run
from tests.localsite import LocalSite
from tests.store.conftest import db_url  # noqa: F401  (the fixture: both databases)

PAGES = {
    "/en/talks": ("en", "Envoys meet in Geneva", [
        "Envoys from both countries held two meetings in Geneva on Monday, officials said.",
        "The talks covered the denuclearization of the peninsula and the easing of sanctions.",
        "A further round of negotiations is expected before the summit later this year.",
    ]),
    "/de/gespraeche": ("de", "Gespräche in Genf", [
        "Die Gespräche in Genf dauerten bis spät in die Nacht, teilten Diplomaten mit.",
        "Die Delegationen verhandelten über Atomwaffen und über die Lockerung der Sanktionen.",
        "Eine Einigung wird frühestens im Frühjahr erwartet, hieß es aus Verhandlungskreisen.",
    ]),
    "/ja/kaidan": ("ja", "米朝首脳会談が行われた", [
        "北朝鮮と米国の首脳会談が二十日、ジュネーブで行われた。両首脳は非核化について協議した。",
        "会談は予定より長引き、共同声明の発表は翌日に持ち越された。関係者が明らかにした。",
        "制裁の緩和については合意に至らず、来年春に再び協議することで一致したという。",
    ]),
}  # fmt: skip


def _page(lang: str, title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>"
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


@pytest.fixture
def archived(
    cli: Callable[..., Run],
    site: LocalSite,
    db_url: str,  # noqa: F811  (the imported fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    """The three pages archived into a fresh database of each kind; their URLs by language."""
    monkeypatch.setenv("ARCHIVER_DATABASE_URL", db_url)
    urls = {}
    for path, (lang, title, paragraphs) in PAGES.items():
        site.set(path, _page(lang, title, paragraphs))
        urls[lang] = site.url(path)
    added = cli("add", "--json", *urls.values())
    assert added.code == 0, added.err
    return urls


def urls_found(cli: Callable[..., Run], query: str) -> set[str]:
    run = cli("search", "--json", query)
    assert run.code == 0, run.err
    rows: list[dict[str, Any]] = json.loads(run.out)
    return {row["url"] for row in rows}


def test_each_language_is_found(cli: Callable[..., Run], archived: dict[str, str]) -> None:
    en, de, ja = archived["en"], archived["de"], archived["ja"]
    assert urls_found(cli, "meeting") == {en}  # "meetings"
    assert urls_found(cli, "negotiation sanction") == {en}
    assert urls_found(cli, "denuclear*") == {en}
    assert urls_found(cli, "Gespräch") == {de}  # "Gespräche"
    assert urls_found(cli, "Atomwaff*") == {de}
    assert urls_found(cli, "会談") == {ja}  # two characters
    assert urls_found(cli, "非核化") == {ja}
    assert urls_found(cli, "ジュネーブ OR Genf") == {ja, de}
    assert urls_found(cli, "geneva OR genf OR ジュネーブ") == {en, de, ja}


def test_text_output_marks_cjk_terms_and_says_no_matches(
    cli: Callable[..., Run], archived: dict[str, str]
) -> None:
    run = cli("search", "--color", "never", "非核化")
    assert run.code == 0 and "[非核化]" in run.out and "\x1f" not in run.out
    for query in ("unicorn", "会議", "meeting -geneva"):
        none = cli("search", query)
        assert (none.code, none.out, none.err) == (0, "no matches\n", ""), query
    assert cli("search", "--json", "unicorn").out.strip() == "[]"


def test_search_help_documents_the_syntax(cli: Callable[..., Run]) -> None:
    help_text = cli("search", "--help").out
    for syntax in ('"a b"', "a OR b", "-word", "word*", "会談", "no matches"):
        assert syntax in help_text, syntax
