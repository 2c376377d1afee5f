"""apscheduler 3.x jobs: one per source, plus re-checks and source reloads.

Jobs are rebuilt from the store at every start (memory job store, nothing
pickled). Each source job is coalesced and has a generous misfire grace, so a
daemon that was down for a day polls each source once when it comes back, not
once per missed tick.

A source never has two polls running: a tick that fires while the previous
poll still runs returns at once (logged at DEBUG). The check is ours, not
apscheduler's ``max_instances=1``, which would refuse such a tick with a
warning every time a slow poll outlasts its interval.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from archiver.records.articles import SourceView
from archiver.sources.specs import cron_trigger

log = logging.getLogger("archiver.daemon")

PollJob = Callable[[str], Awaitable[None]]
# Instances apscheduler may run of one source job: the poll itself plus ticks that
# find it still running and return at once. Never reached, so it never warns.
MAX_INSTANCES = 8


def _trigger(source: SourceView) -> BaseTrigger:
    if source.cron:
        return cron_trigger(source.cron)
    assert source.every_seconds is not None
    return IntervalTrigger(seconds=source.every_seconds, timezone=UTC)


def first_run(source: SourceView, trigger: BaseTrigger, now: datetime) -> datetime:
    """When a (re)scheduled source should poll first.

    Never polled, or a tick was missed while we were not running: now, once.
    Otherwise the next regular tick after the last poll.
    """
    last = source.last_poll_at
    if last is None:
        return now
    if source.every_seconds is not None:
        return max(now, last + timedelta(seconds=source.every_seconds))
    due = trigger.get_next_fire_time(None, last + timedelta(seconds=1))
    return now if due is None or due <= now else due


class SourceJobs:
    """Keeps the scheduler's source jobs equal to the store's active sources."""

    def __init__(self, scheduler: AsyncIOScheduler, poll: PollJob, misfire_grace: float) -> None:
        self._scheduler = scheduler
        self._poll = poll
        self._grace = int(misfire_grace)
        self._specs: dict[str, tuple[object, ...]] = {}  # job id -> schedule it was built from
        self._polling: set[str] = set()  # sources whose poll is running

    async def _tick(self, name: str) -> None:
        """One tick of a source's schedule: poll, unless its previous poll still runs."""
        if name in self._polling:
            log.debug("source %s: previous poll still running, tick skipped", name)
            return
        self._polling.add(name)
        try:
            await self._poll(name)
        finally:
            self._polling.discard(name)

    def sync(self, sources: list[SourceView], now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        wanted = {f"source:{s.name}": s for s in sources if not s.paused}
        for job_id in list(self._specs):
            if job_id not in wanted:
                self._scheduler.remove_job(job_id)
                del self._specs[job_id]
                log.info("source %s unscheduled", job_id.removeprefix("source:"))
        for job_id, source in wanted.items():
            spec = (source.kind, source.url, source.every_seconds, source.cron)
            if self._specs.get(job_id) == spec:
                continue
            trigger = _trigger(source)
            if job_id in self._specs:
                self._scheduler.remove_job(job_id)
            self._scheduler.add_job(
                self._tick,
                trigger,
                args=[source.name],
                id=job_id,
                name=job_id,
                coalesce=True,
                max_instances=MAX_INSTANCES,
                misfire_grace_time=self._grace,
                next_run_time=first_run(source, trigger, now),
            )
            self._specs[job_id] = spec
            log.info(
                "source %s scheduled (%s)",
                source.name,
                source.cron or f"every {source.every_seconds:g}s",
            )
