"""Webhooks: the registered webhooks, and the outbox of their deliveries.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Written by hand and frozen, like the revisions before it:

* ``webhook``: the ``[[notify.webhook]]`` entries of the config, registered by
  ``archiver run`` when it starts (name, the events it wants, its site and source
  filters as JSON text lists; never its URL or secret), so that every process
  that records versions (the CLI, ``archiver worker``) knows whom to tell;
* ``outbox``: one row per event (``new``, ``updated``, ``error``) and per
  configured webhook that wants it, inserted in the transaction that records the
  version or the failed capture, so an event exists exactly when its cause was
  committed. ``idempotency_key`` is stable for the row (sent as a header and in
  the body on every attempt); ``payload`` is the event's JSON text, fixed when
  the row is written; ``state`` is ``pending``, ``delivered`` or ``failed``;
  ``next_attempt_at`` is when a pending row is due (a row being sent is leased
  by moving it forward), ``attempts`` and ``last_error`` describe the tries.
  ``ix_outbox_due`` finds the due rows, ``ix_outbox_webhook`` the counts per
  webhook for ``archiver status``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook",
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("sites", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("webhook", sa.String(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=False),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("article.id"), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("event IN ('new', 'updated', 'error')", name="ck_outbox_event"),
        sa.CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="ck_outbox_state"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index("ix_outbox_due", "outbox", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_webhook", "outbox", ["webhook", "state"])


def downgrade() -> None:
    op.drop_index("ix_outbox_webhook", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("webhook")
