"""archiver's procrastinate tasks, registered on an App built from settings.

==================  ==============  ==========================================
task                queue           lock / queueing lock
==================  ==============  ==========================================
poll_source         polls           ``source:NAME``: polls of a source never overlap
archive_url         archive         ``url:URL`` / ``article:ID`` when known
recheck_article     rechecks        ``article:ID``
retry_stalled       maintenance     periodic (``daemon.stalled_check_every``)
remove_old_jobs     maintenance     periodic, hourly: finished jobs after 3 days
==================  ==============  ==========================================

Locks and queueing locks are set where jobs are deferred (defer.py), from the
job's arguments. The same ``article:ID`` lock on archive and re-check jobs
means two workers never archive one article at once.

A stalled job is one in ``doing`` whose worker stopped sending heartbeats
(``daemon.stalled_after``: it was killed, or lost its machine). The periodic
``retry_stalled`` puts it back in the queue, or ends it as failed once it has
used up its attempts, so ``archiver status`` shows it instead of it vanishing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from procrastinate import App, BaseRetryStrategy, JobContext, RetryDecision, builtin_tasks
from procrastinate.jobs import Job, Status

from archiver.config import Settings
from archiver.queue.defer import ARCHIVE, POLL, RECHECK, defer_archive
from archiver.queue.steps import WorkerState, archive_step, poll_step, recheck_step

log = logging.getLogger("archiver.queue")

STALLED, OLD_JOBS = "retry_stalled", "remove_old_jobs"
STATE_KEY = "archiver"  # the WorkerState's key in the job context
OLD_JOBS_HOURS = 72
RETRY_CAP = 3600.0  # seconds: no retry waits longer than this


class Backoff(BaseRetryStrategy):
    """Up to ``retries`` retries, the first ``first`` seconds later, doubling each time."""

    def __init__(self, retries: int, first: float) -> None:
        self.retries = retries
        self.first = first

    def delay(self, attempts: int) -> float:
        return min(self.first * 2.0 ** max(0, attempts - 1), RETRY_CAP)

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if job.attempts >= self.retries:  # attempts: the runs before this one
            return None
        when = datetime.now(UTC) + timedelta(seconds=self.delay(job.attempts + 1))
        return RetryDecision(retry_at=when)


def state_of(context: JobContext) -> WorkerState:
    state = context.additional_context.get(STATE_KEY)
    if not isinstance(state, WorkerState):
        raise RuntimeError("archiver job run outside `archiver worker` (no worker state)")
    return state


def register(app: App, settings: Settings) -> None:
    """Register archiver's tasks (and its periodic maintenance) on ``app``."""
    daemon = settings.daemon
    retry = Backoff(daemon.job_retries, daemon.seconds("job_retry_after"))
    retry_after = daemon.seconds("timeout_retry_after")

    @app.task(name=POLL, queue="polls", pass_context=True, retry=retry)
    async def poll_source(context: JobContext, source: str) -> dict[str, Any] | None:
        state = state_of(context)
        polled = await poll_step(state, source)
        if polled is None:
            return None
        source_id, result = polled
        for url in result.timed_out:  # as inline: one later try of each hung article URL
            await defer_archive(context.app, url, source_id, state, schedule_in=retry_after)
        return {"found": result.found, "new": result.new, "failed": result.failed}

    @app.task(name=ARCHIVE, queue="archive", pass_context=True, retry=retry)
    async def archive_url(
        context: JobContext, url: str, source_id: int | None = None
    ) -> dict[str, Any]:
        result = await archive_step(state_of(context), url, source_id)
        return {"outcome": result.outcome, "article": result.article_id}

    @app.task(name=RECHECK, queue="rechecks", pass_context=True, retry=retry)
    async def recheck_article(context: JobContext, article_id: int, url: str) -> dict[str, Any]:
        result = await recheck_step(state_of(context), url)
        return {"outcome": result.outcome, "article": result.article_id or article_id}

    stalled_after = daemon.stalled_after
    attempts = daemon.job_retries + 1

    @app.periodic(cron=f"* * * * * */{daemon.stalled_check_every}", periodic_id="stalled")
    @app.task(name=STALLED, queue="maintenance", pass_context=True)
    async def retry_stalled(context: JobContext, timestamp: int) -> int:
        manager = context.app.job_manager
        stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after)
        for job in stalled:
            if job.attempts + 1 >= attempts:
                log.error("job %s stalled %d times: failed", job.call_string, job.attempts + 1)
                await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            else:
                log.warning("job %s stalled (its worker died): retried", job.call_string)
                await manager.retry_job(job)
        return len(list(stalled))

    @app.periodic(cron="17 * * * *", periodic_id="old_jobs")
    @app.task(name=OLD_JOBS, queue="maintenance", pass_context=True)
    async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
        await builtin_tasks.remove_old_jobs(
            context, max_hours=OLD_JOBS_HOURS, remove_cancelled=True, remove_aborted=True
        )
