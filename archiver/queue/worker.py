"""``archiver worker``: run archiver's jobs from the PostgreSQL queue until stopped.

One process: the pipeline services (fetcher, extractor pool, store) opened once
and shared by up to ``concurrency`` jobs at a time, through procrastinate's
worker. SIGINT/SIGTERM stop it gracefully: no new job, running ones get
``daemon.shutdown_grace`` seconds, then are aborted (and retried later).

procrastinate's worker stops when its database connection fails (a restarted
PostgreSQL). This loop then waits for the database and starts a new worker; the
jobs the old one had running are found stalled and retried (tasks.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterable
from typing import Any

import psycopg
from procrastinate.app import WorkerOptions
from procrastinate.exceptions import ConnectorException

from archiver.archive import open_services
from archiver.config import Settings
from archiver.errors import ArchiverError
from archiver.queue.app import (
    build_app,
    require_postgres,
    require_schema,
    worker_pool_size,
)
from archiver.queue.steps import WorkerState
from archiver.queue.tasks import STATE_KEY
from archiver.store.engine import describe_db_error

log = logging.getLogger("archiver.queue")

RECONNECT_EVERY = 1.0  # seconds between attempts to reach a database that went away
# procrastinate's actions for a lost database: a side task (the listener, the heartbeat)
# failed, and the error of each task it cancelled then
_DB_TROUBLE = {"side_task_failed", "poll_jobs_to_abort_error", "listener_error"}
# where procrastinate logs them: its worker (named "worker" unless told otherwise) and the
# helper that cancels a stopped worker's side tasks
_QUIETED = ("procrastinate.worker", "procrastinate.worker.worker", "procrastinate.utils")
_JOB_ERRORS = {"job_error", "job_error_retry"}


class OneLine(logging.Filter):
    """procrastinate's worker logs a lost database and every failed job with a traceback.
    Those are expected (the worker starts again; the job is retried or ends failed), so
    they become one line with the cause, as archiver's own logs are; a job that failed on
    something that is no ArchiverError (a bug) keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        action = getattr(record, "action", None)
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or action not in _DB_TROUBLE | _JOB_ERRORS:
            return True
        if action in _JOB_ERRORS and not isinstance(exc, ArchiverError):
            return True
        cause = exc.__cause__ or exc
        record.msg = " ".join(f"{record.getMessage()}: {describe_db_error(cause)}".split())
        record.args = ()
        record.exc_info = record.exc_text = None
        if action in _DB_TROUBLE:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _lost_job_end(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A job whose end could not be recorded (the database went away meanwhile) fails its
    task, which procrastinate never awaits: one line instead of asyncio's traceback."""
    exc = context.get("exception")
    if isinstance(exc, ConnectorException | psycopg.Error):
        log.warning(
            "a job's end could not be recorded (%s): it will be retried as stalled",
            describe_db_error(exc.__cause__ or exc),
        )
        return
    loop.default_exception_handler(context)


async def _database_back(conninfo: str, stop: asyncio.Event) -> bool:
    """Wait until the database answers again (False: stopped meanwhile)."""
    while not stop.is_set():
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, connect_timeout=5):
                return True
        except psycopg.Error:
            pass
        try:
            await asyncio.wait_for(stop.wait(), RECONNECT_EVERY)
        except TimeoutError:
            continue
    return False


async def run_worker(
    settings: Settings,
    *,
    concurrency: int = 1,
    queues: Iterable[str] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run jobs until ``stop`` is set or the process receives SIGINT/SIGTERM."""
    conninfo = require_postgres(settings)
    await require_schema(settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    wanted = list(queues) if queues else None
    daemon = settings.daemon
    loop.set_exception_handler(_lost_job_end)
    quiet = OneLine()
    for name in _QUIETED:
        logging.getLogger(name).addFilter(quiet)
    try:
        async with open_services(settings) as services:
            options: WorkerOptions = {
                "concurrency": concurrency,
                "additional_context": {STATE_KEY: WorkerState(services)},
                "install_signal_handlers": False,  # ours: they also end the reconnect wait
                "update_heartbeat_interval": daemon.worker_heartbeat,
                "stalled_worker_timeout": daemon.stalled_after,
                "shutdown_graceful_timeout": daemon.shutdown_grace,
                "delete_jobs": "never",  # finished jobs stay for status; remove_old_jobs prunes
            }
            if wanted:
                options["queues"] = wanted  # none given: every queue (an empty list: none)
            while not stop.is_set():
                app = build_app(settings, role="worker", pool_size=worker_pool_size(concurrency))
                try:
                    async with app.open_async():
                        log.info(
                            "worker started (concurrency %d, queues: %s)",
                            concurrency, ", ".join(wanted) if wanted else "all",
                        )  # fmt: skip
                        work = asyncio.create_task(app.run_worker_async(**options))
                        stopping = asyncio.create_task(stop.wait())
                        await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
                        stopping.cancel()
                        if not work.done():
                            log.info("worker stopping")
                            work.cancel()
                        try:
                            await work
                        except asyncio.CancelledError:
                            if not stop.is_set():
                                raise
                        if stop.is_set():
                            break
                        log.warning("worker ended by itself (lost its database?): starting again")
                except (ConnectorException, psycopg.Error) as exc:
                    cause = exc.__cause__ or exc
                    log.warning(
                        "database connection lost (%s): the worker starts again once it is back",
                        describe_db_error(cause),
                    )
                if not await _database_back(conninfo, stop):
                    break
    finally:
        for name in _QUIETED:
            logging.getLogger(name).removeFilter(quiet)
        loop.set_exception_handler(None)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    log.info("worker stopped")
