"""Corrections: versions whose text a re-extraction replaced in place (``archiver reextract``,
or a re-check after a site template was learned), and the text each had before.

A correction is not a version (the version keeps its number), so the history
page and ``GET /api/articles/{id}/versions`` list them apart, with the keys of
``archiver history --json``. Correction *n* of an article is its *n*-th
re-extraction (by version, then time): ``/articles/{id}/reextractions/{n}``
shows the text before it and what it changed; ``/api/articles/{id}/reextractions/{n}``
is the same as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from archiver.browse_json import iso
from archiver.errors import NotFoundError
from archiver.records.articles import ArticleView, VersionView
from archiver.records.learning import ReextractionView
from archiver.store import Store
from archiver.version import VersionDiff, diff_versions, word_count
from archiver.web import load
from archiver.web.state import render, state_of


def page_path(article_id: int, number: int) -> str:
    return f"/articles/{article_id}/reextractions/{number}"


def api_path(article_id: int, number: int) -> str:
    return "/api" + page_path(article_id, number)


def rows(article_id: int, found: list[ReextractionView]) -> list[dict[str, Any]]:
    """The ``history --json`` keys of each correction, with its number and where its old
    text is."""
    return [
        {
            "version": r.seq,
            "created": iso(r.created_at),
            "reason": r.reason,
            "old_words": word_count(r.old_text),
            "old_text_hash": r.old_text_hash,
            "number": n,
            "old_title": r.old_title,
            "old_text_url": api_path(article_id, n),
            "page_url": page_path(article_id, n),
        }
        for n, r in enumerate(found, start=1)
    ]


@dataclass(frozen=True, slots=True)
class Correction:
    article: ArticleView
    number: int
    correction: ReextractionView
    before: VersionView  # the version as it read before this correction
    after: VersionView  # ... and right after it (the next correction's old text, or today's)
    diff: VersionDiff


def one(store: Store, article_id: int, number: int) -> Correction:
    found = load.corrections(store, article_id)
    if not 1 <= number <= len(found):
        raise NotFoundError(f"article {article_id} has no re-extraction {number}")
    r = found[number - 1]
    article = store.article(article_id)
    current = store.version(article_id, r.seq)
    later = [c for c in found[number:] if c.seq == r.seq]
    after = current
    if later:
        nxt = later[0]
        after = replace(
            current, title=nxt.old_title, text=nxt.old_text, text_hash=nxt.old_text_hash
        )
    before = replace(current, title=r.old_title, text=r.old_text, text_hash=r.old_text_hash)
    return Correction(article, number, r, before, after, diff_versions(before, after))


def as_json(c: Correction) -> dict[str, Any]:
    r = c.correction
    return {
        "article_id": c.article.id,
        "number": c.number,
        "version": r.seq,
        "created": iso(r.created_at),
        "reason": r.reason,
        "old_title": r.old_title,
        "old_text": r.old_text,
        "old_text_hash": r.old_text_hash,
        "new_text_hash": r.new_text_hash,
        "words_added": c.diff.words_added,
        "words_removed": c.diff.words_removed,
    }


async def page(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    number: int = request.path_params["number"]
    found = await state_of(request).read(lambda s: one(s, article_id, number))
    return await render(request, "correction.html", {"nav": "home", "c": found})
