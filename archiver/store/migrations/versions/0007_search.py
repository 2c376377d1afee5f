"""Search in every language: stemmed words, CJK characters, per-language PostgreSQL configs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

Written by hand and frozen, like the revisions before it. The full-text index
``article_fts`` (``archiver.store.search``) changes and is rebuilt from each
article's current version:

* SQLite: the FTS5 table is recreated with the ``porter unicode61
  remove_diacritics 2`` tokenizer (was ``unicode61 remove_diacritics 2``):
  words are stemmed, so ``meeting`` finds ``meetings``.
* PostgreSQL: ``article_fts.config`` (``regconfig``), the text search
  configuration of the article's language (``english``, ``german``, ...;
  ``simple`` when there is none), which its ``document`` is built with.
* Both: every Chinese, Japanese or Korean character is indexed as a token of
  its own (set apart by U+001F before tokenizing), so CJK words of any length
  are found inside a sentence.

The text preparation and the language table below are frozen copies of what
``archiver.store.search_query`` did when this revision was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from alembic import op
from sqlalchemy import Connection, text

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0005"  # "0006" once it exists
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MAX_CHARS = 500_000
_SEPARATOR = "\x1f"
_STRIP = str.maketrans("", "", "\x02\x03\x1f\x00")
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u309f\u30a0-\u30ff\u3100-\u312f"
    "\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)
_CONFIGS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
_BATCH = 200

_CURRENT = (
    "SELECT a.id, v.title, v.text, v.language FROM article AS a"
    " JOIN version AS v ON v.article_id = a.id AND v.seq = a.version_count"
    " WHERE a.id > :after ORDER BY a.id LIMIT :batch"
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
_PG_INDEX_0001 = (
    "INSERT INTO article_fts (article_id, document) VALUES (:id,"
    " setweight(to_tsvector('simple', :title), 'A')"
    " || setweight(to_tsvector('simple', :text), 'B'))"
    " ON CONFLICT (article_id) DO UPDATE SET document = excluded.document"
)


def _segment(value: str) -> str:
    return _CJK.sub(lambda m: _SEPARATOR + m.group() + _SEPARATOR, value.translate(_STRIP))


def _config(language: str | None) -> str:
    code = re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0]
    return _CONFIGS.get(code, "simple")


def _rebuild(conn: Connection, sql: str, prepare: Callable[[str], str]) -> None:
    """Index every article's current version again with ``sql``, in batches by id."""
    after = 0
    while rows := conn.execute(text(_CURRENT), {"after": after, "batch": _BATCH}).all():
        for article_id, title, body, language in rows:
            conn.execute(
                text(sql),
                {"id": article_id, "title": prepare(title or ""),
                 "text": prepare(body[:_MAX_CHARS]), "config": _config(language)},
            )  # fmt: skip
        after = rows[-1][0]


def _sqlite_table(tokenize: str) -> None:
    op.execute("DROP TABLE article_fts")
    op.execute(f"CREATE VIRTUAL TABLE article_fts USING fts5(title, text, tokenize = '{tokenize}')")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _sqlite_table("porter unicode61 remove_diacritics 2")
        sql = "INSERT INTO article_fts (rowid, title, text) VALUES (:id, :title, :text)"
    else:
        op.execute("ALTER TABLE article_fts ADD COLUMN config REGCONFIG NOT NULL DEFAULT 'simple'")
        op.execute("ALTER TABLE article_fts ALTER COLUMN config DROP DEFAULT")
        sql = _PG_INDEX
    _rebuild(conn, sql, _segment)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _sqlite_table("unicode61 remove_diacritics 2")
        sql = "INSERT INTO article_fts (rowid, title, text) VALUES (:id, :title, :text)"
    else:
        op.execute("ALTER TABLE article_fts DROP COLUMN config")
        sql = _PG_INDEX_0001
    _rebuild(conn, sql, lambda value: value.translate(_STRIP))
