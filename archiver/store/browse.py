"""Read queries for browsing the archive: keyset pages, filter counts, filtered search.

The web UI and its JSON API read through these (as ``Store`` methods, via
``BrowseMixin``). Pages of articles use *keyset* pagination on their sort key
and the id — by default ``(first_seen, id)``, the order of the index
``ix_article_first_seen``, so page 500 costs what page 1 costs: the query seeks
to the cursor instead of skipping rows. Other orders (published, last changed,
version count) seek the same way on the cursor article's own key. Ranked search
pages use an offset: ranking has to score every match anyway, so skipping ranked
rows costs nothing extra.

Filtered search (dialect-specific SQL, like ``search.py``) is in ``browse_search.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import Function
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
    Sort,
)
from archiver.store import queries
from archiver.store.models import Alias, Article, Capture, Source, UTCDateTime, Version

T = TypeVar("T")
Key = tuple[ColumnElement[Any], bool]  # a sort key and whether it runs descending


def _current(table: Any, version: Any = Version) -> ColumnElement[bool]:
    """``version`` is the current version of ``table`` (the article or an alias of it)."""
    return and_(version.article_id == table.id, version.seq == table.version_count)


def _author_values(dialect: str, version: Any = Version) -> Any:
    """The current version's authors as rows (``.c.value``): JSON arrays unnested."""
    if dialect == "postgresql":
        unnest: Function[Any] = func.json_array_elements_text(version.authors)
        return unnest.table_valued("value").render_derived()
    return func.json_each(version.authors).table_valued("value")


def _conditions(filt: ArticleFilter, dialect: str, *, skip: str = "") -> list[ColumnElement[bool]]:
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
    # The version tables of the conditions are their own: a facet query joins ``version``.
    if filt.language is not None and skip != "language":
        v = aliased(Version)
        lang = v.language == filt.language
        found.append(exists(select(literal(1)).select_from(v).where(_current(Article, v), lang)))
    if filt.author is not None and skip != "author":
        v = aliased(Version)
        names = _author_values(dialect, v)
        found.append(
            exists(
                select(literal(1))
                .select_from(v)
                .join(names, true())
                .where(_current(Article, v), names.c.value == filt.author)
            )
        )
    return found


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _changed(table: Any) -> ColumnElement[Any]:
    """When ``table``'s current version was made (its last change)."""
    made = select(col(Version.created_at)).where(_current(table)).scalar_subquery()
    return func.coalesce(made, table.first_seen)


def _keys(table: Any, sort: Sort) -> list[Key]:
    """The order of ``sort`` over ``table``, id last so that it is total."""
    down = sort.descending
    if sort.key == "published":  # undated articles last, whichever the direction
        undated = case((col(table.published).is_(None), 1), else_=0)
        return [(undated, False), (func.coalesce(table.published, ""), down), (table.id, down)]
    first = {"versions": table.version_count, "changed": _changed(table)}.get(
        sort.key, table.first_seen
    )
    return [(first, down), (table.id, down)]


def _edge(sort: Sort, cursor: Cursor) -> list[ColumnElement[Any]]:
    """The sort key values of the cursor's article (for first seen: the cursor's own)."""
    if sort.key == "first_seen":
        return [literal(cursor.first_seen, UTCDateTime()), literal(cursor.id)]
    edge = aliased(Article)
    return [
        select(key).where(col(edge.id) == cursor.id).scalar_subquery()
        for key, _ in _keys(edge, sort)
    ]


def _beyond(keys: list[Key], edge: list[ColumnElement[Any]], forward: bool) -> ColumnElement[bool]:
    """Rows after (``forward``) or before the edge in the order of ``keys`` (a keyset seek)."""

    def step(i: int) -> ColumnElement[bool]:
        key, down = keys[i]
        return key < edge[i] if down == forward else key > edge[i]

    ties = [keys[i][0] == edge[i] for i in range(len(keys))]
    key, down = keys[0]
    bound = key <= edge[0] if down == forward else key >= edge[0]  # a range on the first key
    return and_(bound, or_(*(and_(*ties[:i], step(i)) for i in range(len(keys)))))


def page_statement(
    filt: ArticleFilter,
    limit: int,
    after: Cursor | None,
    before: Cursor | None,
    sort: Sort | None = None,
    dialect: str = "sqlite",
) -> SelectOfScalar[int | None]:
    """The ids of one keyset page (plus one more, to tell whether another page follows)."""
    if after is not None and before is not None:
        raise InputError("give one page cursor, not both 'after' and 'before'")
    sort = sort or Sort()
    keys = _keys(Article, sort)
    stmt = select(col(Article.id)).where(*_conditions(filt, dialect))
    forward = before is None
    cursor = after if forward else before
    if cursor is not None:
        stmt = stmt.where(_beyond(keys, _edge(sort, cursor), forward))
    order = [k.desc() if down == forward else k.asc() for k, down in keys]
    return stmt.order_by(*order).limit(limit + 1)


def _changed_at(session: Session, ids: list[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    rows = session.exec(
        select(col(Version.article_id), col(Version.created_at))
        .join(Article, _current(Article))
        .where(col(Version.article_id).in_(ids))
    )
    return dict(rows.all())


def page(
    session: Session,
    filt: ArticleFilter,
    limit: int,
    after: Cursor | None,
    before: Cursor | None,
    sort: Sort,
) -> ArticlePage:
    """``limit`` articles in the order of ``sort`` (newest first seen first): the first page,
    the page after ``after``, or the page before ``before``."""
    stmt = page_statement(filt, limit, after, before, sort, _dialect(session))
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
        changed=_changed_at(session, ids),
    )


def _facet(
    session: Session,
    value: Any,
    where: list[ColumnElement[bool]],
    *,
    via: str = "",
    unnest: Any = None,
) -> list[FacetCount]:
    """The biggest values of ``value`` among the articles ``where`` selects, with counts;
    ``via``: what the value lives in (the source, the current version), ``unnest``: the
    rows of a JSON array of that version (its authors)."""
    n = func.count(col(Article.id)).label("n")
    stmt = select(value, n).select_from(Article)
    if via == "source":
        stmt = stmt.join(Source, col(Source.id) == col(Article.source_id))
    elif via:
        stmt = stmt.join(Version, _current(Article))
    if unnest is not None:
        stmt = stmt.join(unnest, true())
    stmt = stmt.where(*where, value.is_not(None))
    rows = session.exec(stmt.group_by(value).order_by(n.desc(), value).limit(FACET_LIMIT))
    return [FacetCount(str(v), int(count)) for v, count in rows]


def counts(session: Session, filt: ArticleFilter) -> ArticleCounts:
    dialect = _dialect(session)

    def where(skip: str) -> list[ColumnElement[bool]]:
        return _conditions(filt, dialect, skip=skip)

    total = session.exec(select(func.count(col(Article.id))).where(*where(""))).one()
    names = _author_values(dialect)
    return ArticleCounts(
        total=int(total),
        sites=_facet(session, col(Article.site), where("site")),
        sources=_facet(session, col(Source.name), where("source"), via="source"),
        authors=_facet(session, names.c.value, where("author"), via="version", unnest=names),
        languages=_facet(session, col(Version.language), where("language"), via="version"),
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
        sort: Sort | None = None,
    ) -> ArticlePage:
        """A page of articles, newest first by first seen unless ``sort`` says otherwise
        (keyset pagination, whatever the order)."""
        chosen, order = filt or ArticleFilter(), sort or Sort()
        return self._read(
            "listing articles", lambda s: page(s, chosen, limit, after, before, order)
        )

    def browse_counts(self, filt: ArticleFilter | None = None) -> ArticleCounts:
        """How many articles match, in total and per site / source / author / language."""
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
