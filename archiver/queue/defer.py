"""Deferring jobs: the scheduler's polls and re-checks, a poll's retries of hung URLs.

Queueing locks keep at most one job *waiting* per source, URL or article
(procrastinate refuses a second with ``AlreadyEnqueued``, taken here as "already
queued"). A queueing lock does not cover a job that is already *running*, so the
scheduler also skips whatever has a job in ``doing``: a source's tick that comes
while its poll still runs is skipped, as inline, and a due re-check whose job
runs is not queued again behind it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from procrastinate.types import JSONValue

from archiver.identify import normalize_url
from archiver.queue.failures import queue_error
from archiver.records.articles import DueCheck

if TYPE_CHECKING:
    from archiver.queue.steps import WorkerState

log = logging.getLogger("archiver.queue")

POLL, ARCHIVE, RECHECK = "poll_source", "archive_url", "recheck_article"  # task names

_ACTIVE = """
SELECT queueing_lock FROM procrastinate_jobs
 WHERE task_name = %(task)s AND status IN ('todo', 'doing') AND queueing_lock IS NOT NULL
"""


def source_lock(name: str) -> str:
    return f"source:{name}"


def article_lock(article_id: int) -> str:
    return f"article:{article_id}"


def url_lock(url: str) -> str:
    return f"url:{url}"


async def _defer(app: App, task: str, lock: str, queueing_lock: str, **kwargs: JSONValue) -> bool:
    """Defer one job; False when one with its queueing lock already waits."""
    try:
        await app.configure_task(task, lock=lock, queueing_lock=queueing_lock).defer_async(**kwargs)
    except AlreadyEnqueued:
        return False
    except ConnectorException as exc:
        raise queue_error(exc, f"deferring {task}") from exc
    return True


async def defer_archive(
    app: App,
    url: str,
    source_id: int | None,
    state: WorkerState | None = None,
    *,
    schedule_in: float = 0,
) -> bool:
    """Defer archiving ``url``; locked by its article when the store already knows it."""
    normalized = normalize_url(url)
    lock = url_lock(normalized)
    if state is not None:
        known = await asyncio.to_thread(state.services.store.check_state, [normalized])
        if known is not None:
            lock = article_lock(known.article_id)
    try:
        job = app.configure_task(
            ARCHIVE, lock=lock, queueing_lock=url_lock(normalized),
            schedule_in={"seconds": schedule_in},
        )  # fmt: skip
        await job.defer_async(url=normalized, source_id=source_id)
    except AlreadyEnqueued:
        return False
    except ConnectorException as exc:
        raise queue_error(exc, "deferring archive_url") from exc
    log.info("%s: archive job deferred (in %.0fs)", normalized, schedule_in)
    return True


class JobQueue:
    """The scheduler's side of the queue: what ``archiver run`` defers instead of running."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def active(self, task: str) -> set[str]:
        """Queueing locks of the task's jobs waiting or running."""
        try:
            rows = await self.app.connector.execute_query_all_async(_ACTIVE, task=task)
        except ConnectorException as exc:
            raise queue_error(exc, "reading the queue") from exc
        return {str(row["queueing_lock"]) for row in rows}

    async def defer_poll(self, name: str) -> bool:
        lock = source_lock(name)
        if lock in await self.active(POLL):
            log.debug("source %s: its poll is still queued or running, tick skipped", name)
            return False
        deferred = await _defer(self.app, POLL, lock, lock, source=name)
        if deferred:
            log.info("source %s: poll deferred", name)
        return deferred

    async def defer_rechecks(self, due: Iterable[DueCheck]) -> int:
        """Defer a re-check job per due article not already queued or running."""
        active = await self.active(RECHECK)
        deferred = 0
        for check in due:
            lock = article_lock(check.article_id)
            if lock in active:
                continue
            if await _defer(
                self.app, RECHECK, lock, lock, article_id=check.article_id, url=check.url
            ):
                deferred += 1
        if deferred:
            log.info("deferred %d re-check jobs", deferred)
        return deferred
