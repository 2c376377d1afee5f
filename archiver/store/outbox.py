"""Webhooks in the store: registrations, the outbox written with each event, deliveries.

An event is a new article (``new``), a new version of one (``updated``) or a
failed capture (``error``; skipped URLs are not errors). ``emit_version`` and
``emit_failure`` run inside the write transaction that records it
(``writes.record`` / ``writes.record_failure``) and add one ``outbox`` row per
registered webhook that wants it, so a committed event always has its rows and
a rolled-back one never has any. Nothing is written while no webhook is
registered (``archiver run`` registers the config's ``[[notify.webhook]]``
entries when it starts: ``OutboxStore.register``).

The idempotency key of a row is derived from (webhook, event, capture id): the
same for every attempt, different for every event and webhook. The deliverer
(``archiver.notify.deliver``) claims due rows (a claim leases a row by moving
its ``next_attempt_at`` forward, so a crash mid-send means another try once the
lease has run out: at least once), sends them and settles each attempt.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar, cast
from urllib.parse import urlsplit

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from archiver.records.articles import CaptureIn
from archiver.records.notify import (
    DeliveryState,
    Event,
    OutboxItem,
    Settlement,
    WebhookRoute,
    WebhookStatus,
)
from archiver.store.models import Article, Source
from archiver.store.ops_models import Outbox, Webhook

T = TypeVar("T")

_KEYS = uuid.UUID("5d9b6a64-5a35-4c43-9a55-8f0d7e0a3c11")  # namespace of idempotency keys
REMOVED = "webhook removed from the config"


def idempotency_key(webhook: str, event: str, capture_id: int) -> str:
    """Stable per (webhook, event): a UUID derived from them and the event's capture."""
    return str(uuid.uuid5(_KEYS, f"{webhook}\0{event}\0{capture_id}"))


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _routes(session: Session) -> list[WebhookRoute]:
    return [
        WebhookRoute(
            row.name,
            tuple(json.loads(row.events)),
            tuple(json.loads(row.sites)),
            tuple(json.loads(row.sources)),
        )
        for row in session.exec(select(Webhook).order_by(col(Webhook.name)))
    ]


def _source_name(session: Session, source_id: int | None) -> str | None:
    if source_id is None:
        return None
    return session.exec(select(Source.name).where(Source.id == source_id)).first()


def _emit(
    session: Session, event: Event, capture: CaptureIn, capture_id: int, article: Article | None
) -> None:
    """One row per registered webhook that wants the event (``article``: as now updated)."""
    routes = _routes(session)
    if not routes:
        return
    host = (urlsplit(capture.requested_url).hostname or "").lower().removeprefix("www.")
    site = article.site if article is not None else host
    source = _source_name(session, (article.source_id if article else None) or capture.source_id)
    article_id = None if article is None else article.id
    seq = article.version_count if article is not None and article.version_count else None
    data = {
        "article_id": article_id,
        "url": article.canonical_url if article is not None else capture.requested_url,
        "requested_url": capture.requested_url,
        "site": site,
        "title": article.title if article is not None and seq else None,
        "version": seq,
        "source": source,
        "capture_id": capture_id,
        "status": capture.status,
        "error": capture.error if event == "error" else None,
        "fetched_at": _iso(capture.fetched_at),
        "first_seen": _iso(article.first_seen) if article is not None else None,
    }
    for route in routes:
        if route.wants(event, site, source):
            session.add(
                Outbox(
                    webhook=route.name,
                    event=event,
                    idempotency_key=idempotency_key(route.name, event, capture_id),
                    article_id=article_id,
                    payload=json.dumps(data, sort_keys=True),
                    next_attempt_at=capture.fetched_at,
                    created_at=capture.fetched_at,
                )
            )
    session.flush()


def emit_version(
    session: Session, article: Article, capture: CaptureIn, capture_id: int, event: Event
) -> None:
    """The outbox rows of a new article or version (the article is already updated)."""
    _emit(session, event, capture, capture_id, article)


def emit_failure(
    session: Session, capture: CaptureIn, capture_id: int, article: Article | None
) -> None:
    """The outbox rows of a failed capture (not of a skipped one: that is no error)."""
    if capture.error is not None and not capture.error.startswith("skipped: "):
        _emit(session, "error", capture, capture_id, article)


class Transact(Protocol):
    """``Store._read`` / ``Store._write``: one transaction, database errors as StoreError."""

    def __call__(self, doing: str, work: Callable[[Session], T], /) -> T: ...


def _item(row: Outbox) -> OutboxItem:
    assert row.id is not None
    return OutboxItem(
        id=row.id,
        webhook=row.webhook,
        event=cast(Event, row.event),
        idempotency_key=row.idempotency_key,
        article_id=row.article_id,
        payload=row.payload,
        attempts=row.attempts,
        created_at=row.created_at,
        state=cast(DeliveryState, row.state),
        last_error=row.last_error,
    )


class OutboxStore:
    """The webhook side of the store (``Store.outbox``); every method is one transaction."""

    def __init__(self, read: Transact, write: Transact) -> None:
        self._read = read
        self._write = write

    def register(self, routes: Sequence[WebhookRoute], now: datetime) -> int:
        """Make ``routes`` the registered webhooks; the pending rows of any other webhook
        fail (``REMOVED``). Returns how many rows that failed."""
        return self._write("registering webhooks", lambda s: _register(s, routes, now))

    def routes(self) -> list[WebhookRoute]:
        return self._read("reading webhooks", _routes)

    def claim(
        self, webhook: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[OutboxItem]:
        """Up to ``limit`` of the webhook's rows due at ``now``, oldest first, leased (not
        due again) until ``lease_until`` unless settled before."""
        return self._write(
            "claiming webhook deliveries", lambda s: _claim(s, webhook, now, lease_until, limit)
        )

    def settle(self, settlements: Sequence[Settlement]) -> None:
        """Record how attempts ended: each counts as an attempt of its row."""
        self._write("recording webhook deliveries", lambda s: _settle(s, settlements))

    def release(self, item_ids: Sequence[int], now: datetime) -> None:
        """Claimed rows that were not attempted: due again at ``now``, no attempt counted."""
        if item_ids:
            self._write("releasing webhook deliveries", lambda s: _release(s, item_ids, now))

    def items(self, webhook: str | None = None) -> list[OutboxItem]:
        """Every row (of one webhook), oldest first."""

        def work(session: Session) -> list[OutboxItem]:
            query = select(Outbox).order_by(col(Outbox.id))
            if webhook is not None:
                query = query.where(Outbox.webhook == webhook)
            return [_item(row) for row in session.exec(query)]

        return self._read("reading the outbox", work)

    def summary(self, names: Sequence[str]) -> list[WebhookStatus]:
        """Per webhook in ``names`` (then any other with rows): counts and the last error."""
        return self._read("reading webhook deliveries", lambda s: _summary(s, names))


def _register(session: Session, routes: Sequence[WebhookRoute], now: datetime) -> int:
    session.execute(delete(Webhook))
    for route in routes:
        session.add(
            Webhook(
                name=route.name,
                events=json.dumps(list(route.events)),
                sites=json.dumps(list(route.sites)),
                sources=json.dumps(list(route.sources)),
                registered_at=now,
            )
        )
    names = [route.name for route in routes]
    result = session.execute(
        update(Outbox)
        .where(col(Outbox.state) == "pending", col(Outbox.webhook).not_in(names))
        .values(state="failed", last_error=REMOVED, last_attempt_at=now)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def _claim(
    session: Session, webhook: str, now: datetime, lease_until: datetime, limit: int
) -> list[OutboxItem]:
    rows = session.exec(
        select(Outbox)
        .where(
            Outbox.webhook == webhook,
            Outbox.state == "pending",
            col(Outbox.next_attempt_at) <= now,
        )
        .order_by(col(Outbox.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.next_attempt_at = lease_until
    session.flush()
    return [_item(row) for row in rows]


def _settle(session: Session, settlements: Sequence[Settlement]) -> None:
    for done in settlements:
        row = session.get(Outbox, done.item_id)
        if row is None or row.state != "pending":
            continue  # settled already (a lease that ran out, then two sends): keep the first
        row.attempts += 1
        row.last_attempt_at = done.at
        row.state = done.state
        if done.state == "delivered":
            row.delivered_at = done.at
        else:
            row.last_error = done.error
            row.next_attempt_at = done.retry_at or done.at
    session.flush()


def _release(session: Session, item_ids: Sequence[int], now: datetime) -> None:
    session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(list(item_ids)), col(Outbox.state) == "pending")
        .values(next_attempt_at=now)
    )


def _summary(session: Session, names: Sequence[str]) -> list[WebhookStatus]:
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    for webhook, state, n in session.exec(
        select(Outbox.webhook, Outbox.state, func.count()).group_by(
            col(Outbox.webhook), col(Outbox.state)
        )
    ):
        counts.setdefault(webhook, {})[state] = n
    views = []
    for name, states in counts.items():
        error = session.exec(
            select(Outbox.last_error, Outbox.last_attempt_at)
            .where(Outbox.webhook == name, col(Outbox.last_error).is_not(None))
            .order_by(col(Outbox.last_attempt_at).desc(), col(Outbox.id).desc())
            .limit(1)
        ).first()
        delivered_at = session.exec(
            select(func.max(Outbox.delivered_at)).where(Outbox.webhook == name)
        ).first()
        views.append(
            WebhookStatus(
                name,
                delivered=states.get("delivered", 0),
                pending=states.get("pending", 0),
                failed=states.get("failed", 0),
                last_error=None if error is None else error[0],
                last_error_at=None if error is None else error[1],
                last_delivered_at=delivered_at,
                configured=name in names,
            )
        )
    return views
