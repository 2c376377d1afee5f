"""Versions as JSON Lines: one object per version of every article, ``show --json`` keys.

``archiver export --format jsonl`` and the web's ``/export.jsonl`` both write
these lines: every version of each article (oldest first), not only the
latest, each with the keys of ``archiver show --json`` (``version_created``
among them: when that version was archived).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from archiver.browse_json import dumps, show_json
from archiver.store import Store

ALL = 2**31 - 1


def article_rows(store: Store, article_id: int) -> list[dict[str, Any]]:
    """One object per version of the article, oldest first."""
    article = store.article(article_id)
    return [show_json(article, version) for version in store.versions(article_id)]


def rows(store: Store, article_ids: Iterable[int]) -> Iterator[dict[str, Any]]:
    for article_id in article_ids:
        yield from article_rows(store, article_id)


def filtered_ids(store: Store, *, site: str | None, since: datetime | None) -> list[int]:
    """The articles ``archiver export`` takes: newest first, from ``site``, since ``since``."""
    return [s.id for s in store.list_articles(limit=ALL, site=site, since=since)]


def line(row: dict[str, Any]) -> str:
    """One JSON object on one line (no raw newline can appear inside: JSON escapes them)."""
    return dumps(row) + "\n"
