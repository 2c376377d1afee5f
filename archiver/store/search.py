"""Full-text search: the one module with dialect-specific SQL for indexing and querying.

Each article has one entry in ``article_fts`` covering its *current* title and
text, replaced whenever a new version is recorded or re-extracted (migration
0007 made the index as it is):

* SQLite: an FTS5 table (rowid = article id) with the ``porter unicode61
  remove_diacritics 2`` tokenizer: words are stemmed with the Porter (English)
  rules for every language (``meeting`` finds ``meetings``; ``Gespräch`` finds
  ``Gespräche`` too), case and accents are folded. Ranked with ``bm25`` (title
  weighted 10x), snippets from ``snippet()``.
* PostgreSQL: a ``tsvector`` per article (title weight A, text weight B) with a
  GIN index, built with the text search configuration of the article's
  language (``german`` for ``de``, ``english`` for ``en``; ``simple``, which
  does not stem, when the language is unknown or has none: Japanese), kept in
  the ``config`` column. A query is normalized once per configuration and each
  article is matched (and ranked) with its own. ``ts_rank_cd`` ranks,
  ``ts_headline`` over the current version's text makes the snippets.

CJK text is indexed one character per token on both (``search_query``).
Prefix queries (``word*``) match the stemmed form: ``denuclear*`` finds
``denuclearization``, a prefix reaching past a word's stem may not.
The SQL is assembled only from fixed fragments; every value is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from archiver.errors import StoreError
from archiver.records.articles import SNIPPET_MARK_END, SNIPPET_MARK_START
from archiver.store.search_query import (
    CJK_CLASS,
    INDEX_STRIP,
    PG_CONFIGS,
    QUERY_SYNTAX,
    SEPARATOR,
    ParsedQuery,
    Phrase,
    clean_snippet,
    fts5_expression,
    parse_query,
    pg_config,
    segment,
)

__all__ = [
    "QUERY_SYNTAX", "SEPARATOR", "Match", "ParsedQuery", "RawHit", "clean_snippet",
    "fts5_expression", "hits", "index_article", "matching", "parse_query", "pg_config", "search",
]  # fmt: skip

INDEX_MAX_CHARS = 500_000
"""Text beyond this is not indexed (a PostgreSQL tsvector is capped at 1 MB)."""

_SNIPPET_WORDS = 24
_ELLIPSIS = " … "
_CONFIGS = sorted({*PG_CONFIGS.values(), "simple"})

_PG_LANGUAGE = (
    "SELECT v.language FROM article AS a"
    " JOIN version AS v ON v.article_id = a.id AND v.seq = a.version_count WHERE a.id = :id"
)
_PG_INDEX = (
    "INSERT INTO article_fts (article_id, config, document)"
    " SELECT :id, c.config, setweight(to_tsvector(c.config, :title), 'A')"
    "  || setweight(to_tsvector(c.config, :text), 'B')"
    " FROM (SELECT coalesce((SELECT t.oid::regconfig FROM pg_ts_config AS t"
    "  WHERE t.cfgname = :config AND t.cfgnamespace = 'pg_catalog'::regnamespace),"
    "  'simple'::regconfig) AS config) AS c"
    " ON CONFLICT (article_id) DO UPDATE"
    " SET config = excluded.config, document = excluded.document"
)
_PG_QUERIES = (  # the query under every configuration the server has; all of them ORed
    # search the GIN index once (hit), then each hit is checked with its own configuration
    "WITH q AS MATERIALIZED (SELECT c.config, {tsquery} AS query"
    " FROM (SELECT t.oid::regconfig AS config FROM pg_ts_config AS t"
    "  WHERE t.cfgnamespace = 'pg_catalog'::regnamespace AND t.cfgname = ANY(:configs)) AS c),"
    " anyq AS (SELECT string_agg(DISTINCT '(' || query::text || ')', ' | ')::tsquery AS query"
    "  FROM q WHERE numnode(query) > 0),"
    " hit AS MATERIALIZED (SELECT f.article_id, f.config, f.document FROM article_fts AS f"
    "  WHERE f.document @@ (SELECT anyq.query FROM anyq))"
)
_PG_MATCHES = (
    " FROM hit AS f JOIN q ON q.config = f.config JOIN article AS a ON a.id = f.article_id"
    " WHERE f.document @@ q.query"
)
_PG_HEADLINE = (
    "ts_headline(top.config, regexp_replace(translate(v.text, :strip, ''), :cjk, :apart, 'g'),"
    " top.query, :options)"
)


@dataclass(frozen=True, slots=True)
class RawHit:
    article_id: int
    rank: float  # lower is better
    snippet: str


@dataclass(frozen=True, slots=True)
class Match:
    """The SQL of one parsed query on one dialect, to be completed by a filter on ``a``
    (``article AS a``): ``where`` is fixed SQL fragments starting with `` AND``."""

    dialect: str
    params: dict[str, Any]
    prefix: str  # a WITH clause, or ""

    def count(self, where: str) -> str:
        base = _PG_MATCHES if self.dialect == "postgresql" else _SQLITE_MATCHES
        return f"{self.prefix}SELECT count(*){base}{where}"

    def rows(self, where: str, limit: int, offset: int) -> tuple[str, dict[str, Any]]:
        """SQL selecting (article id, rank: lower is better, snippet), best first."""
        params = self.params | {"limit": limit, "offset": offset}
        if self.dialect == "sqlite":
            sql = (
                "SELECT article_fts.rowid, bm25(article_fts, 10.0, 1.0) AS rank,"
                " snippet(article_fts, 1, :start, :end, :ellipsis, :words)"
                f"{_SQLITE_MATCHES}{where}"
                " ORDER BY rank, article_fts.rowid DESC LIMIT :limit OFFSET :offset"
            )
            params |= {"start": SNIPPET_MARK_START, "end": SNIPPET_MARK_END,
                       "ellipsis": _ELLIPSIS, "words": _SNIPPET_WORDS}  # fmt: skip
            return sql, params
        sql = (
            f"{self.prefix}, top AS (SELECT f.article_id, f.config, q.query,"  # noqa: S608
            f"  ts_rank_cd(f.document, q.query) AS score{_PG_MATCHES}{where}"
            "  ORDER BY score DESC, f.article_id DESC LIMIT :limit OFFSET :offset)"
            f" SELECT top.article_id, -top.score, {_PG_HEADLINE}"
            " FROM top JOIN article AS a ON a.id = top.article_id"
            " JOIN version AS v ON v.article_id = a.id AND v.seq = a.version_count"
            " ORDER BY top.score DESC, top.article_id DESC"
        )
        params |= {
            "strip": INDEX_STRIP,
            "cjk": CJK_CLASS,
            "apart": f"{SEPARATOR}\\&{SEPARATOR}",
            "options": (
                f"StartSel={SNIPPET_MARK_START}, StopSel={SNIPPET_MARK_END},"
                f" MaxWords={_SNIPPET_WORDS}, MinWords={_SNIPPET_WORDS // 2},"
                f' MaxFragments=2, FragmentDelimiter="{_ELLIPSIS}"'
            ),
        }
        return sql, params


_SQLITE_MATCHES = (
    " FROM article_fts JOIN article AS a ON a.id = article_fts.rowid WHERE article_fts MATCH :query"
)


def tsquery_operand(p: Phrase) -> str:
    """One phrase as ``to_tsquery`` input: quoted tokens joined by ``<->``, ``:*`` if prefix."""
    return " <-> ".join(f"'{w}'" for w in p.words) + (":*" if p.prefix else "")  # no quotes in w


def tsquery_template(parsed: ParsedQuery, config: str) -> tuple[str, dict[str, str]]:
    """SQL for the tsquery of ``parsed`` under the regconfig expression ``config``, and its
    bound parameters (``:tq0``, ``:tq1``, ...: the operands)."""
    params: dict[str, str] = {}

    def operand(p: Phrase) -> str:
        name = f"tq{len(params)}"
        params[name] = tsquery_operand(p)
        return f"to_tsquery({config}, :{name})"

    expr = " && ".join("(" + " || ".join(map(operand, g)) + ")" for g in parsed.groups)
    if parsed.excluded:
        expr = f"({expr}) && !!({' || '.join(map(operand, parsed.excluded))})"
    return expr, params


def matching(dialect: str, parsed: ParsedQuery) -> Match:
    """The SQL finding ``parsed`` (which has at least one group) on ``dialect``."""
    if dialect == "sqlite":
        return Match(dialect, {"query": fts5_expression(parsed)}, "")
    if dialect == "postgresql":
        tsquery, params = tsquery_template(parsed, "c.config")
        return Match(dialect, {**params, "configs": _CONFIGS}, _PG_QUERIES.format(tsquery=tsquery))
    raise StoreError(f"full-text search is not available on {dialect}")


def index_article(conn: Connection, article_id: int, title: str | None, body: str) -> None:
    """Make ``title`` + ``body`` the searchable content of the article (replacing any before).

    On PostgreSQL the configuration follows the language of the article's
    current version, which must be written (flushed) already.
    """
    params: dict[str, Any] = {
        "id": article_id,
        "title": segment(title or ""),
        "text": segment(body[:INDEX_MAX_CHARS]),
    }
    dialect = conn.dialect.name
    if dialect == "sqlite":
        conn.execute(text("DELETE FROM article_fts WHERE rowid = :id"), params)
        conn.execute(
            text("INSERT INTO article_fts (rowid, title, text) VALUES (:id, :title, :text)"),
            params,
        )
    elif dialect == "postgresql":
        language = conn.execute(text(_PG_LANGUAGE), params).scalar()
        conn.execute(text(_PG_INDEX), params | {"config": pg_config(language)})
    else:
        raise StoreError(f"full-text search is not available on {dialect}")


def hits(conn: Connection, match: Match, where: str, params: dict[str, Any],
         limit: int, offset: int) -> list[RawHit]:  # fmt: skip
    """The matching rows under the filter ``where`` (with its ``params``), best first."""
    sql, bound = match.rows(where, limit, offset)
    rows = conn.execute(text(sql), bound | params)
    return [RawHit(int(r[0]), float(r[1]), clean_snippet(str(r[2] or ""))) for r in rows]


def search(conn: Connection, query: str, limit: int) -> list[RawHit]:
    """Best matches first; an empty or punctuation-only query matches nothing."""
    parsed = parse_query(query)
    if not parsed.groups or limit <= 0:
        return []
    return hits(conn, matching(conn.dialect.name, parsed), "", {}, limit, 0)
