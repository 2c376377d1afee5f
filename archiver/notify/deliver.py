"""The deliverer: sends what the outbox holds, at least once, without holding anything up.

``archiver run`` registers the configured webhooks at start (``open_deliverer``)
and then calls ``Deliverer.tick`` every ``notify.every`` as a job of its own. A
round claims, per webhook, up to ``notify.batch`` due rows (oldest first) and
POSTs them, ``notify.concurrency`` at a time, each within ``notify.timeout``
seconds all in; webhooks are served side by side, so one that hangs holds up
only its own deliveries. A 2xx answer delivers a row; anything else (another
status, a refused connection, a blocked address, a timeout) is retried after
``retry_after`` doubling up to ``retry_max``, and after ``max_attempts`` the row
is failed. After the first failure in a round, a webhook's rows not yet started
wait for the next round (released, no attempt counted), so a receiver that is
down costs about one timeout per round, not one per row.

Each attempt is settled in its own transaction as soon as it ends; a round cut
short (a crash, the shutdown) leaves its claimed rows leased, and they are due
again when the lease runs out: a row may be sent twice, always with the same
idempotency key, never lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archiver.errors import FetchError
from archiver.fetch.webhook import WebhookSender
from archiver.notify import payload
from archiver.notify.settings import NotifySettings, WebhookSettings
from archiver.records.notify import OutboxItem, Settlement
from archiver.store.outbox import OutboxStore

log = logging.getLogger("archiver.notify")

LEASE_MARGIN = 60.0  # seconds a claimed row stays leased beyond twice the timeout


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(slots=True)
class Round:
    """What one round did (for logs and tests)."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0

    def add(self, other: Round) -> None:
        self.delivered += other.delivered
        self.retried += other.retried
        self.failed += other.failed
        self.released += other.released


class Deliverer:
    """Sends the outbox's due rows of the configured webhooks; see the module docstring.

    ``now`` is the clock rows are due and retried by (tests pass a settable one);
    the timeouts are real seconds.
    """

    def __init__(
        self,
        outbox: OutboxStore,
        settings: NotifySettings,
        sender: WebhookSender,
        *,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._outbox = outbox
        self._settings = settings
        self._sender = sender
        self._now = now
        self.every = settings.seconds("every")

    @property
    def active(self) -> bool:
        """Whether any webhook is configured (else there is nothing to run)."""
        return bool(self._settings.webhook)

    async def register(self) -> None:
        """Register the configured webhooks; pending rows of removed ones fail."""
        removed = await asyncio.to_thread(self._outbox.register, self._settings.routes, self._now())
        if removed:
            log.warning("webhooks: %d pending deliveries failed (webhook no longer configured)",
                        removed)  # fmt: skip

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after ``attempts`` failed ones (1, 2, ...)."""
        first, cap = self._settings.seconds("retry_after"), self._settings.seconds("retry_max")
        return float(min(cap, first * 2 ** min(attempts - 1, 62)))

    async def tick(self) -> None:
        """One round, logged when it did anything (the daemon's job)."""
        done = await self.run_once()
        if done.delivered or done.retried or done.failed:
            log.info("webhooks: %d delivered, %d to retry, %d failed",
                     done.delivered, done.retried, done.failed)  # fmt: skip

    async def run_once(self) -> Round:
        """Claim and send, per webhook, what is due now."""
        total = Round()
        for part in await asyncio.gather(*(self._serve(h) for h in self._settings.webhook)):
            total.add(part)
        return total

    async def _serve(self, hook: WebhookSettings) -> Round:
        now = self._now()
        lease = now + timedelta(seconds=2 * self._settings.timeout + LEASE_MARGIN)
        items = await asyncio.to_thread(
            self._outbox.claim, hook.label, now, lease, self._settings.batch
        )
        done = Round()
        if not items:
            return done
        slots = asyncio.Semaphore(self._settings.concurrency)
        held: list[int] = []
        trouble = False

        async def one(item: OutboxItem) -> None:
            nonlocal trouble
            async with slots:
                if trouble:  # the receiver is in trouble: the rest waits for the next round
                    held.append(item.id)
                    return
                settled = await self._attempt(hook, item)
                await asyncio.to_thread(self._outbox.settle, [settled])
            if settled.state == "delivered":
                done.delivered += 1
                return
            trouble = True
            if settled.state == "failed":
                done.failed += 1
            else:
                done.retried += 1

        await asyncio.gather(*(one(item) for item in items))
        if held:
            await asyncio.to_thread(self._outbox.release, held, self._now())
            done.released = len(held)
        return done

    async def _attempt(self, hook: WebhookSettings, item: OutboxItem) -> Settlement:
        raw = payload.body(item, self._settings.base_url)
        try:
            status, text = await self._sender.post(
                hook.url,
                raw,
                payload.headers(item, hook.secret, raw),
                deadline=self._settings.timeout,
            )
        except FetchError as exc:
            error = str(exc)
        else:
            if 200 <= status < 300:
                log.debug("webhook %s: delivered %s (%s)", hook.label, item.idempotency_key,
                          item.event)  # fmt: skip
                return Settlement(item.id, self._now(), "delivered")
            error = f"HTTP {status}" + (f": {_short(text)}" if text.strip() else "")
        at = self._now()
        attempts = item.attempts + 1
        if attempts >= self._settings.max_attempts:
            log.warning("webhook %s: delivery %s failed after %d attempts: %s",
                        hook.label, item.idempotency_key, attempts, error)  # fmt: skip
            return Settlement(item.id, at, "failed", error)
        retry_at = at + timedelta(seconds=self.backoff(attempts))
        when = retry_at.isoformat(timespec="seconds")
        log.info("webhook %s: attempt %d of %s failed (%s), retrying at %s",
                 hook.label, attempts, item.idempotency_key, error, when)  # fmt: skip
        return Settlement(item.id, at, "pending", error, retry_at)


@asynccontextmanager
async def open_deliverer(
    settings: NotifySettings,
    outbox: OutboxStore,
    *,
    user_agent: str,
    allow_private_networks: bool,
    now: Callable[[], datetime] = _utcnow,
) -> AsyncIterator[Deliverer]:
    """A deliverer with its own guarded sender, the configured webhooks registered."""
    async with WebhookSender(
        user_agent=user_agent,
        allow_private_networks=allow_private_networks,
        concurrency=settings.concurrency * max(1, len(settings.webhook)),
    ) as sender:
        deliverer = Deliverer(outbox, settings, sender, now=now)
        await deliverer.register()
        yield deliverer
