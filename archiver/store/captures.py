"""Reads of captures one by one and in bulk: the raw snapshot view and the WARC export.

``capture_view`` turns a row into the plain ``CaptureView`` (``queries.py``
lists an article's captures with it too); the response headers are stored as
JSON text of ``[name, value]`` pairs since revision 0005, and read back as a
tuple of pairs (None for older captures, whose headers were not kept).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import or_
from sqlmodel import Session, col, select

from archiver.errors import NotFoundError, StoreError
from archiver.records.articles import CaptureView, require_aware
from archiver.store.models import Article, Capture

T = TypeVar("T")
MAX_ID = 2**63 - 1


def stored_headers(text: str | None) -> tuple[tuple[str, str], ...] | None:
    if text is None:
        return None
    try:
        pairs = json.loads(text)
        return tuple((str(name), str(value)) for name, value in pairs)
    except (ValueError, TypeError) as exc:
        raise StoreError(f"stored capture headers are not a list of pairs: {exc}") from exc


def capture_view(r: Capture) -> CaptureView:
    return CaptureView(
        id=r.id or 0,
        article_id=r.article_id,
        source_id=r.source_id,
        requested_url=r.requested_url,
        final_url=r.final_url,
        status=r.status,
        etag=r.etag,
        last_modified=r.last_modified,
        content_type=r.content_type,
        body_hash=r.body_hash,
        fetched_at=r.fetched_at,
        error=r.error,
        headers=stored_headers(r.headers),
        charset=r.charset,
    )


def one(session: Session, capture_id: int) -> CaptureView:
    row = session.get(Capture, capture_id) if 0 < capture_id <= MAX_ID else None
    if row is None:
        raise NotFoundError(f"no capture has id {capture_id}")
    return capture_view(row)


def for_export(
    session: Session, *, site: str | None, since: datetime | None, after: int, limit: int
) -> list[CaptureView]:
    """Captures of the articles that match with a stored body or a 304, by id."""
    answered = or_(col(Capture.body_hash).is_not(None), col(Capture.status) == 304)
    stmt = (
        select(Capture)
        .join(Article, col(Article.id) == col(Capture.article_id))
        .where(col(Capture.id) > after, answered)
    )
    if site is not None:
        stmt = stmt.where(col(Article.site) == site)
    if since is not None:
        stmt = stmt.where(col(Article.first_seen) >= since)
    rows = session.exec(stmt.order_by(col(Capture.id)).limit(limit))
    return [capture_view(r) for r in rows]


class CapturesMixin:
    """Capture reads as ``Store`` methods (``Store`` provides ``_read``)."""

    def _read(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def capture(self, capture_id: int) -> CaptureView:
        """One capture by id (NotFoundError if there is none)."""
        return self._read("reading a capture", lambda s: one(s, capture_id))

    def export_captures(
        self, *, site: str | None = None, since: datetime | None = None, after: int = 0,
        limit: int = 500,
    ) -> list[CaptureView]:  # fmt: skip
        """A batch of captures with a stored body (or a 304), by id, after id ``after``, of
        articles from ``site`` first seen at or after ``since`` (like the other exports)."""
        if since is not None:
            require_aware(since)
        return self._read(
            "reading captures",
            lambda s: for_export(s, site=site, since=since, after=after, limit=limit),
        )
