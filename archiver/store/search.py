"""Full-text search: the one module with dialect-specific SQL for indexing and querying.

Each article has one entry in ``article_fts`` covering its *current* title and
text, replaced whenever a new version is recorded (the migrations create it):

* SQLite: an FTS5 table (rowid = article id), ranked with ``bm25`` (title
  weighted 10x) and ``snippet()``.
* PostgreSQL: a ``tsvector`` per article (title weight A, text weight B) with a
  GIN index, ranked with ``ts_rank_cd``; snippets from ``ts_headline`` over the
  current version's text.

Both use language-neutral tokenization (FTS5 ``unicode61``, PostgreSQL
``simple``): news comes in every language and a wrong stemmer is worse than none.

User queries follow web-search conventions on both: words are ANDed, ``"a b"``
is a phrase, ``or`` between terms means OR and ``-word`` excludes. Nothing a
person types may reach the SQL engine as syntax: on SQLite the query is
rebuilt from bare word tokens, each quoted; PostgreSQL's
``websearch_to_tsquery`` never raises on malformed input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from archiver.errors import StoreError
from archiver.records.articles import SNIPPET_MARK_END, SNIPPET_MARK_START

INDEX_MAX_CHARS = 500_000
"""Text beyond this is not indexed (a PostgreSQL tsvector is capped at 1 MB)."""

_SNIPPET_WORDS = 24
_ELLIPSIS = " … "
_WORD = re.compile(r"\w+")
_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|([^\s"]+)')  # a quote opens a phrase anywhere
_MARKS = str.maketrans("", "", SNIPPET_MARK_START + SNIPPET_MARK_END + "\x00")


@dataclass(frozen=True, slots=True)
class RawHit:
    article_id: int
    rank: float  # lower is better
    snippet: str


@dataclass(slots=True)
class ParsedQuery:
    """A web-search style query as groups of phrases: AND of (OR of phrases), minus exclusions."""

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)
    excluded: list[tuple[str, ...]] = field(default_factory=list)


def parse_query(query: str) -> ParsedQuery:
    """Split what a person typed into phrases of plain words; punctuation is dropped."""
    parsed = ParsedQuery()
    pending_or = False
    for match in _QUERY_TOKEN.finditer(query):
        negate, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                pending_or = bool(parsed.groups)
                continue
            negate, quoted = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        words = tuple(_WORD.findall(quoted or ""))
        if not words:
            continue
        if negate:
            parsed.excluded.append(words)
        elif pending_or:
            parsed.groups[-1].append(words)
        else:
            parsed.groups.append([words])
        pending_or = False
    return parsed


def fts5_expression(parsed: ParsedQuery) -> str | None:
    """An FTS5 MATCH expression built only from quoted word phrases (None: match nothing)."""
    if not parsed.groups:
        return None

    def phrase(words: tuple[str, ...]) -> str:
        return '"' + " ".join(words) + '"'  # \w+ tokens never contain a quote

    expr = " AND ".join("(" + " OR ".join(map(phrase, g)) + ")" for g in parsed.groups)
    if parsed.excluded:
        expr = f"({expr}) NOT ({' OR '.join(map(phrase, parsed.excluded))})"
    return expr


def index_article(conn: Connection, article_id: int, title: str | None, body: str) -> None:
    """Make ``title`` + ``body`` the searchable content of the article (replacing any before)."""
    params = {
        "id": article_id,
        "title": (title or "").translate(_MARKS),
        "text": body[:INDEX_MAX_CHARS].translate(_MARKS),
    }
    dialect = conn.dialect.name
    if dialect == "sqlite":
        conn.execute(text("DELETE FROM article_fts WHERE rowid = :id"), params)
        conn.execute(
            text("INSERT INTO article_fts (rowid, title, text) VALUES (:id, :title, :text)"),
            params,
        )
    elif dialect == "postgresql":
        conn.execute(
            text(
                "INSERT INTO article_fts (article_id, document) VALUES (:id,"
                " setweight(to_tsvector('simple', :title), 'A')"
                " || setweight(to_tsvector('simple', :text), 'B'))"
                " ON CONFLICT (article_id) DO UPDATE SET document = excluded.document"
            ),
            params,
        )
    else:
        raise StoreError(f"full-text search is not available on {dialect}")


def search(conn: Connection, query: str, limit: int) -> list[RawHit]:
    """Best matches first; an empty or punctuation-only query matches nothing."""
    parsed = parse_query(query)
    if not parsed.groups or limit <= 0:
        return []
    dialect = conn.dialect.name
    if dialect == "sqlite":
        expression = fts5_expression(parsed)
        assert expression is not None
        rows = conn.execute(
            text(
                "SELECT rowid, bm25(article_fts, 10.0, 1.0) AS rank,"
                " snippet(article_fts, 1, :start, :end, :ellipsis, :words)"
                " FROM article_fts WHERE article_fts MATCH :query"
                " ORDER BY rank, rowid DESC LIMIT :limit"
            ),
            {
                "query": expression,
                "start": SNIPPET_MARK_START,
                "end": SNIPPET_MARK_END,
                "ellipsis": _ELLIPSIS,
                "words": _SNIPPET_WORDS,
                "limit": limit,
            },
        )
    elif dialect == "postgresql":
        rows = conn.execute(
            text(
                "WITH q AS (SELECT websearch_to_tsquery('simple', :query) AS query),"
                " top AS (SELECT f.article_id, ts_rank_cd(f.document, q.query) AS score"
                "  FROM article_fts AS f CROSS JOIN q WHERE f.document @@ q.query"
                "  ORDER BY score DESC, f.article_id DESC LIMIT :limit)"
                " SELECT top.article_id, -top.score,"
                "  ts_headline('simple', translate(v.text, chr(2) || chr(3), ''), q.query,"
                "   :options)"
                " FROM top CROSS JOIN q"
                " JOIN article AS a ON a.id = top.article_id"
                " JOIN version AS v ON v.article_id = a.id AND v.seq = a.version_count"
                " ORDER BY top.score DESC, top.article_id DESC"
            ),
            {
                "query": query.replace("\x00", " "),
                "limit": limit,
                "options": (
                    f"StartSel={SNIPPET_MARK_START}, StopSel={SNIPPET_MARK_END},"
                    f" MaxWords={_SNIPPET_WORDS}, MinWords={_SNIPPET_WORDS // 2},"
                    f' MaxFragments=2, FragmentDelimiter="{_ELLIPSIS}"'
                ),
            },
        )
    else:
        raise StoreError(f"full-text search is not available on {dialect}")
    return [RawHit(int(r[0]), float(r[1]), str(r[2] or "")) for r in rows]
