"""Daemon state: source health and conditional-GET validators, article re-check ladder.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-15

Written by hand and frozen, like 0001. Only ``ADD COLUMN`` / ``CREATE INDEX``
(and their inverses) are used, which SQLite runs in place: no table is
rebuilt, so nothing has to be copied and the foreign keys pointing at
``source`` and ``article`` are never in the way.

Existing rows: sources get ``updated_at = created_at``, origin 'cli' and zero
counters; articles get ladder step 0 and no anchor or due time (they are not
scheduled until a check records them with a ladder).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EPOCH = "1970-01-01 00:00:00"
"""Placeholder default for NOT NULL ``source.updated_at``: SQLite can only add a
NOT NULL column with a constant default. Every row is backfilled right away and
the store always writes the column; PostgreSQL drops the default again."""


def _ts(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _counter(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


_SOURCE_COLUMNS = (
    "updated_at",
    "origin",
    "last_poll_at",
    "last_success_at",
    "last_error",
    "last_error_at",
    "consecutive_failures",
    "articles_found",
    "articles_new",
    "total_new",
    "etag",
    "last_modified",
    "body_hash",
)
_ARTICLE_COLUMNS = ("check_anchor", "check_step", "next_check_at")


def upgrade() -> None:
    columns: list[sa.Column[object]] = [
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_EPOCH),
        sa.Column("origin", sa.String(), nullable=False, server_default="cli"),
        _ts("last_poll_at"),
        _ts("last_success_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("last_error_at"),
        _counter("consecutive_failures"),
        sa.Column("articles_found", sa.Integer(), nullable=True),
        sa.Column("articles_new", sa.Integer(), nullable=True),
        _counter("total_new"),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        sa.Column("body_hash", sa.String(), nullable=True),
    ]
    assert tuple(c.name for c in columns) == _SOURCE_COLUMNS
    for column in columns:
        op.add_column("source", column)
    op.execute("UPDATE source SET updated_at = created_at")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("source", "updated_at", server_default=None)

    op.add_column("article", _ts("check_anchor"))
    op.add_column("article", _counter("check_step"))
    op.add_column("article", _ts("next_check_at"))
    op.create_index("ix_article_next_check_at", "article", ["next_check_at", "id"])
    op.create_index("ix_article_source_id", "article", ["source_id"])


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place only once no index uses it.
    op.drop_index("ix_article_source_id", table_name="article")
    op.drop_index("ix_article_next_check_at", table_name="article")
    for name in reversed(_ARTICLE_COLUMNS):
        op.drop_column("article", name)
    for name in reversed(_SOURCE_COLUMNS):
        op.drop_column("source", name)
