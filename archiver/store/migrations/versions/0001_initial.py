"""Initial schema: sources, articles, aliases, bodies, captures, versions, full-text index.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Written by hand and frozen: it must not import the application's models, so
that it keeps creating exactly this schema however the models evolve.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=True),
        sa.Column("cron", sa.String(), nullable=True),
        sa.Column("include", sa.String(), nullable=True),
        sa.Column("exclude", sa.String(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("name", name="uq_source_name"),
        sa.CheckConstraint("kind IN ('feed', 'sitemap', 'page', 'url')", name="ck_source_kind"),
    )
    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("canonical_url", sa.String(), nullable=False),
        sa.Column("site", sa.String(), nullable=False),
        _ts("first_seen"),
        _ts("last_checked"),
        sa.Column("version_count", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.String(), nullable=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id"), nullable=True),
        sa.UniqueConstraint("canonical_url", name="uq_article_canonical_url"),
    )
    op.create_index("ix_article_first_seen", "article", ["first_seen", "id"])
    op.create_index("ix_article_site_first_seen", "article", ["site", "first_seen"])
    op.create_table(
        "alias",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("article.id"), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_alias_url", "alias", ["url"], unique=True)
    op.create_index("ix_alias_article_id", "alias", ["article_id"])
    op.create_table(
        "body",
        sa.Column("hash", sa.String(), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _ts("created_at"),
    )
    op.create_table(
        "capture",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("article.id"), nullable=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id"), nullable=True),
        sa.Column("requested_url", sa.String(), nullable=False),
        sa.Column("final_url", sa.String(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        sa.Column("content_type", sa.String(), nullable=True),
        sa.Column("body_hash", sa.String(), sa.ForeignKey("body.hash"), nullable=True),
        _ts("fetched_at"),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_capture_article_fetched", "capture", ["article_id", "fetched_at"])
    op.create_table(
        "version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("article.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("published", sa.String(), nullable=True),
        sa.Column("modified", sa.String(), nullable=True),
        sa.Column("site_name", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(), nullable=False),
        sa.Column("capture_id", sa.Integer(), sa.ForeignKey("capture.id"), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_version_article_seq", "version", ["article_id", "seq"], unique=True)
    _create_fulltext()


def _create_fulltext() -> None:
    """The search index over each article's current title + text (see search.py)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # rowid is the article id; remove_diacritics 2 folds accents everywhere.
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5("
            "title, text, tokenize = 'unicode61 remove_diacritics 2')"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE TABLE article_fts ("
            " article_id INTEGER PRIMARY KEY REFERENCES article (id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_article_fts_document ON article_fts USING gin (document)")
    else:
        raise NotImplementedError(f"no full-text index for {dialect}")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS article_fts")
    for table in ("version", "capture", "body", "alias", "article", "source"):
        op.drop_table(table)
