"""Read queries for browsing the archive: keyset pages, filter counts, filtered search.

The web UI and its JSON API read through these (as ``Store`` methods, via
``BrowseMixin``). Pages of articles use *keyset* pagination on
``(first_seen, id)`` — the order of the index ``ix_article_first_seen`` — so
page 500 costs what page 1 costs: the query seeks to the cursor instead of
skipping rows. Ranked search pages use an offset: ranking has to score every
match anyway, so skipping ranked rows costs nothing extra.

Filtered search (dialect-specific SQL, like ``search.py``) is in ``browse_search.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from archiver.errors import InputError
from archiver.records.browse import (
    FACET_LIMIT,
    AliasView,
    ArticleCounts,
    ArticleFilter,
    ArticlePage,
    CaptureStats,
    Cursor,
    FacetCount,
    SearchPage,
)
from archiver.store import queries
from archiver.store.models import Alias, Article, Capture, Source

T = TypeVar("T")


def _conditions(filt: ArticleFilter, *, skip: str = "") -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filt.site is not None and skip != "site":
        found.append(col(Article.site) == filt.site)
    if filt.source is not None and skip != "source":
        source_id = select(Source.id).where(Source.name == filt.source).scalar_subquery()
        found.append(col(Article.source_id) == source_id)
    if filt.since is not None:
        found.append(col(Article.first_seen) >= filt.since)
    if filt.until is not None:
        found.append(col(Article.first_seen) < filt.until)
    return found


def page_statement(
    filt: ArticleFilter, limit: int, after: Cursor | None, before: Cursor | None
) -> SelectOfScalar[int | None]:
    """The ids of one keyset page (plus one more, to tell whether another page follows)."""
    if after is not None and before is not None:
        raise InputError("give one page cursor, not both 'after' and 'before'")
    seen, ident = col(Article.first_seen), col(Article.id)
    stmt = select(ident).where(*_conditions(filt))
    if before is None:
        if after is not None:  # seek on first_seen (an index range); the OR only trims ties
            stmt = stmt.where(
                seen <= after.first_seen, or_(seen < after.first_seen, ident < after.id)
            )
        stmt = stmt.order_by(seen.desc(), ident.desc())
    else:
        stmt = stmt.where(
            seen >= before.first_seen, or_(seen > before.first_seen, ident > before.id)
        ).order_by(seen.asc(), ident.asc())
    return stmt.limit(limit + 1)


def page(
    session: Session, filt: ArticleFilter, limit: int, after: Cursor | None, before: Cursor | None
) -> ArticlePage:
    """``limit`` articles newest first: the first page, the page older than ``after``,
    or the page newer than ``before``."""
    stmt = page_statement(filt, limit, after, before)
    ids = [i for i in session.exec(stmt) if i is not None]
    more = len(ids) > limit
    ids = ids[:limit]
    if before is not None:
        ids.reverse()
    found = queries.summaries_by_id(session, ids)
    items = [found[i] for i in ids if i in found]
    if not items:
        return ArticlePage([], None, None)
    newer = more if before is not None else after is not None
    older = more if before is None else True
    return ArticlePage(
        items,
        newer=Cursor.of(items[0]) if newer else None,
        older=Cursor.of(items[-1]) if older else None,
    )


def counts(session: Session, filt: ArticleFilter) -> ArticleCounts:
    total = session.exec(select(func.count(col(Article.id))).where(*_conditions(filt))).one()
    n = func.count(col(Article.id)).label("n")
    site_rows = session.exec(
        select(col(Article.site), n)
        .where(*_conditions(filt, skip="site"))
        .group_by(col(Article.site))
        .order_by(n.desc(), col(Article.site))
        .limit(FACET_LIMIT)
    )
    source_rows = session.exec(
        select(col(Source.name), n)
        .join(Source, col(Source.id) == col(Article.source_id))
        .where(*_conditions(filt, skip="source"))
        .group_by(col(Source.name))
        .order_by(n.desc(), col(Source.name))
        .limit(FACET_LIMIT)
    )
    return ArticleCounts(
        total=int(total),
        sites=[FacetCount(site, int(count)) for site, count in site_rows],
        sources=[FacetCount(name, int(count)) for name, count in source_rows],
    )


def aliases(session: Session, article_id: int) -> list[AliasView]:
    queries.get_article(session, article_id)
    rows = session.exec(
        select(Alias.url, Alias.created_at)
        .where(Alias.article_id == article_id)
        .order_by(col(Alias.created_at), col(Alias.id))
    )
    return [AliasView(url, created) for url, created in rows]


def capture_stats(session: Session, article_id: int) -> CaptureStats:
    queries.get_article(session, article_id)
    mine = Capture.article_id == article_id
    count, errors, first, last = session.exec(
        select(
            func.count(col(Capture.id)),
            func.count(col(Capture.error)),
            func.min(col(Capture.fetched_at)),
            func.max(col(Capture.fetched_at)),
        ).where(mine)
    ).one()
    last_error = session.exec(
        select(Capture.error)
        .where(mine, col(Capture.error).is_not(None))
        .order_by(col(Capture.fetched_at).desc(), col(Capture.id).desc())
        .limit(1)
    ).first()
    # min()/max() take the column's type, so they come back as aware UTC datetimes.
    return CaptureStats(int(count), int(errors), first, last, last_error)


class BrowseMixin:
    """The browsing reads as ``Store`` methods (``Store`` provides ``_read``)."""

    def _read(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def browse(
        self,
        filt: ArticleFilter | None = None,
        *,
        limit: int = 25,
        after: Cursor | None = None,
        before: Cursor | None = None,
    ) -> ArticlePage:
        """A page of articles, newest first by first seen (keyset pagination)."""
        chosen = filt or ArticleFilter()
        return self._read("listing articles", lambda s: page(s, chosen, limit, after, before))

    def browse_counts(self, filt: ArticleFilter | None = None) -> ArticleCounts:
        """How many articles match, in total and per site / per source."""
        chosen = filt or ArticleFilter()
        return self._read("counting articles", lambda s: counts(s, chosen))

    def search_filtered(
        self, query: str, filt: ArticleFilter | None = None, *, limit: int = 20, offset: int = 0
    ) -> SearchPage:
        """Full-text search under a filter, best first, with the total number of matches."""
        from archiver.store.browse_search import search_page  # it imports this module

        chosen = filt or ArticleFilter()
        return self._read(
            "searching", lambda s: search_page(s, query, chosen, limit, max(0, offset))
        )

    def aliases(self, article_id: int) -> list[AliasView]:
        """Every URL that reached the article, in the order archiver met them."""
        return self._read("reading aliases", lambda s: aliases(s, article_id))

    def capture_stats(self, article_id: int) -> CaptureStats:
        return self._read("reading captures", lambda s: capture_stats(s, article_id))
