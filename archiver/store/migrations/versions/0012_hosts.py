"""Politeness shared by every worker: per-host gates and stored robots.txt files.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

Written by hand and frozen, like the revisions before it:

* ``host_gate``: per host, when any worker last sent a request to it
  (``last_start``), until when a turn granted to a worker may still be unsent
  (``pending_until``), until when it is backed off (``not_before``), its streak
  of failed requests and the kind of trouble last logged. Times are epoch seconds
  on the database's clock. A worker takes the row ``FOR UPDATE`` to claim a turn.
* ``robots_file``: per origin, its robots.txt as the first worker fetched it
  (``status``, ``body``, ``reason``), when, until when every worker may use that
  copy (``expires``) and until when a worker is fetching it (``lease_until``).

The constraints concurrent writers rely on were all in place already
(``uq_article_canonical_url``, ``ix_alias_url`` and ``ix_version_article_seq``
unique, the primary keys of the template and volatile tables), so this revision
adds none.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_gate",
        sa.Column("host", sa.String(), primary_key=True),
        sa.Column("last_start", sa.Float(), nullable=True),
        sa.Column("pending_until", sa.Float(), nullable=False),
        sa.Column("not_before", sa.Float(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("trouble", sa.String(), nullable=True),
    )
    op.create_table(
        "robots_file",
        sa.Column("origin", sa.String(), primary_key=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("fetched_at", sa.Float(), nullable=True),
        sa.Column("expires", sa.Float(), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("robots_file")
    op.drop_table("host_gate")
