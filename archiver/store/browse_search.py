"""Full-text search under an ``ArticleFilter`` (``browse.py``), with the total count.

The match SQL comes from ``search.py`` (the dialect-specific module); the match
and the article filters run as one query, so a filter never hides hits that a
plain top-N search would have cut off. The SQL is assembled only from fixed
fragments; every value a person typed is a bound parameter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import TextClause, bindparam, text
from sqlmodel import Session

from archiver.records.articles import SearchHit
from archiver.records.browse import ArticleFilter, SearchPage
from archiver.store import queries, search
from archiver.store.models import UTCDateTime

BY_LANGUAGE = (
    "EXISTS (SELECT 1 FROM version AS v"
    " WHERE v.article_id = a.id AND v.seq = a.version_count AND v.language = :language)"
)
BY_AUTHOR = {  # the current version's authors (a JSON array) as rows
    "postgresql": (
        "EXISTS (SELECT 1 FROM version AS v, json_array_elements_text(v.authors) AS j(value)"
        " WHERE v.article_id = a.id AND v.seq = a.version_count AND j.value = :author)"
    ),
    "sqlite": (
        "EXISTS (SELECT 1 FROM version AS v, json_each(v.authors) AS j"
        " WHERE v.article_id = a.id AND v.seq = a.version_count AND j.value = :author)"
    ),
}


def _sql_filter(filt: ArticleFilter, dialect: str) -> tuple[str, dict[str, Any]]:
    """The filter as SQL over ``article AS a`` for the hand-written search queries
    (the same conditions as ``browse._conditions``)."""
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
    if filt.language is not None:
        parts.append(BY_LANGUAGE)
        params["language"] = filt.language
    if filt.author is not None:
        parts.append(BY_AUTHOR.get(dialect, BY_AUTHOR["sqlite"]))
        params["author"] = filt.author
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
    conn = session.connection()
    where, params = _sql_filter(filt, conn.dialect.name)
    match = search.matching(conn.dialect.name, parsed)
    params |= match.params
    total = int(conn.execute(_query(match.count(where), params), params).scalar_one())
    sql, bound = match.rows(where, limit, offset)
    params |= bound
    rows = [(int(r[0]), float(r[1]), search.clean_snippet(str(r[2] or "")))
            for r in conn.execute(_query(sql, params), params)]  # fmt: skip
    found = queries.summaries_by_id(session, [r[0] for r in rows])
    hits = [SearchHit(found[i], snippet, rank) for i, rank, snippet in rows if i in found]
    return SearchPage(hits, total)
