"""Syndication clusters: MinHash signatures and LSH band keys of article texts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Written by hand and frozen, like the revisions before it:

* ``near_signature``: per article, the MinHash signature of its current text
  (``signature``: big-endian uint32 values), the text hash it was computed from,
  the scheme (permutations, shingle size) and the band layout it was cut with;
* ``near_band``: one row per band of that signature, its 64-bit key indexed
  (``ix_near_band_key``), so the articles sharing a band with one article are
  found by an indexed lookup, however large the archive.

Existing articles get no rows here (the migration computes nothing): ``archiver
reextract`` signs the articles that have no signature, new versions are signed
as they are recorded.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "near_signature",
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("article.id"), primary_key=True),
        sa.Column("text_hash", sa.String(), nullable=False),
        sa.Column("scheme", sa.String(), nullable=False),
        sa.Column("layout", sa.String(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "near_band",
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("article.id"), primary_key=True),
        sa.Column("band", sa.Integer(), primary_key=True),
        sa.Column("key", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_near_band_key", "near_band", ["key", "article_id"])


def downgrade() -> None:
    op.drop_index("ix_near_band_key", table_name="near_band")
    op.drop_table("near_band")
    op.drop_table("near_signature")
