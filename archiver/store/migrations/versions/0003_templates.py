"""Site templates, re-extractions and extraction health.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Written by hand and frozen, like 0001 and 0002. New tables, plus three
nullable ``capture`` columns added in place (SQLite runs ``ADD COLUMN``
without rebuilding the table):

* ``template_site`` / ``template_page`` / ``template_block``: per host, the
  block fingerprints each article contributed and, per fingerprint, on how
  many distinct articles it was seen (``archiver.store.templates``);
* ``reextraction``: the text a version had before a re-extraction of its own
  capture replaced it in place (not a new version);
* ``source_poll``: the extraction health of each successful poll of a source;
* ``capture.charset`` (so a re-extraction decodes the body as the first
  extraction did), ``capture.words`` and ``capture.dated`` (what the health is
  measured from). Existing captures get NULL: not measured.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CAPTURE_COLUMNS = ("charset", "words", "dated")


def upgrade() -> None:
    op.add_column("capture", sa.Column("charset", sa.String(), nullable=True))
    op.add_column("capture", sa.Column("words", sa.Integer(), nullable=True))
    op.add_column("capture", sa.Column("dated", sa.Boolean(), nullable=True))
    op.create_table(
        "reextraction",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("article.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("old_title", sa.Text(), nullable=True),
        sa.Column("old_text", sa.Text(), nullable=False),
        sa.Column("old_text_hash", sa.String(), nullable=False),
        sa.Column("new_text_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reextraction_article_seq", "reextraction", ["article_id", "seq"])
    op.create_table(
        "template_site",
        sa.Column("site", sa.String(), primary_key=True),
        sa.Column("pages", sa.Integer(), nullable=False),
    )
    op.create_table(
        "template_page",
        sa.Column("site", sa.String(), primary_key=True),
        sa.Column("url", sa.String(), primary_key=True),
        sa.Column("prints", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "template_block",
        sa.Column("site", sa.String(), primary_key=True),
        sa.Column("fingerprint", sa.String(), primary_key=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("since", sa.Integer(), nullable=False),
    )
    op.create_table(
        "source_poll",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extracted", sa.Integer(), nullable=False),
        sa.Column("empty", sa.Integer(), nullable=False),
        sa.Column("short", sa.Integer(), nullable=False),
        sa.Column("dateless", sa.Integer(), nullable=False),
    )
    op.create_index("ix_source_poll_source_at", "source_poll", ["source_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_source_poll_source_at", table_name="source_poll")
    op.drop_table("source_poll")
    op.drop_table("template_block")
    op.drop_table("template_page")
    op.drop_table("template_site")
    op.drop_index("ix_reextraction_article_seq", table_name="reextraction")
    op.drop_table("reextraction")
    for name in reversed(_CAPTURE_COLUMNS):
        op.drop_column("capture", name)
