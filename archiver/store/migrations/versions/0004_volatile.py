"""Volatile blocks and the re-check circuit breaker.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Written by hand and frozen, like the revisions before it:

* ``volatile_block``: per host, the blocks learned to change on their own (a
  ticking "Updated at" line, a view counter, a rotating slot after a fixed
  block); they never make a version and are removed from the host's text like
  its template (``archiver.version.volatile``);
* ``article.tiny_streak``: how many re-checks in a row gave the article a new
  version with a tiny diff; at ``TINY_STREAK`` the article is flagged in the
  health and such versions no longer restart its re-check ladder.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "volatile_block",
        sa.Column("site", sa.String(), primary_key=True),
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
    )
    for name in ("tiny_streak", "check_failures"):
        op.add_column("article", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        op.create_index(f"ix_article_{name}", "article", [name])
    op.add_column("article", sa.Column("check_error", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("article", "check_error")
    for name in ("check_failures", "tiny_streak"):
        op.drop_index(f"ix_article_{name}", table_name="article")
        op.drop_column("article", name)
    op.drop_table("volatile_block")
