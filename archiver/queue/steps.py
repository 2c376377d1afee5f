"""What each job does: the same plain async steps the inline runner calls.

A worker holds one ``WorkerState`` (its pipeline services, its sitemap cache)
for every job it runs; procrastinate hands it to the task in the job context.
These functions know nothing of procrastinate: tasks.py wraps them, defer.py
queues the follow-up work they ask for.

A step whose server hung (the fetcher does not retry a timeout at once) raises
``FetchTimeoutError``, so procrastinate retries the job with backoff
(``daemon.job_retries``, ``daemon.job_retry_after``); any other failure of the
archive step is recorded in the store by the step itself, as inline.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from archiver.archive import AddResult, Services, archive_url
from archiver.errors import FetchTimeoutError, NotFoundError
from archiver.sources.poll import PollResult, poll_source
from archiver.sources.walk import SitemapCache

log = logging.getLogger("archiver.queue")


@dataclass(slots=True)
class WorkerState:
    """What every job of one worker process shares."""

    services: Services
    sitemaps: SitemapCache = field(default_factory=SitemapCache)


async def poll_step(state: WorkerState, name: str) -> tuple[int, PollResult] | None:
    """Poll a source as the inline daemon does: its id and what the poll found
    (None: removed or paused since the job was deferred)."""
    try:
        source = await asyncio.to_thread(state.services.store.source, name)
    except NotFoundError:
        return None
    if source.paused:
        return None
    return source.id, await poll_source(source, state.services, sitemaps=state.sitemaps)


def _raise_if_hung(result: AddResult) -> AddResult:
    if result.timed_out:
        raise FetchTimeoutError(result.error or f"{result.url} timed out")
    return result


async def archive_step(state: WorkerState, url: str, source_id: int | None) -> AddResult:
    """Archive one URL; a hung server raises, so the job is retried later."""
    return _raise_if_hung(await archive_url(url, state.services, source_id=source_id))


async def recheck_step(state: WorkerState, url: str) -> AddResult:
    """Re-check one due article by its canonical URL, as the inline re-check scan does."""
    result = _raise_if_hung(await archive_url(url, state.services))
    if result.changed:
        log.info("re-checked %s: %s", url, result.outcome)
    return result
