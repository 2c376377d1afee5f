"""JSON shape of captures (fetch attempts), shared by ``archiver captures --json`` and the API.

Keys are part of the public interface (README.md, *Captures*); times are ISO
8601 in UTC with a ``Z``. ``raw`` is the web path of what was fetched
(``/captures/<id>/raw``), or None when the capture stored no body.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archiver.browse_json import iso
from archiver.records.articles import ArticleView, CaptureView


def raw_path(capture: CaptureView) -> str | None:
    return f"/captures/{capture.id}/raw" if capture.body_hash else None


def capture_json(capture: CaptureView) -> dict[str, Any]:
    return {
        "capture_id": capture.id,
        "fetched_at": iso(capture.fetched_at),
        "status": capture.status,
        "requested_url": capture.requested_url,
        "final_url": capture.final_url,
        "content_type": capture.content_type,
        "body_hash": capture.body_hash,
        "error": capture.error,
        "raw": raw_path(capture),
    }


def captures_json(article: ArticleView, captures: Sequence[CaptureView]) -> dict[str, Any]:
    """The article's captures, newest first."""
    return {
        "article_id": article.id,
        "url": article.canonical_url,
        "captures": [capture_json(c) for c in captures],
    }
