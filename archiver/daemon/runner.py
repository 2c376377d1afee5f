"""``archiver run``: the long-running process that keeps the archive current.

Start: open the services, sync ``config/sources.toml`` into the store, build
one job per source from the store, plus a re-check scan (due re-checks live
in the store and survive restarts) and a reload that picks up sources edited
with the CLI while the daemon runs. No job overlaps itself: the scan and the
reload schedule their next run when the current one ends, and a source's tick
that comes while its previous poll still runs is skipped (see jobs.py). An
article URL whose server hung (the fetcher does not retry a timeout at once)
gets one more try as a one-off job ``daemon.timeout_retry_after`` later; that
try is not retried again. With webhooks configured, one more job sends the outbox
(``archiver.notify.deliver``): it never holds up the others.

Stop (SIGINT/SIGTERM or ``stop``): no new work is started; in-flight work gets
``daemon.shutdown_grace`` seconds, then is cancelled (one INFO line says how
many jobs were abandoned; no traceback). Every store write is one transaction,
so whatever is cancelled leaves nothing half-written.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from archiver.archive import Services, archive_url, open_services
from archiver.batch import archive_all
from archiver.config import Settings
from archiver.daemon.jobs import SourceJobs
from archiver.daemon.lock import DaemonLock
from archiver.daemon.memory import Trimmer, limit_arenas
from archiver.errors import ArchiverError, NotFoundError
from archiver.notify.deliver import Deliverer, open_deliverer
from archiver.queue.scheduler import scheduler_scope
from archiver.sources.file import load_sources_file
from archiver.sources.poll import poll_source
from archiver.sources.walk import SitemapCache

if TYPE_CHECKING:
    from archiver.queue.defer import JobQueue  # procrastinate: imported only when it is on

log = logging.getLogger("archiver.daemon")


class Daemon:
    """The daemon's state for one run: services, scheduler, in-flight tasks."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        queue: JobQueue | None = None,
        notifier: Deliverer | None = None,
    ) -> None:
        self.settings = settings
        self.services = services
        self.notifier = notifier  # webhooks: sends the outbox (archiver.notify.deliver)
        self.queue = queue  # procrastinate: polls and re-checks are deferred to workers
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.jobs = SourceJobs(self.scheduler, self.poll, settings.daemon.seconds("misfire_grace"))
        self.inflight: set[asyncio.Task[Any]] = set()
        self.sitemaps = SitemapCache()
        self.stopping = False
        self._fingerprint: object = None
        self.trim = Trimmer()

    async def _tracked(self, work: Coroutine[Any, Any, None]) -> None:
        """Run scheduled work as a task the shutdown can wait for or cancel."""
        if self.stopping:
            work.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self.inflight.add(task)
        try:
            await work
        except ArchiverError as exc:  # a job's failure is logged, never kills the daemon
            log.error("job failed: %s", exc)
        except asyncio.CancelledError:
            if not self.stopping:
                raise
            # Cancelled by the shutdown, which says so in one line: ending normally keeps
            # apscheduler from logging the cancellation as a job failure with a traceback.
            log.debug("job cancelled at shutdown")
        finally:
            self.inflight.discard(task)

    async def poll(self, name: str) -> None:
        await self._tracked(self._poll(name))

    async def _poll(self, name: str) -> None:
        try:
            source = await asyncio.to_thread(self.services.store.source, name)
        except NotFoundError:  # removed since it was scheduled; the next reload drops the job
            return
        if source.paused:
            return
        if self.queue is not None:
            await self.queue.defer_poll(name)
            return
        result = await poll_source(source, self.services, sitemaps=self.sitemaps)
        self.retry_later(result.timed_out, source.id)

    async def recheck(self) -> None:
        await self._tracked(self._recheck())

    async def _recheck(self) -> None:
        store, batch = self.services.store, self.settings.daemon.recheck_batch
        due = await asyncio.to_thread(store.due_checks, datetime.now(UTC), batch)
        if not due:
            self.trim()
            return
        if self.queue is not None:
            await self.queue.defer_rechecks(due)
            return
        results = await archive_all(
            [d.url for d in due],
            functools.partial(archive_url, services=self.services),
            window=self.services.window,
        )
        changed = sum(1 for r in results if r.changed)
        log.info("re-checked %d articles: %d changed", len(results), changed)
        self.retry_later([r.url for r in results if r.timed_out])
        self.trim()  # give freed heap pages back (see archiver.daemon.memory)

    def retry_later(self, urls: Iterable[str], source_id: int | None = None) -> None:
        """One more try of each URL whose server hung, ``timeout_retry_after`` from now."""
        when = datetime.now(UTC) + timedelta(
            seconds=self.settings.daemon.seconds("timeout_retry_after")
        )
        for url in urls:
            try:
                self.scheduler.add_job(
                    self.retry,
                    DateTrigger(run_date=when, timezone=UTC),
                    args=[url, source_id],
                    id=f"retry:{url}",
                    name=f"retry:{url}",
                    misfire_grace_time=None,
                )
            except ConflictingIdError:
                continue  # already waiting for its one retry
            log.info("%s timed out: one more try at %s", url, when.isoformat(timespec="seconds"))

    async def retry(self, url: str, source_id: int | None) -> None:
        await self._tracked(self._retry(url, source_id))

    async def _retry(self, url: str, source_id: int | None) -> None:
        result = await archive_url(url, self.services, source_id=source_id)
        if result.timed_out:
            log.warning("%s timed out again: left to its next poll or re-check", url)

    async def reload(self) -> None:
        await self._tracked(self._reload())

    async def notify(self) -> None:
        """Send the webhook deliveries that are due: a job of its own, never in the way."""
        if self.notifier is not None:
            await self._tracked(self.notifier.tick())

    async def _reload(self) -> None:
        store = self.services.store
        fingerprint = await asyncio.to_thread(store.sources_fingerprint)
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        self.jobs.sync(await asyncio.to_thread(store.sources))

    def _every(
        self, job: Callable[[], Awaitable[None]], seconds: float, job_id: str, *, delay: float = 0
    ) -> None:
        """Run ``job`` after ``delay``, then ``seconds`` after each run has ended.

        Each run schedules the next one when it finishes, so a re-check batch that
        outlasts the interval is never overlapped by the next scan (an interval job
        would fire anyway, and apscheduler would skip it with a warning every tick).
        """
        self.scheduler.add_job(
            self._again,
            DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=delay), timezone=UTC),
            args=[job, seconds, job_id],
            id=job_id,
            name=job_id,
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _again(self, job: Callable[[], Awaitable[None]], seconds: float, job_id: str) -> None:
        try:
            await job()
        finally:
            if not self.stopping:
                self._every(job, seconds, job_id, delay=seconds)

    async def start(self) -> None:
        specs = load_sources_file(self.settings.daemon.sources_file)
        if specs:
            added, updated = await asyncio.to_thread(self.services.store.sync_sources, specs)
            log.info(
                "sources file %s: %d added, %d updated",
                self.settings.daemon.sources_file, added, updated,
            )  # fmt: skip
        await self._reload()
        daemon = self.settings.daemon
        self._every(self.recheck, daemon.seconds("recheck_scan_every"), "recheck")
        self._every(self.reload, daemon.seconds("reload_every"), "reload")
        if self.notifier is not None and self.notifier.active:
            self._every(self.notify, self.notifier.every, "notify")
        self.scheduler.start()

    async def shutdown(self) -> None:
        """Start nothing new, give running jobs the grace period, cancel the rest.

        (apscheduler's asyncio executor cancels running jobs on shutdown, so the
        scheduler is only paused while they get their grace.)
        """
        self.stopping = True
        self.scheduler.pause()
        pending = set(self.inflight)
        if pending:
            log.info("waiting for %d job(s) to finish", len(pending))
            _, still = await asyncio.wait(pending, timeout=self.settings.daemon.shutdown_grace)
            if still:
                log.info("abandoning %d job(s) at shutdown", len(still))
        self.scheduler.shutdown(wait=False)  # cancels whatever still runs
        if self.inflight:
            await asyncio.wait(set(self.inflight), timeout=1.0)


async def run_daemon(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    ready: Callable[[Daemon], None] | None = None,
    alongside: Callable[[Daemon], AbstractAsyncContextManager[object]] | None = None,
) -> None:
    """Run until ``stop`` is set or the process receives SIGINT/SIGTERM.

    ``alongside(daemon)`` (e.g. the web server of ``run --serve``) is entered once the
    daemon has started and exited first when it stops. A second daemon on the same
    data directory refuses to start (see archiver.daemon.lock), and on PostgreSQL so does
    a second one on the same database; with ``daemon.queue = "procrastinate"`` polls and
    re-checks are deferred as jobs for ``archiver worker`` (see archiver.queue.scheduler).
    """
    stop = stop or asyncio.Event()
    limit_arenas()  # before the store's threads start (see archiver.daemon.memory)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        with DaemonLock(settings.ensure_home()):
            async with (
                scheduler_scope(settings, stop.set) as queue,
                open_services(settings) as services,
                open_deliverer(
                    settings.notify, services.store.outbox, user_agent=settings.fetch.user_agent,
                    allow_private_networks=settings.fetch.allow_private_networks,
                ) as notifier,
            ):  # fmt: skip
                daemon = Daemon(settings, services, queue, notifier)
                await daemon.start()
                dialect = settings.db_url.split(":")[0]
                log.info("daemon started (data: %s, database: %s)", settings.home, dialect)
                async with alongside(daemon) if alongside else nullcontext():
                    if ready is not None:
                        ready(daemon)
                    await stop.wait()
                    log.info("daemon stopping")
                await daemon.shutdown()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    log.info("daemon stopped")
