"""Raw bodies stored as deltas against the article's previous body.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

Written by hand and frozen, like the revisions before it:

* ``body.base_hash``: NULL for a body compressed on its own; else the hash of the
  body whose raw bytes are the zstd dictionary it was compressed with (the
  article's previous body, itself always stored on its own, so a body is
  rebuilt from at most two rows). Existing bodies stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("body", sa.Column("base_hash", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("body", "base_hash")
