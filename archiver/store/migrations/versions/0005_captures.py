"""Response headers of captures, for WARC export and the raw snapshot view.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Written by hand and frozen, like the revisions before it:

* ``capture.headers``: the response headers as fetched, JSON text of a list of
  ``[name, value]`` pairs (names lower-case, repeated headers joined with
  ``", "`` as the fetch stage reports them). Recorded from this revision on;
  existing captures get NULL, and a WARC export synthesizes their header block
  from the stored fields (content type, ETag, Last-Modified).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("capture", sa.Column("headers", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("capture", "headers")
