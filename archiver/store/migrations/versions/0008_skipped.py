"""The links a source's last poll skipped, in the source's health.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

Written by hand and frozen, like the revisions before it:

* ``source.links_skipped``: how many links of the source document the last
  successful poll that read it did not take as candidate articles (another
  site, excluded, not an article, not archivable); NULL: never counted;
* ``source.skipped``: the first ``SKIPPED_KEPT`` of them, named with their
  reason, JSON text of a list of ``[url, reason]`` pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("source", sa.Column("links_skipped", sa.Integer(), nullable=True))
    op.add_column("source", sa.Column("skipped", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("source", "skipped")
    op.drop_column("source", "links_skipped")
