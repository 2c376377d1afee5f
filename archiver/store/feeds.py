"""The reads behind the Atom change feeds: the newest versions of the articles in a scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session, col, select

from archiver.records.feeds import FeedEntry, FeedScope
from archiver.store import queries, sources
from archiver.store.models import Article, Version

T = TypeVar("T")


def entries(session: Session, scope: FeedScope, limit: int) -> list[FeedEntry]:
    """Versions newest first (by creation, then id); an unknown article or source is an error."""
    stmt = select(Version, Article).join(Article, col(Article.id) == col(Version.article_id))
    if scope.article_id is not None:
        queries.get_article(session, scope.article_id)
        stmt = stmt.where(col(Version.article_id) == scope.article_id)
    if scope.site is not None:
        stmt = stmt.where(col(Article.site) == scope.site)
    if scope.source is not None:
        source = sources.get(session, scope.source)
        stmt = stmt.where(col(Article.source_id) == source.id)
    stmt = stmt.order_by(col(Version.created_at).desc(), col(Version.id).desc()).limit(limit)
    return [
        FeedEntry(
            article_id=article.id or 0,
            url=article.canonical_url,
            site=article.site,
            seq=version.seq,
            title=version.title,
            description=version.description,
            text=version.text,
            created_at=version.created_at,
        )
        for version, article in session.exec(stmt)
    ]


class FeedsMixin:
    """Feed reads as ``Store`` methods (``Store`` provides ``_read``)."""

    def _read(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def feed_entries(self, scope: FeedScope, *, limit: int = 50) -> list[FeedEntry]:
        """The ``limit`` newest versions of the articles in ``scope``, newest first."""
        return self._read("reading a feed", lambda s: entries(s, scope, limit))
