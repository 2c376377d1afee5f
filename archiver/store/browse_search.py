"""Full-text search under an ``ArticleFilter`` (``browse.py``), with the total count.

Dialect-specific like ``search.py``, whose query parsing it reuses: the match
and the article filters run as one query, so a filter never hides hits that a
plain top-N search would have cut off. The SQL is assembled only from fixed
fragments; every value a person typed is a bound parameter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import TextClause, bindparam, text
from sqlmodel import Session

from archiver.errors import StoreError
from archiver.records.articles import SNIPPET_MARK_END, SNIPPET_MARK_START, SearchHit
from archiver.records.browse import ArticleFilter, SearchPage
from archiver.store import queries, search
from archiver.store.models import UTCDateTime

_SNIPPET_WORDS = 24
_ELLIPSIS = " … "


def _sql_filter(filt: ArticleFilter) -> tuple[str, dict[str, Any]]:
    """The filter as SQL over ``article AS a`` for the hand-written search queries."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    if filt.site is not None:
        parts.append("a.site = :site")
        params["site"] = filt.site
    if filt.source is not None:
        parts.append("a.source_id = (SELECT s.id FROM source AS s WHERE s.name = :source)")
        params["source"] = filt.source
    if filt.since is not None:
        parts.append("a.first_seen >= :since")
        params["since"] = filt.since
    if filt.until is not None:
        parts.append("a.first_seen < :until")
        params["until"] = filt.until
    return "".join(f" AND {p}" for p in parts), params


def _query(sql: str, params: dict[str, Any]) -> TextClause:
    stmt = text(sql)
    for name in ("since", "until"):
        if name in params:  # stored as UTCDateTime: bind through the same conversion
            stmt = stmt.bindparams(bindparam(name, type_=UTCDateTime()))
    return stmt


def search_page(
    session: Session, query: str, filt: ArticleFilter, limit: int, offset: int
) -> SearchPage:
    """Matches of ``query`` under ``filt``, best first, ``limit`` from ``offset``."""
    parsed = search.parse_query(query)
    if not parsed.groups or limit <= 0:
        return SearchPage([], 0)
    where, params = _sql_filter(filt)
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "sqlite":
        params["query"] = search.fts5_expression(parsed)
        base = (
            " FROM article_fts JOIN article AS a ON a.id = article_fts.rowid"
            f" WHERE article_fts MATCH :query{where}"
        )
        rows_sql = (
            "SELECT article_fts.rowid, bm25(article_fts, 10.0, 1.0) AS rank,"
            " snippet(article_fts, 1, :start, :end, :ellipsis, :words)"
            f"{base} ORDER BY rank, article_fts.rowid DESC LIMIT :limit OFFSET :offset"
        )
        extra = {"start": SNIPPET_MARK_START, "end": SNIPPET_MARK_END,
                 "ellipsis": _ELLIPSIS, "words": _SNIPPET_WORDS}  # fmt: skip
    elif dialect == "postgresql":
        params["query"] = query.replace("\x00", " ")
        base = (
            " FROM article_fts AS f JOIN article AS a ON a.id = f.article_id"
            f" WHERE f.document @@ websearch_to_tsquery('simple', :query){where}"
        )
        # Fixed fragments only (``where`` too); every value is a bound parameter.
        rows_sql = (
            "WITH q AS (SELECT websearch_to_tsquery('simple', :query) AS query),"  # noqa: S608
            " top AS (SELECT f.article_id, ts_rank_cd(f.document, q.query) AS score"
            "  FROM article_fts AS f CROSS JOIN q JOIN article AS a ON a.id = f.article_id"
            f"  WHERE f.document @@ q.query{where}"
            "  ORDER BY score DESC, f.article_id DESC LIMIT :limit OFFSET :offset)"
            " SELECT top.article_id, -top.score,"
            "  ts_headline('simple', translate(v.text, chr(2) || chr(3), ''), q.query, :options)"
            " FROM top CROSS JOIN q JOIN article AS a ON a.id = top.article_id"
            " JOIN version AS v ON v.article_id = a.id AND v.seq = a.version_count"
            " ORDER BY top.score DESC, top.article_id DESC"
        )
        extra = {
            "options": (
                f"StartSel={SNIPPET_MARK_START}, StopSel={SNIPPET_MARK_END},"
                f" MaxWords={_SNIPPET_WORDS}, MinWords={_SNIPPET_WORDS // 2},"
                f' MaxFragments=2, FragmentDelimiter="{_ELLIPSIS}"'
            )
        }
    else:
        raise StoreError(f"full-text search is not available on {dialect}")
    total = int(conn.execute(_query(f"SELECT count(*){base}", params), params).scalar_one())
    params |= extra | {"limit": limit, "offset": offset}
    rows = [(int(r[0]), float(r[1]), str(r[2] or ""))
            for r in conn.execute(_query(rows_sql, params), params)]  # fmt: skip
    found = queries.summaries_by_id(session, [r[0] for r in rows])
    hits = [SearchHit(found[i], snippet, rank) for i, rank, snippet in rows if i in found]
    return SearchPage(hits, total)
