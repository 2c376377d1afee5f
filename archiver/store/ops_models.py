"""The operational tables: webhook deliveries and the politeness every worker shares.

Not the archive's content (``models.py``) but the state of its services:
registered webhooks and their outbox (``archiver.notify``, revision 0011), and
the per-host gate and robots.txt copies of the job queue's workers (revision 0012).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from archiver.store.columns import UTCDateTime


class Webhook(SQLModel, table=True):
    """A ``[[notify.webhook]]`` of the config, registered by ``archiver run`` (revision 0011).

    Only what deciding who hears of an event needs: the events wanted and the
    filters (JSON text lists); the URL and the secret stay in the config.
    """

    __tablename__ = "webhook"

    name: str = Field(primary_key=True)
    events: str = Field(sa_type=Text)
    sites: str = Field(sa_type=Text)
    sources: str = Field(sa_type=Text)
    registered_at: datetime = Field(sa_type=UTCDateTime)


class Outbox(SQLModel, table=True):
    """One webhook delivery of one event (revision 0011), written with the event's commit.

    ``archiver.store.outbox`` inserts the rows in the transaction that records
    the version or the failed capture, and the deliverer (``archiver.notify``)
    sends them after it: at least once, with ``idempotency_key`` on every try.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("event IN ('new', 'updated', 'error')", name="ck_outbox_event"),
        CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="ck_outbox_state"),
        UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_webhook", "webhook", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook: str  # the webhook's name in the config
    event: str
    idempotency_key: str
    article_id: int | None = Field(default=None, foreign_key="article.id")
    payload: str = Field(sa_type=Text)  # JSON text of the event, fixed when written
    state: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)


class HostGate(SQLModel, table=True):
    """One host's politeness shared by every worker (``daemon.queue = "procrastinate"``).

    Times are epoch seconds on the database's clock: ``last_start`` of the last
    request any worker sent, ``pending_until`` the end of a turn granted but not sent
    yet, ``not_before`` the end of the host's backoff.
    """

    __tablename__ = "host_gate"

    host: str = Field(primary_key=True)
    last_start: float | None = None
    pending_until: float = 0.0
    not_before: float = 0.0
    failures: int = 0  # consecutive failed requests
    trouble: str | None = None  # the kind of failure last logged ("status", "timeouts", ...)


class RobotsFile(SQLModel, table=True):
    """One origin's robots.txt as a worker fetched it, for every worker until ``expires``.

    ``status`` "ok" (``body`` holds the file), "unavailable" or "unreachable"
    (``reason``); "" while nobody has fetched it yet. ``lease_until``: a worker
    is fetching it until then, the others wait for its copy.
    """

    __tablename__ = "robots_file"

    origin: str = Field(primary_key=True)
    status: str = ""
    body: bytes = Field(default=b"", sa_type=LargeBinary)
    reason: str | None = None
    fetched_at: float | None = None
    expires: float = 0.0
    lease_until: float = 0.0
