"""Plain records of webhooks: registrations, outbox items, delivery outcomes, status.

The store (``archiver.store.outbox``) turns them into rows and back; the
deliverer (``archiver.notify``) and ``archiver status`` read and build them.
All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Event = Literal["new", "updated", "error"]
EVENTS: tuple[Event, ...] = ("new", "updated", "error")
DeliveryState = Literal["pending", "delivered", "failed"]


@dataclass(frozen=True, slots=True)
class WebhookRoute:
    """Who hears of what: a webhook's name, the events it wants, its filters.

    An empty ``sites`` / ``sources`` means every site / source; otherwise the
    event's site (an article's site, or a failed URL's host without ``www.``)
    and source (the source that found the article, or that asked for the URL)
    must be listed.
    """

    name: str
    events: tuple[Event, ...]
    sites: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def wants(self, event: str, site: str, source: str | None) -> bool:
        if event not in self.events:
            return False
        if self.sites and site not in self.sites:
            return False
        return not self.sources or (source is not None and source in self.sources)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One delivery to make: the event's JSON ``payload`` for one webhook."""

    id: int
    webhook: str
    event: Event
    idempotency_key: str
    article_id: int | None
    payload: str
    attempts: int  # including the one this item was claimed for
    created_at: datetime
    state: DeliveryState = "pending"
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    """How one attempt at an item ended: delivered, to retry at ``retry_at``, or failed."""

    item_id: int
    at: datetime
    state: DeliveryState  # "pending": retried at ``retry_at``
    error: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebhookStatus:
    """A webhook's deliveries for ``archiver status``."""

    name: str
    delivered: int = 0
    pending: int = 0
    failed: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_delivered_at: datetime | None = None
    configured: bool = True  # False: rows of a webhook no longer in the config
